// The ingest bench's pipeline workers, in a process of their own as real workers are: each client
// posts its reportRecords bodies one after another; prints how long all of them took, in seconds, and the CPU
// seconds this process used meanwhile (its start and reading the bodies left out).
//   node --import tsx/esm test/bench/ingest-clients.ts <graphql url> <api key> <bodies file> <expected per batch>
import { readFileSync } from 'node:fs';

const [url, key, bodiesFile, expected] = process.argv.slice(2);
const clients = JSON.parse(readFileSync(bodiesFile, 'utf8')) as string[][];
const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };

const started = performance.now();
const cpuAtStart = process.cpuUsage();
await Promise.all(
  clients.map(async (bodies) => {
    for (const body of bodies) {
      const response = await fetch(url, { method: 'POST', headers, body });
      const result = (await response.json()) as { data?: { reportRecords: { accepted: number } }; errors?: unknown };
      if (result.data?.reportRecords.accepted !== Number(expected)) throw new Error(`reportRecords failed: ${JSON.stringify(result)}`);
    }
  }),
);
const cpu = process.cpuUsage(cpuAtStart);
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
