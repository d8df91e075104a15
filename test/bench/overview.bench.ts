// The health overview on the demo data, as a newcomer meets it: `npm start`'s first start (a week of history, the
// live demo running), the built client in headless Chromium. Measures the time from opening /overview to the stat
// cards and the trend chart showing (the chart's buckets drawn), in a fresh browser profile each time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo } from '../../server/demo/index.js';
import { browserSkipReason, launchBrowser } from '../e2e/support/browser.js';
import { ensureClientBuilt } from '../e2e/support/client-build.js';
import { screenshot } from '../e2e/support/console.js';
import { GraphQLClient } from '../support/graphql-client.js';
import {
  ADMIN_SECRET,
  count,
  heading,
  percentile,
  printTable,
  runWhenStartedDirectly,
  type SummaryRow,
  startFreshInstance,
} from './support.js';

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
  const dataDir = mkdtempSync(join(tmpdir(), 'syncwatch-bench-overview-data-'));
  const { url, logger, stop } = await startFreshInstance('overview');
  try {
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
      // docs/console.md's picture of the overview with the demo running (test/e2e/screenshots/, git-ignored).
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
    }
  } finally {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Run on its own: NODE_ENV=production node --import tsx/esm test/bench/overview.bench.ts
runWhenStartedDirectly(import.meta.url, runOverviewBench);
