// The lists bench's mix, in a process of its own: `connections` loops post the requests round robin for `seconds`;
// prints the latencies and every error (an HTTP status other than 200, or GraphQL errors) as JSON.
//   node --import tsx/esm test/bench/lists-mix-clients.ts <graphql url> <requests file> <connections> <seconds>
// node:http with keep-alive rather than fetch: the clients share the server's two cores, and fetch's streams cost
// them several times more CPU a request (it showed as the server's latency). For the same reason an answer is not
// parsed: one without errors starts with {"data" (the server writes errors first, then data), and only its first
// bytes are kept.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [url, requestsFile, connections, seconds] = process.argv.slice(2);
const requests = JSON.parse(readFileSync(requestsFile, 'utf8')) as { key: string; body: string }[];

const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });

/** POSTs `body` with key `key`; resolves with the status and the answer's first bytes. */
function post(key: string, body: string): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body);
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length), authorization: `Bearer ${key}` },
      },
      (response) => {
        let head = '';
        response.on('data', (chunk: Buffer) => {
          if (head.length < 300) head += chunk.toString('utf8', 0, 300);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, head }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const times: number[] = [];
const errorSamples: string[] = [];
let errors = 0;
let next = 0;
const started = performance.now();
const until = started + Number(seconds) * 1000;

async function loop(): Promise<void> {
  while (performance.now() < until) {
    const request = requests[next++ % requests.length];
    const start = performance.now();
    try {
      const response = await post(request.key, request.body);
      if (response.status !== 200 || !response.head.startsWith('{"data"')) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(`${response.status} ${response.head.slice(0, 300)}`);
      }
    } catch (error) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(String(error));
    }
    times.push(performance.now() - start);
  }
}

await Promise.all(Array.from({ length: Number(connections) }, loop));
agent.destroy();
const elapsed = (performance.now() - started) / 1000;
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.max(0, Math.ceil((p / 100) * times.length) - 1))] ?? Number.NaN;
console.log(
  JSON.stringify({ requests: times.length, errors, errorSamples, seconds: elapsed, p50: at(50), p95: at(95), p99: at(99), max: at(100) }),
);
