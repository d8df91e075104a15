// `npm run bench`: every bench part in one run, on one embedded PostgreSQL and one real server, then a summary.
import { runConsoleBench } from './console.bench.js';
import { runDemoBackfillBench } from './demo.bench.js';
import { runFanoutBench } from './fanout.bench.js';
import { runIngestBench } from './ingest.bench.js';
import { runQueryBench } from './query.bench.js';
import { runRetryBench } from './retry.bench.js';
import { type BenchEnvironment, heading, printTable, type SummaryRow, startBenchEnvironment } from './support.js';

async function main(): Promise<void> {
  const started = performance.now();
  const summary: SummaryRow[] = [];
  let env: BenchEnvironment | null = null;
  try {
    env = await startBenchEnvironment();
    summary.push(...(await runIngestBench(env)));
    summary.push(...(await runQueryBench(env)));
    // After the query bench: its 100,000 fresh failures would skew the filled history's distributions.
    summary.push(...(await runRetryBench(env)));
  } finally {
    await env?.stop();
  }
  summary.push(...(await runFanoutBench()));
  // On a database of its own: the demo backfills only an empty one.
  summary.push(...(await runDemoBackfillBench()));
  // The console on a demo database of its own, with the live demo running.
  summary.push(...(await runConsoleBench()));

  heading(`Summary (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  printTable(
    ['measure', 'value', 'target', 'met'],
    summary.map((row) => [row.measure, row.value, row.target ?? '', row.met === undefined ? '' : row.met ? 'yes' : 'NO']),
  );
  const missed = summary.filter((row) => row.met === false).length;
  console.log(missed === 0 ? '\nevery target met' : `\n${missed} target(s) missed on this machine`);
}

// Exits by itself: a missed target is reported, not an error; a failure is.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
