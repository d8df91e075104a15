// The health overview on the demo data, as a newcomer meets it: `npm start`'s first start (a week of history, the
// live demo running), the built client in headless Chromium. Measures the time from opening /overview to the stat
// cards and the trend chart showing (the chart's buckets drawn), in a fresh browser profile each time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.js';
import { startEmbeddedPostgres } from '../../server/db/embedded.js';
import { startDemo } from '../../server/demo/index.js';
import { startSyncwatch } from '../../server/instance.js';
import { createLogger } from '../../server/logger.js';
import { browserSkipReason, launchBrowser } from '../e2e/support/browser.js';
import { ensureClientBuilt } from '../e2e/support/client-build.js';
import { screenshot } from '../e2e/support/console.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { count, heading, percentile, printTable, runWhenStartedDirectly, type SummaryRow } from './support.js';

const ADMIN_SECRET = 'bench-overview-secret-0123456789';
const TARGET_MS = 1_000;
const SAMPLES = 7;
const msText = (value: number) => `${Math.round(value)} ms`;

export async function runOverviewBench(): Promise<SummaryRow[]> {
  heading('Health overview (the demo data, headless Chromium)');
  const skip = browserSkipReason();
  if (skip) {
    console.log(skip);
    return [];
  }
  ensureClientBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'syncwatch-bench-overview-pg-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'syncwatch-bench-overview-data-'));
  const database = await startEmbeddedPostgres(dir, { persistent: false });
  try {
    await database.createDatabase('overview');
    const config = loadConfig({
      DATABASE_URL: database.urlFor('overview'),
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_SECRET,
      LOG_LEVEL: 'error',
    });
    const logger = createLogger(config.logLevel);
    const instance = await startSyncwatch(config, { logger });
    const url = `http://127.0.0.1:${instance.port}`;
    const demo = startDemo({ url: `${url}/graphql`, adminKey: ADMIN_SECRET, dataDir, logger, seed: 7 });
    const browser = await launchBrowser();
    try {
      await demo.ready;
      const admin = new GraphQLClient(`${url}/graphql`, ADMIN_SECRET);
      const { syncSummary } = await admin.ok<{ syncSummary: { totalSynced: { value: number } } }>(
        '{ syncSummary { totalSynced { value } } }',
      );
      const records = syncSummary.totalSynced.value;
      const samples: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        const started = performance.now();
        await page.goto(`${url}/overview#key=${ADMIN_SECRET}`);
        await page.locator('[data-card="total"] .card-value').waitFor({ timeout: 90_000 });
        await page.locator('.trend[data-loading="false"]:not([data-buckets="0"]) canvas').first().waitFor({ timeout: 90_000 });
        samples.push(performance.now() - started);
        await context.close();
      }
      // The README's picture of the overview with the demo running (test/e2e/screenshots/, git-ignored).
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${url}/overview#key=${ADMIN_SECRET}`);
      await page.locator('.trend[data-loading="false"]:not([data-buckets="0"]) canvas').first().waitFor({ timeout: 90_000 });
      await page.locator('tr.record-row').first().waitFor({ timeout: 90_000 });
      await screenshot(page, 'health-overview-demo');
      await context.close();

      samples.sort((a, b) => a - b);
      printTable(
        ['measure', 'records (7 days)', 'samples', 'p50', 'p90', 'max'],
        [
          [
            'open /overview → cards and chart',
            count(records),
            count(SAMPLES),
            msText(percentile(samples, 50)),
            msText(percentile(samples, 90)),
            msText(samples.at(-1) ?? 0),
          ],
        ],
      );
      return [
        {
          measure: `overview: open → cards and chart (p50, ${count(records)} records)`,
          value: msText(percentile(samples, 50)),
          target: `≤ ${TARGET_MS} ms`,
          met: percentile(samples, 50) <= TARGET_MS,
        },
      ];
    } finally {
      await browser.close();
      await demo.stop();
      await instance.stop();
    }
  } finally {
    await database.stop();
    for (const path of [dir, dataDir]) rmSync(path, { recursive: true, force: true });
  }
}

// Run on its own: NODE_ENV=production node --import tsx test/bench/overview.bench.ts
runWhenStartedDirectly(import.meta.url, runOverviewBench);
