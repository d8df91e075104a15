// The demo's first start: seven days of history (220,000 records) through reportRecords, on a fresh
// embedded PostgreSQL with a real server and its background jobs, as `npm start` does it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.js';
import { startEmbeddedPostgres } from '../../server/db/embedded.js';
import { backfillHistory } from '../../server/demo/backfill.js';
import { setUpDemo } from '../../server/demo/setup.js';
import { startSyncwatch } from '../../server/instance.js';
import { createLogger } from '../../server/logger.js';
import { count, heading, printTable, runWhenStartedDirectly, type SummaryRow } from './support.js';

const ADMIN_SECRET = 'bench-demo-secret-0123456789';
const TARGET_SECONDS = 60;
const TARGET_RECORDS = 200_000;

export async function runDemoBackfillBench(): Promise<SummaryRow[]> {
  heading('Demo backfill (first start of npm start)');
  const dir = mkdtempSync(join(tmpdir(), 'syncwatch-bench-demo-pg-'));
  const keyDir = mkdtempSync(join(tmpdir(), 'syncwatch-bench-demo-key-'));
  const database = await startEmbeddedPostgres(dir, { persistent: false });
  try {
    await database.createDatabase('demo');
    const config = loadConfig({
      DATABASE_URL: database.urlFor('demo'),
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_SECRET,
      LOG_LEVEL: 'error',
    });
    const logger = createLogger(config.logLevel);
    const instance = await startSyncwatch(config, { logger });
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
      await instance.stop();
    }
  } finally {
    await database.stop();
    for (const path of [dir, keyDir]) rmSync(path, { recursive: true, force: true });
  }
}

// Run on its own: tsx test/bench/demo.bench.ts
runWhenStartedDirectly(import.meta.url, runDemoBackfillBench);
