// `npm run bench`: every bench part in one run, then a summary. BENCH_ONLY=analytics,ingest runs only those parts.
import { runAlertsBench } from './alerts.bench.js';
import { runAnalyticsBench } from './analytics.bench.js';
import { runConsoleBench } from './console.bench.js';
import { runDemoBackfillBench } from './demo.bench.js';
import { runExportBench } from './export.bench.js';
import { runFanoutBench } from './fanout.bench.js';
import { runFoldBench } from './fold.bench.js';
import { runGuardBench } from './guard.bench.js';
import { runHealthBench } from './health.bench.js';
import { runIngestBench } from './ingest.bench.js';
import { runListsBench } from './lists.bench.js';
import { runLiveConsoleBench } from './live-console.bench.js';
import { runOverviewBench } from './overview.bench.js';
import { runPartitionsBench } from './partitions.bench.js';
import { runQueryBench } from './query.bench.js';
import { runReadpathBench } from './readpath.bench.js';
import { runRepartitionBench } from './repartition.bench.js';
import { runReplicaBench } from './replica.bench.js';
import { runRetryBench } from './retry.bench.js';
import { type BenchEnvironment, heading, printSummary, type SummaryRow, startBenchEnvironment } from './support.js';

const only = process.env.BENCH_ONLY?.split(',').map((part) => part.trim());
const wanted = (part: string) => !only || only.includes(part);

async function main(): Promise<void> {
  const started = performance.now();
  const summary: SummaryRow[] = [];
  if (['ingest', 'query', 'health', 'export', 'retry'].some(wanted)) {
    let env: BenchEnvironment | null = null;
    try {
      env = await startBenchEnvironment();
      if (wanted('ingest')) summary.push(...(await runIngestBench(env)));
      if (wanted('query')) summary.push(...(await runQueryBench(env)));
      if (wanted('health')) summary.push(...(await runHealthBench(env)));
      // On the query bench's 1M records, before the retry bench adds its own.
      if (wanted('export')) summary.push(...(await runExportBench(env)));
      // After the query bench: its 100,000 fresh failures would skew the filled history's distributions.
      if (wanted('retry')) summary.push(...(await runRetryBench(env)));
    } finally {
      await env?.stop();
    }
  }
  // In process, no database: the execution policy's worst admitted and refused requests.
  if (wanted('guard')) summary.push(...(await runGuardBench()));
  if (wanted('fanout')) summary.push(...(await runFanoutBench()));
  // On a database of its own: the demo backfills only an empty one.
  if (wanted('demo')) summary.push(...(await runDemoBackfillBench()));
  // The console on a demo database of its own, with the live demo running.
  if (wanted('console')) summary.push(...(await runConsoleBench()));
  // The live console at a fleet's rate, on a database of its own (about 25 minutes; BENCH_LIVE_* shorten it).
  if (wanted('live')) summary.push(...(await runLiveConsoleBench()));
  // The health overview on a demo database of its own (cards and chart), the live demo running.
  if (wanted('overview')) summary.push(...(await runOverviewBench()));
  // Every list query of the contract on a database of its own (its mix needs rate limits raised), then 100 connections.
  if (wanted('lists')) summary.push(...(await runListsBench()));
  // On a database of its own, ten times the query bench's history.
  if (wanted('analytics')) summary.push(...(await runAnalyticsBench()));
  // On a database of its own: 16 workers reporting while the fold runs as the leader runs it.
  if (wanted('fold')) summary.push(...(await runFoldBench()));
  // On a database of its own (1M records), beside PostGraphile 5 installed on demand.
  if (wanted('readpath')) summary.push(...(await runReadpathBench()));
  // On a database of its own: 2,000 pipelines × 5 rules, then the history filled under them; deliveries to a local receiver.
  if (wanted('alerts')) summary.push(...(await runAlertsBench()));
  // On a durable database of its own: the event table's migration at 1M events, and expiry by partition against DELETE.
  if (wanted('partitions')) summary.push(...(await runPartitionsBench()));
  if (wanted('repartition')) summary.push(...(await runRepartitionBench()));
  // On a primary and a streaming replica of their own: the list pages read on the replica while 4 workers ingest.
  if (wanted('replica')) summary.push(...(await runReplicaBench()));

  heading(`Summary (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  printSummary(summary);

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
