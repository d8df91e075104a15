// The lists bench's mix, in a process of its own: `connections` loops post the requests round robin for `seconds`;
// prints the latencies and every error (an HTTP status other than 200, or GraphQL errors) as JSON.
//   node --import tsx test/bench/lists-mix-clients.ts <graphql url> <requests file> <connections> <seconds>
import { readFileSync } from 'node:fs';

const [url, requestsFile, connections, seconds] = process.argv.slice(2);
const requests = JSON.parse(readFileSync(requestsFile, 'utf8')) as { key: string; body: string }[];

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
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${request.key}` },
        body: request.body,
      });
      const result = (await response.json()) as { errors?: unknown[] };
      if (response.status !== 200 || result.errors?.length) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(`${response.status} ${JSON.stringify(result.errors ?? result).slice(0, 300)}`);
      }
    } catch (error) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(String(error));
    }
    times.push(performance.now() - start);
  }
}

await Promise.all(Array.from({ length: Number(connections) }, loop));
const elapsed = (performance.now() - started) / 1000;
times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.max(0, Math.ceil((p / 100) * times.length) - 1))] ?? Number.NaN;
console.log(
  JSON.stringify({ requests: times.length, errors, errorSamples, seconds: elapsed, p50: at(50), p95: at(95), p99: at(99), max: at(100) }),
);
