// The console on the demo data, as a newcomer meets it: `npm start`'s first start (a week of history, the live
// demo running), the built client in headless Chromium. Measures the time from opening the printed address to the
// history showing runs, the time from a run being reported to its row appearing, and the client's gzipped size.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startDemo } from '../../server/demo/index.js';
import { browserSkipReason, launchBrowser } from '../e2e/support/browser.js';
import { ensureClientBuilt } from '../e2e/support/client-build.js';
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

const OPEN_TARGET_MS = 1_000;
const APPEAR_TARGET_MS = 500;
const OPEN_SAMPLES = 7;
const APPEAR_SAMPLES = 15;
const DIST = fileURLToPath(new URL('../../client/dist/', import.meta.url));

/** Gzipped bytes of the client: what the history page loads first (index.html and its entry chunks), and all of it. */
export function clientBundleSizes(): { initial: number; all: number } {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const gz = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;
  const initialAssets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  const assets = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  return {
    initial: gz(join(DIST, 'index.html')) + initialAssets.reduce((sum, asset) => sum + gz(join(DIST, asset)), 0),
    all: gz(join(DIST, 'index.html')) + assets.reduce((sum, asset) => sum + gz(join(DIST, 'assets', asset)), 0),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const msText = (value: number) => `${Math.round(value)} ms`;

export async function runConsoleBench(): Promise<SummaryRow[]> {
  heading('Console (the demo data, headless Chromium)');
  ensureClientBuilt();
  const sizes = clientBundleSizes();
  const rows: SummaryRow[] = [
    { measure: 'console: client gzipped (first load)', value: kb(sizes.initial) },
    { measure: 'console: client gzipped (every page)', value: kb(sizes.all) },
  ];
  const skip = browserSkipReason();
  if (skip) {
    console.log(skip);
    return rows;
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'syncwatch-bench-console-data-'));
  const { url, logger, stop } = await startFreshInstance('console');
  try {
    const demo = startDemo({ url: `${url}/graphql`, adminKey: ADMIN_SECRET, dataDir, logger, seed: 7 });
    const browser = await launchBrowser();
    try {
      await demo.ready;
      const admin = new GraphQLClient(`${url}/graphql`, ADMIN_SECRET);
      const { pipelines } = await admin.ok<{ pipelines: { id: string }[] }>('{ pipelines { id } }');
      const { createApiKey } = await admin.ok<{ createApiKey: { secret: string } }>(
        'mutation { createApiKey(input: { name: "console bench", role: INGEST }) { secret } }',
      );
      const ingest = new GraphQLClient(`${url}/graphql`, createApiKey.secret);

      // Opening the printed address in a fresh browser profile each time: nothing cached.
      const openMs: number[] = [];
      for (let i = 0; i < OPEN_SAMPLES; i++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        const started = performance.now();
        await page.goto(`${url}/#key=${ADMIN_SECRET}`);
        await page.locator('tr.run-row').first().waitFor({ timeout: 30_000 });
        openMs.push(performance.now() - started);
        await context.close();
      }

      // A run reported through the API, until its row shows in an open, live history.
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${url}/#key=${ADMIN_SECRET}`);
      await page.locator('.live-indicator[data-state="live"]').waitFor({ timeout: 30_000 });
      const appearMs: number[] = [];
      let missing = 0;
      for (let i = 0; i < APPEAR_SAMPLES; i++) {
        const started = performance.now();
        const { startRun } = await ingest.ok<{ startRun: { id: string } }>(
          'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
          { input: { pipelineId: pipelines[i % pipelines.length].id, mode: 'ON_DEMAND', operationType: 'Bench run' } },
        );
        // A row that never shows counts as 30 s (and misses the target) rather than ending the bench.
        const shown = await page
          .locator(`tr.run-row[data-run-id="${startRun.id}"]`)
          .waitFor({ timeout: 30_000 })
          .then(
            () => true,
            () => false,
          );
        if (!shown) missing += 1;
        appearMs.push(performance.now() - started);
        await ingest.ok('mutation($id: ID!) { finishRun(runId: $id) { id } }', { id: startRun.id });
      }
      await context.close();

      if (missing) console.log(`${missing} of ${APPEAR_SAMPLES} reported runs did not show within 30 s`);
      openMs.sort((a, b) => a - b);
      appearMs.sort((a, b) => a - b);
      printTable(
        ['measure', 'samples', 'p50', 'p90', 'max'],
        [
          [
            'open address → history rows',
            count(OPEN_SAMPLES),
            msText(percentile(openMs, 50)),
            msText(percentile(openMs, 90)),
            msText(openMs.at(-1) ?? 0),
          ],
          [
            'run reported → row shown',
            count(APPEAR_SAMPLES),
            msText(percentile(appearMs, 50)),
            msText(percentile(appearMs, 90)),
            msText(appearMs.at(-1) ?? 0),
          ],
        ],
      );
      printTable(
        ['client (gzipped)', 'bytes'],
        [
          ['first load', kb(sizes.initial)],
          ['every page', kb(sizes.all)],
        ],
      );
      rows.unshift(
        {
          measure: 'console: open address → history (p50)',
          value: msText(percentile(openMs, 50)),
          target: `≤ ${OPEN_TARGET_MS} ms`,
          met: percentile(openMs, 50) <= OPEN_TARGET_MS,
        },
        {
          measure: 'console: run reported → shown (p50)',
          value: msText(percentile(appearMs, 50)),
          target: `≤ ${APPEAR_TARGET_MS} ms`,
          met: percentile(appearMs, 50) <= APPEAR_TARGET_MS,
        },
      );
      return rows;
    } finally {
      await browser.close();
      await demo.stop();
    }
  } finally {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Run on its own: NODE_ENV=production node --import tsx/esm test/bench/console.bench.ts
runWhenStartedDirectly(import.meta.url, runConsoleBench);
