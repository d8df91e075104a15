// A small closed-loop HTTP load generator: N keep-alive connections, each sending the next request as soon as
// the previous answer is in. It runs in a process of its own, so neither its event loop nor its CPU time is
// counted with the server it measures (the bench runs syncwatch in its own process).
import { spawn } from 'node:child_process';
import { percentile } from './support.js';

export interface LoadTarget {
  url: string;
  headers: Record<string, string>;
  /** The POST body, sent as is. */
  body: string;
}

export interface LoadResult {
  requests: number;
  /** Answers that were not a 200 or carried GraphQL errors. */
  errors: number;
  seconds: number;
  /** Latencies of every request, in ms, sorted. */
  latencies: number[];
}

// Plain JavaScript, run with `node -e`: no loader needed.
const LOAD_SOURCE = `
const http = require('node:http');
const { url, headers, body, connections, durationMs } = JSON.parse(process.env.LOAD_TARGET);
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const payload = Buffer.from(body);
const requestHeaders = { ...headers, 'content-length': String(payload.length) };
const latencies = [];
let errors = 0;
const post = () => new Promise((resolve) => {
  const started = performance.now();
  const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: requestHeaders }, (res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('end', () => {
      latencies.push(performance.now() - started);
      // A GraphQL error anywhere in the answer counts; the first bytes tell without parsing it all.
      const head = Buffer.concat(chunks).subarray(0, 12).toString();
      if (res.statusCode !== 200 || head.startsWith('{"errors"')) errors++;
      resolve();
    });
  });
  req.on('error', () => { errors++; resolve(); });
  req.end(payload);
});
const started = performance.now();
const deadline = started + durationMs;
const loop = async () => { while (performance.now() < deadline) await post(); };
Promise.all(Array.from({ length: connections }, loop)).then(() => {
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  process.stdout.write(JSON.stringify({ requests: latencies.length, errors, seconds, latencies }));
});
`;

/** Sends `target` over `connections` keep-alive connections for `durationMs`; every answer is timed. */
export function load(target: LoadTarget, connections: number, durationMs: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', LOAD_SOURCE], {
      env: { ...process.env, LOAD_TARGET: JSON.stringify({ ...target, connections, durationMs }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the load generator exited with ${code}`));
      const result = JSON.parse(output) as LoadResult;
      result.latencies.sort((a, b) => a - b);
      resolve(result);
    });
  });
}

export interface LoadFigures {
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  requests: number;
}

/** Several runs of one target as one: requests/s over their whole time, percentiles over every latency. */
export function combine(results: LoadResult[]): LoadFigures {
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const all = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    perSecond: requests / seconds,
    p50: percentile(all, 50),
    p95: percentile(all, 95),
    p99: percentile(all, 99),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    requests,
  };
}
