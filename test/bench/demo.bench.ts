// The demo's first start: seven days of history (220,000 records) through reportRecords, on a fresh
// embedded PostgreSQL with a real server and its background jobs, as `npm start` does it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfillHistory } from '../../server/demo/backfill.js';
import { setUpDemo } from '../../server/demo/setup.js';
import { ADMIN_SECRET, count, heading, printTable, runWhenStartedDirectly, type SummaryRow, startFreshInstance } from './support.js';

const TARGET_SECONDS = 60;
const TARGET_RECORDS = 200_000;

export async function runDemoBackfillBench(): Promise<SummaryRow[]> {
  heading('Demo backfill (first start of npm start)');
  const keyDir = mkdtempSync(join(tmpdir(), 'syncwatch-bench-demo-key-'));
  const { instance, logger, stop } = await startFreshInstance('demo');
  try {
    const url = `http://127.0.0.1:${instance.port}/graphql`;
    const setup = await setUpDemo(url, ADMIN_SECRET, join(keyDir, 'demo-ingest-key.txt'));
    if (!setup) throw new Error('demo bench: the fresh database already had pipelines');
    const result = await backfillHistory({ url, ingestKey: setup.ingestKey, pipelineIds: setup.pipelineIds, logger });
    printTable(
      ['runs', 'records', 'seconds', 'records/s'],
      [[count(result.runs), count(result.records), result.seconds.toFixed(1), count(Math.round(result.records / result.seconds))]],
    );
    return [
      {
        measure: 'demo backfill: records',
        value: count(result.records),
        target: `≥ ${count(TARGET_RECORDS)}`,
        met: result.records >= TARGET_RECORDS,
      },
      {
        measure: 'demo backfill: time',
        value: `${result.seconds.toFixed(1)} s`,
        target: `< ${TARGET_SECONDS} s`,
        met: result.seconds < TARGET_SECONDS,
      },
    ];
  } finally {
    await stop();
    rmSync(keyDir, { recursive: true, force: true });
  }
}

// Run on its own: tsx test/bench/demo.bench.ts
runWhenStartedDirectly(import.meta.url, runDemoBackfillBench);
