// The health views in headless Chromium against the real server on embedded PostgreSQL, with data of known shape
// reported through the API: 4 records the week before, 10 this week (3 days ago and now, 3 of them failed with two
// error codes). Cards against the API's numbers, the interval switch, the chart and its bucket narrowing, error
// groups resolved then regressed live, a CSV download against the records query, axe-core and screenshots.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeChange, formatCount, formatLatency, formatRate } from '../../client/src/support/health.js';
import { Role } from '../../server/domain/enums.js';
import { allRecords, createPipeline, eventually, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';
import { screenshot, seriousA11yViolations } from './support/console.js';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`test/e2e/health.test.ts: ${skipReason}`);

const WAIT = { timeout: 15_000 };
const DAY = 86_400_000;
let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ingest: GraphQLClient;
let pipelineId = '';
const RATE_LIMIT_MESSAGE = 'rate limit exceeded for the CRM API';

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

async function reportedRun(startedMsAgo: number, records: ReturnType<typeof recordInput>[]): Promise<string> {
  const run = await startRun(ingest, pipelineId, { mode: 'SCHEDULED', operationType: 'Push accounts', startedAt: iso(startedMsAgo) });
  await reportRecords(ingest, run.id, records);
  await finishRun(ingest, run.id);
  return run.id;
}

async function seed(): Promise<void> {
  ingest = await server.clientFor(Role.INGEST);
  pipelineId = (await createPipeline(server.admin, { name: 'Health Billing → CRM', tenantId: 'acme' })).id;
  const at = (msAgo: number, i: number) => ({ startedAt: iso(msAgo - i * 1000), endedAt: iso(msAgo - i * 1000 - 200) });
  // The week before: 4 successes.
  await reportedRun(
    9 * DAY,
    Array.from({ length: 4 }, (_, i) => recordInput(`prev-${i}`, { ...at(9 * DAY, i), latencyMs: 100, targetId: `t-${i}` })),
  );
  // Three days ago: 4 successes, 2 rate-limited failures (not retryable: they stay FAILED while the test looks).
  await reportedRun(
    3 * DAY,
    Array.from({ length: 6 }, (_, i) =>
      i < 4
        ? recordInput(`old-${i}`, { ...at(3 * DAY, i), latencyMs: 300, targetId: `t-old-${i}` })
        : recordInput(`old-${i}`, {
            ...at(3 * DAY, i),
            latencyMs: 900,
            status: 'FAILED',
            retryable: false,
            errorCode: 'RATE_LIMIT',
            errorMessage: RATE_LIMIT_MESSAGE,
          }),
    ),
  );
  // Now: 3 successes (Contacts), 1 invalid account.
  await reportedRun(
    60_000,
    Array.from({ length: 4 }, (_, i) =>
      i < 3
        ? recordInput(`new-${i}`, { ...at(60_000, i), entityType: 'Contact', operation: 'UPDATE', latencyMs: 500, targetId: `t-new-${i}` })
        : recordInput(`new-${i}`, {
            ...at(60_000, i),
            latencyMs: 700,
            status: 'FAILED',
            retryable: false,
            errorCode: 'INVALID_ACCOUNT',
            errorMessage: 'account 42 is closed',
          }),
    ),
  );
  await eventually(async () => {
    const { syncSummary } = await server.admin.ok<{ syncSummary: { totalSynced: { value: number; previous: number } } }>(
      '{ syncSummary { totalSynced { value previous } } }',
    );
    return syncSummary.totalSynced.value === 10 && syncSummary.totalSynced.previous === 4 ? true : undefined;
  }, 'the summary counting the seeded records');
}

async function open(path: string): Promise<void> {
  await page.goto(`${server.url}${path}#key=${ADMIN_SECRET}`);
}

async function expectAccessible(name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousA11yViolations(page)).toEqual([]);
}

const cardValue = (key: string) => page.locator(`[data-card="${key}"] .card-value`);
const cardChange = (key: string) => page.locator(`[data-card="${key}"] .change-text`);
/** The interval radios marked as checked, by the input and by naive-ui's own checked class alike. */
const checkedIntervals = () =>
  page
    .locator('[data-interval]')
    .evaluateAll((buttons) =>
      buttons
        .filter((b) => b.querySelector<HTMLInputElement>('input')?.checked || b.classList.contains('n-radio-button--checked'))
        .map((b) => b.getAttribute('data-interval')),
    );
const recordRows = () => page.locator('tr.record-row');
const shownSourceIds = async () =>
  (await recordRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-source-id')))).sort() as string[];

interface Metric {
  value: number;
  previous: number | null;
  changePercent: number | null;
}

describe.skipIf(skipReason !== null)('the health views', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    server = await startTestServer();
    await seed();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    page = await context.newPage();
  });

  it('opens on the last 7 days and shows the numbers the API gives, with the change in percent', async () => {
    await open('/overview');
    await cardValue('total').waitFor(WAIT);
    expect(new URL(page.url()).searchParams.get('tf')).toBe('7d');
    const { syncSummary } = await server.admin.ok<{
      syncSummary: {
        totalSynced: Metric;
        totalErrors: Metric;
        errorRate: Metric;
        medianLatencyMs: Metric;
        byStatus: { status: string; count: number }[];
      };
    }>(
      `{ syncSummary { totalSynced { value previous changePercent } totalErrors { value previous changePercent }
        errorRate { value previous changePercent } medianLatencyMs { value previous changePercent } byStatus { status count } } }`,
    );
    expect(await cardValue('total').textContent()).toBe(formatCount(syncSummary.totalSynced.value));
    expect(await cardValue('errors').textContent()).toBe(formatCount(syncSummary.totalErrors.value));
    expect(await cardValue('rate').textContent()).toBe(formatRate(syncSummary.errorRate.value));
    expect(await cardValue('latency').textContent()).toBe(formatLatency(syncSummary.medianLatencyMs.value));
    expect(await cardChange('total').textContent()).toBe(describeChange(syncSummary.totalSynced, true).text);
    expect(await cardChange('latency').textContent()).toBe(describeChange(syncSummary.medianLatencyMs, false).text);
    // The known shape: 10 records against 4 the week before, 3 failures against none.
    expect(await cardValue('total').textContent()).toBe('10');
    expect(await cardChange('total').textContent()).toBe('+150.0 %');
    expect(await page.locator('[data-card="total"] .card-change').getAttribute('data-direction')).toBe('up');
    expect(await cardValue('errors').textContent()).toBe('3');
    expect(await cardChange('errors').textContent()).toBe('—');
    expect(await cardValue('rate').textContent()).toBe('30.0 %');
    // Seed 003's status cards.
    expect(await cardValue('status-total').textContent()).toBe('10');
    expect(await cardValue('status-success').textContent()).toBe('7');
    expect(await cardValue('status-failed').textContent()).toBe('3');
    expect(await cardValue('status-rate').textContent()).toBe('70.0 %');
    // Pipeline health at a glance: the last run had a failure but finished, so it is not FAILING.
    const health = page.locator(`[data-pipeline="${pipelineId}"]`);
    await health.waitFor(WAIT);
    expect(await health.getAttribute('data-health')).toMatch(/HEALTHY|DEGRADED/);
    expect((await health.locator('.health-reason').textContent())?.length).toBeGreaterThan(3);
    await page.locator('.trend canvas').first().waitFor(WAIT);
    await expectAccessible('health-overview');
  });

  it('enables only the intervals allowedIntervals allows: Day alone for 7 days, Hour too for 24 hours', async () => {
    await open('/overview?tf=7d');
    const radio = (interval: string) => page.locator(`input[type="radio"][value="${interval}"]`);
    await page.locator('.trend[data-buckets="8"]').waitFor(WAIT);
    expect(await radio('DAY').isDisabled()).toBe(false);
    expect(await radio('HOUR').isDisabled()).toBe(true);
    expect(await radio('MINUTE').isDisabled()).toBe(true);
    await open('/overview?tf=24h');
    await page.locator('.trend[data-buckets="25"]').waitFor(WAIT);
    expect(await radio('HOUR').isDisabled()).toBe(false);
    expect(await radio('MINUTE').isDisabled()).toBe(true);
    await open('/overview?tf=1h');
    await page.locator('.trend[data-buckets="61"]').waitFor(WAIT);
    expect(await radio('MINUTE').isDisabled()).toBe(false);
    // The chosen interval is kept in the address.
    await open('/overview?tf=24h&interval=DAY');
    await page.locator('.trend[data-buckets="2"]').waitFor(WAIT);
    await page.locator('[data-interval="HOUR"]').click();
    await page.locator('.trend[data-buckets="25"]').waitFor(WAIT);
    expect(new URL(page.url()).searchParams.get('interval')).toBe('HOUR');
    expect(await checkedIntervals()).toEqual(['HOUR']);
  });

  it('marks exactly one interval, the one the chart shows, even when the address asks for one the window does not allow', async () => {
    // 7 days with interval=HOUR in the address: the chart shows days, so Day is marked, not Hour.
    await open('/overview?tf=7d&interval=HOUR');
    await page.locator('.trend[data-buckets="8"]').waitFor(WAIT);
    expect(await checkedIntervals()).toEqual(['DAY']);
    await open('/overview?tf=24h');
    await page.locator('.trend[data-buckets="25"]').waitFor(WAIT);
    expect(await checkedIntervals()).toEqual(['HOUR']);
  });

  it('draws the chart; clicking a bar narrows the records to its bucket, and Clear restores them', async () => {
    await open('/overview?tf=7d');
    const trend = page.locator('.trend[data-buckets="8"][data-loading="false"]');
    await trend.waitFor(WAIT);
    await recordRows().first().waitFor(WAIT);
    await page.locator('tr.record-row[data-source-id="new-0"]').waitFor(WAIT);
    const everything = await shownSourceIds();
    expect(everything).toHaveLength(10);
    // The canvas holds drawn pixels (bars, axes).
    const drawn = (await page.evaluate(`(() => {
      const canvas = document.querySelector('.trend canvas');
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    })()`)) as number;
    expect(drawn).toBeGreaterThan(1000);

    // The bucket of three days ago: its bar's middle, from the chart's fixed margins (TrendChart's GRID).
    const { syncTimeseries } = await server.admin.ok<{ syncTimeseries: { start: string; end: string; total: number }[] }>(
      'query($range: DateRange!) { syncTimeseries(interval: DAY, range: $range) { start end total } }',
      { range: { from: iso(7 * DAY) } },
    );
    const index = syncTimeseries.findIndex((b) => b.total === 6);
    expect(index).toBeGreaterThanOrEqual(0);
    const box = (await trend.locator('canvas').first().boundingBox())!;
    const plotWidth = box.width - 56 - 16;
    await page.mouse.click(box.x + 56 + ((index + 0.5) * plotWidth) / syncTimeseries.length, box.y + box.height - 28 - 4);
    await page.locator(`[data-testid="bucket-narrowed"][data-bucket="${syncTimeseries[index].start}"]`).waitFor(WAIT);
    await page.locator('tr.record-row[data-source-id="new-0"]').waitFor({ state: 'detached', ...WAIT });
    expect(await shownSourceIds()).toEqual(['old-0', 'old-1', 'old-2', 'old-3', 'old-4', 'old-5']);
    await screenshot(page, 'health-bucket');
    // The bucket is kept in the address (an ISO 8601 interval): a reload shows the same narrowed records.
    const bucket = syncTimeseries[index];
    expect(new URL(page.url()).searchParams.get('bucket')).toBe(`${bucket.start}/${bucket.end}`);
    await page.reload();
    await page.locator(`[data-testid="bucket-narrowed"][data-bucket="${bucket.start}"]`).waitFor(WAIT);
    await page.locator('tr.record-row[data-source-id="old-0"]').waitFor(WAIT);
    expect(await shownSourceIds()).toEqual(['old-0', 'old-1', 'old-2', 'old-3', 'old-4', 'old-5']);

    await page.locator('[data-testid="bucket-narrowed"]').getByRole('button', { name: 'Clear' }).click();
    await page.locator('tr.record-row[data-source-id="new-0"]').waitFor(WAIT);
    expect(await shownSourceIds()).toEqual(everything);
    expect(new URL(page.url()).searchParams.has('bucket')).toBe(false);
  });

  it('resolves an error group, and shows it regressed, first, when a new failure arrives (live)', async () => {
    await open('/overview?tf=7d&tab=failures');
    const groups = page.locator('tr.group-row');
    await groups.nth(1).waitFor(WAIT);
    expect(await groups.count()).toBe(2);
    await page.locator('tr.failure-row').nth(2).waitFor(WAIT);
    expect(await page.locator('tr.failure-row').count()).toBe(3);
    // A failure's details show the full message.
    await page
      .locator('tr.failure-row[data-source-id="old-4"]')
      .getByRole('button', { name: /Details/ })
      .click();
    await page.locator('tr.details-row').first().waitFor(WAIT);
    await page.getByText(RATE_LIMIT_MESSAGE).first().waitFor(WAIT);
    await expectAccessible('health-failures');

    const rateLimit = groups.filter({ hasText: 'RATE_LIMIT' });
    expect(await rateLimit.getAttribute('data-state')).toBe('OPEN');
    await rateLimit.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('textarea[name="note"]').fill('limits raised with the CRM vendor');
    await page.locator('.n-dialog').getByRole('button', { name: 'Resolve' }).click();
    await page.locator('tr.group-row[data-state="RESOLVED"]').filter({ hasText: 'RATE_LIMIT' }).waitFor(WAIT);

    // A new failure with the same fingerprint, reported while the page is open.
    await reportedRun(5_000, [
      recordInput('late-1', {
        status: 'FAILED',
        retryable: false,
        errorCode: 'RATE_LIMIT',
        errorMessage: RATE_LIMIT_MESSAGE,
        latencyMs: 800,
      }),
    ]);
    await page.locator('tr.group-row[data-state="REGRESSED"]').filter({ hasText: 'RATE_LIMIT' }).waitFor(WAIT);
    expect(await groups.first().getAttribute('data-state')).toBe('REGRESSED');
    await page.locator('tr.failure-row[data-source-id="late-1"]').waitFor(WAIT);
    // The cards follow the finished run too, without a reload.
    await page.locator('[data-card="total"] .card-value', { hasText: /^11$/ }).waitFor(WAIT);
    await screenshot(page, 'health-regressed');

    // Per group: its records only.
    await groups
      .filter({ hasText: 'INVALID_ACCOUNT' })
      .getByRole('button', { name: /View records/ })
      .click();
    await page.locator('[data-testid="group-narrowed"]').waitFor(WAIT);
    await page.locator('tr.failure-row[data-source-id="late-1"]').waitFor({ state: 'detached', ...WAIT });
    expect(await page.locator('tr.failure-row').count()).toBe(1);
    expect(await page.locator('tr.failure-row').getAttribute('data-source-id')).toBe('new-3');
  });

  it('downloads the whole filtered result as CSV: exactly the rows the records query lists', async () => {
    await open('/overview?tf=7d&object=Account');
    await page.locator('tr.record-row').first().waitFor(WAIT);
    const expected = await allRecords(server.admin, { entityTypes: ['Account'], startedAt: { from: iso(7 * DAY + 60_000) } });
    const [download] = await Promise.all([
      page.waitForEvent('download', WAIT),
      page.locator('[data-export="records"] button').first().click(),
    ]);
    await page.locator('[data-export="records"][data-export-state="READY"]').first().waitFor(WAIT);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    const header = lines[0].split(',');
    const sourceColumn = header.indexOf('source id');
    expect(sourceColumn).toBeGreaterThanOrEqual(0);
    const downloaded = lines.slice(1).map((line) => line.split(',')[sourceColumn]);
    expect(downloaded.sort()).toEqual(expected.map((r) => (r as { sourceId: string }).sourceId).sort());
    expect(downloaded).not.toContain('new-0');
    expect(downloaded.length).toBeGreaterThan(0);
  });

  it('lists performance per object, operation and mode, sortable, and passes axe-core', async () => {
    await open('/overview?tf=7d&tab=performance');
    const rows = page.locator('tr.perf-row');
    await rows.first().waitFor(WAIT);
    const first = await rows.first().locator('td').allTextContents();
    expect(first.slice(0, 3)).toEqual(['Account', 'Create', 'Scheduled']);
    // Sortable: p99 brings the faster Contact updates on top in one of its orders (records synced puts Account first).
    const firstObject = async () => (await rows.first().locator('td').first().textContent())?.trim();
    let clicks = 0;
    while ((await firstObject()) !== 'Contact' && clicks < 3) {
      await page.locator('th', { hasText: 'p99' }).click();
      clicks++;
    }
    expect(await firstObject()).toBe('Contact');
    await screenshot(page, 'health-performance');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
