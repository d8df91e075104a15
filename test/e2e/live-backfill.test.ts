// A newcomer's first start: the history opened while the demo backfills its first week (about a hundred run events
// a second). The first screen comes, the page keeps answering all through the backfill, and its rows stay one
// page: before, they grew without end and the page stopped answering for up to 24 s. The bench (test/bench/
// live-console) holds the timing targets; this test holds the behaviour.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../../server/demo/index.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';

const skipReason = browserSkipReason();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const PAGE_SIZE = 50;

/** Long tasks the page ran, recorded from its first script on. */
const LONG_TASKS = `
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
`;

let server: TestServer;
let browser: Browser;
let demo: Demo | null = null;
let dataDir: string;

describe.skipIf(skipReason !== null)('the history during the demo’s first backfill', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    server = await startTestServer();
    browser = await launchBrowser();
    dataDir = mkdtempSync(join(tmpdir(), 'syncwatch-e2e-backfill-'));
  });
  afterAll(async () => {
    await demo?.stop();
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows its first screen, keeps answering, and keeps one page of rows until the backfill is done', { timeout: 300_000 }, async () => {
    demo = startDemo({
      url: server.graphqlUrl,
      adminKey: ADMIN_SECRET,
      dataDir,
      logger: silent,
      backfill: { days: 7, totalRecords: 20_000 },
      seed: 7,
    });
    let backfilled = false;
    void demo.ready.then(() => (backfilled = true));

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(LONG_TASKS);
    const page = await context.newPage();
    const opened = performance.now();
    await page.goto(`${server.url}/#key=${ADMIN_SECRET}`);
    await page.locator('tr.run-row, .runs-table .n-empty').first().waitFor({ timeout: 30_000 });
    const firstScreenMs = performance.now() - opened;

    let slowestAnswerMs = 0;
    let mostRows = 0;
    let samples = 0;
    while (!backfilled) {
      const started = performance.now();
      const rows = (await page.evaluate(`document.querySelectorAll('tr.run-row').length`)) as number;
      slowestAnswerMs = Math.max(slowestAnswerMs, performance.now() - started);
      mostRows = Math.max(mostRows, rows);
      samples++;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const longTasks = (await page.evaluate('window.__longTasks')) as number[];
    console.log(
      `backfill watched: first screen ${Math.round(firstScreenMs)} ms, ${samples} samples, slowest answer ${Math.round(slowestAnswerMs)} ms, ` +
        `most rows ${mostRows}, longest task ${Math.round(Math.max(0, ...longTasks))} ms, long tasks ${Math.round(longTasks.reduce((a, b) => a + b, 0))} ms`,
    );
    expect(samples).toBeGreaterThan(3);
    expect(mostRows).toBeGreaterThan(0);
    expect(mostRows).toBeLessThanOrEqual(PAGE_SIZE);
    // A page that stopped answering took seconds (24 s before); any answering page is far below this.
    expect(slowestAnswerMs).toBeLessThan(2_000);
    await context.close();
  });
});
