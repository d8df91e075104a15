// The history at a fleet's rate, in headless Chromium: a burst of 2,000 run events while the reader is scrolled
// down leaves the page answering, every shown run at its newest state, and the new runs behind a "N new runs" bar
// (nothing moved under the reader); the bar brings them in. How fast is the bench's job (test/bench/live-console).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, eventually, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';
import { shownRunIds } from './support/console.js';

const skipReason = browserSkipReason();
const PAGE_SIZE = 50;
const NEW_RUNS = 200;
/** A new run's events: its start, eight batches and its end. */
const BATCHES = 8;

let server: TestServer;
let browser: Browser;
let page: Page;
let ingest: GraphQLClient;
let pipelineId: string;

/** Runs `task` for each item, `width` at a time. */
async function inParallel<T>(items: T[], width: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

/** A trivial evaluate's round trip: how long the page could not answer. */
async function answerMs(): Promise<number> {
  const started = performance.now();
  await page.evaluate('1');
  return performance.now() - started;
}

describe.skipIf(skipReason !== null)('the live history in a burst', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    // One key reports the whole burst: the per-key and per-address limits are a fleet's.
    server = await startTestServer({ RATE_LIMIT_PER_KEY: '1000000', RATE_LIMIT_PER_ADDRESS: '1000000' });
    ingest = await server.clientFor(Role.INGEST);
    pipelineId = (await createPipeline(server.admin, { name: 'Burst → CRM' })).id;
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('stays responsive through 2,000 run events, shows the newest state of each shown run, and offers the new ones', async () => {
    const running = [];
    for (let i = 0; i < PAGE_SIZE + 10; i++) running.push(await startRun(ingest, pipelineId, { operationType: `Before ${i}` }));
    await page.goto(`${server.url}/runs#key=${ADMIN_SECRET}`);
    await page.locator('.live-indicator[data-state="live"]').waitFor({ timeout: 30_000 });
    await eventually(async () => ((await shownRunIds(page)).length === PAGE_SIZE ? true : undefined), 'the first page');
    const shown = (await shownRunIds(page)) as string[];

    // The reader scrolls down to read: from now on nothing may move under them.
    await page.mouse.wheel(0, 900);
    await eventually(async () => ((await page.evaluate('window.scrollY')) as number) > 500 || undefined, 'the scroll');
    const firstVisible = await page.evaluate(
      `[...document.querySelectorAll('tr.run-row')].find((row) => row.getBoundingClientRect().top > 60)?.getAttribute('data-run-id')`,
    );

    // The burst: every shown run reports a batch and ends; 200 new runs start, report eight batches each and end.
    const shownRuns = running.filter((run) => shown.includes(run.id));
    const newRunIds: string[] = [];
    await inParallel(
      [...shownRuns.map((run) => ({ old: run.id })), ...Array.from({ length: NEW_RUNS }, (_, i) => ({ fresh: i }))],
      16,
      async (job) => {
        if ('old' in job) {
          await reportRecords(ingest, job.old, [recordInput(`old-${job.old}`)]);
          await finishRun(ingest, job.old);
          return;
        }
        const run = await startRun(ingest, pipelineId, { operationType: `Burst ${job.fresh}` });
        newRunIds.push(run.id);
        for (let b = 0; b < BATCHES; b++) await reportRecords(ingest, run.id, [recordInput(`new-${job.fresh}-${b}`)]);
        await finishRun(ingest, run.id);
      },
    );
    const events = shownRuns.length * 2 + NEW_RUNS * (BATCHES + 2);
    expect(events).toBeGreaterThanOrEqual(2_000);

    // Every shown run at its final state, in the place it had; the new runs only counted, behind the bar.
    await eventually(
      async () => {
        const states = (await page
          .locator('tr.run-row')
          .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')))) as string[];
        return states.length === PAGE_SIZE && states.every((status) => status === 'SUCCEEDED') ? true : undefined;
      },
      'every shown run succeeded',
      30_000,
    );
    expect(await shownRunIds(page)).toEqual(shown);
    const bar = page.getByTestId('new-rows');
    await eventually(async () => ((await bar.textContent())?.startsWith(`${NEW_RUNS} new runs`) ? true : undefined), 'the bar');
    expect(
      await page.evaluate(
        `[...document.querySelectorAll('tr.run-row')].find((row) => row.getBoundingClientRect().top > 60)?.getAttribute('data-run-id')`,
      ),
    ).toBe(firstVisible);

    // The page answers as it did before the burst (a frozen one took seconds: the bench holds the figures).
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await answerMs());
    answers.sort((a, b) => a - b);
    expect(answers[2]).toBeLessThan(1_000);

    // More new runs came than a page holds: the bar brings the newest page, from the top.
    await bar.click();
    await eventually(async () => ((await page.evaluate('window.scrollY')) === 0 ? true : undefined), 'back at the top');
    const after = (await shownRunIds(page)) as string[];
    expect(after).toHaveLength(PAGE_SIZE);
    expect(after.every((id) => newRunIds.includes(id))).toBe(true);
    expect(await bar.count()).toBe(0);
    // And what fell off comes back with Load more.
    await page.getByRole('button', { name: 'Load more runs' }).click();
    await eventually(async () => ((await shownRunIds(page)).length > PAGE_SIZE ? true : undefined), 'the next page');
  }, 120_000); // 2,000 events through a real browser: 45 s on a loaded 2-core machine
});
