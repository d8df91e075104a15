// A run's failures from where they are counted (issue 23): the failed count in the history and on the run's page
// downloads that run's failed records as CSV, for a VIEWER too; the run's records filter by object; the overview's
// Failures tab retries picked rows after a dry-run count; the overview's records show mode and end time.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { parseCsv } from '../support/csv.js';
import { createPipeline, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';
import { dialog, pickOptions, recordRow, runRow, screenshot, seriousA11yViolations } from './support/console.js';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`test/e2e/run-failures.test.ts: ${skipReason}`);

const WAIT = { timeout: 15_000 };
let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let viewerSecret: string;
let runId: string;
/** The run's failed records: not retryable, so they stay FAILED until an operator retries them. */
const FAILED_IDS = ['acct-1', 'acct-2', 'cont-1', 'cont-2'];

async function seed(): Promise<void> {
  const ingest = await server.clientFor(Role.INGEST);
  const pipeline = await createPipeline(server.admin, { name: 'E2E Failures → CRM' });
  const run = await startRun(ingest, pipeline.id, { mode: 'MANUAL', operationType: 'Push accounts' });
  runId = run.id;
  const failure = (sourceId: string, entityType: string) =>
    recordInput(sourceId, { entityType, status: 'FAILED', retryable: false, errorCode: 'REJECTED', errorMessage: `${sourceId} rejected` });
  await reportRecords(ingest, run.id, [
    failure('acct-1', 'Account'),
    failure('acct-2', 'Account'),
    failure('cont-1', 'Contact'),
    failure('cont-2', 'Contact'),
    recordInput('acct-3'),
    recordInput('cont-3', { entityType: 'Contact' }),
  ]);
  await finishRun(ingest, run.id);
  const { createApiKey } = await server.admin.ok<{ createApiKey: { secret: string } }>(
    'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }',
    { input: { name: 'e2e viewer', role: Role.VIEWER } },
  );
  viewerSecret = createApiKey.secret;
}

const open = (path: string, secret = ADMIN_SECRET) => page.goto(`${server.url}${path}#key=${secret}`);

/** The downloaded CSV's header and rows. */
function csvOf(download: Download, path: string): { header: (string | null)[]; rows: (string | null)[][] } {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  expect(download.suggestedFilename()).toMatch(/^syncwatch-records-.+\.csv$/);
  return { header, rows };
}

async function downloadBy(click: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent('download', WAIT), click()]);
  return csvOf(download, (await download.path()) as string);
}

/** Checks the file holds exactly the run's failed records. */
function expectFailedRecords({ header, rows }: { header: (string | null)[]; rows: (string | null)[][] }) {
  const column = (name: string) => header.indexOf(name);
  expect(rows.map((row) => row[column('source id')]).sort()).toEqual(FAILED_IDS);
  expect(new Set(rows.map((row) => row[column('run id')]))).toEqual(new Set([runId]));
  expect(new Set(rows.map((row) => row[column('status')]))).toEqual(new Set(['FAILED']));
  expect(rows.find((row) => row[column('source id')] === 'cont-2')?.[column('error message')]).toBe('cont-2 rejected');
}

describe.skipIf(skipReason !== null)('a run’s failures in the console', () => {
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
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
  });

  it('a viewer clicks a run’s failed count in the history and gets that run’s failed records as CSV', async () => {
    await open('/runs', viewerSecret);
    await runRow(page, runId).waitFor(WAIT);
    const count = runRow(page, runId).getByRole('button', { name: /download the 4 failed records as CSV/ });
    expect(await count.textContent()).toMatch(/^4:/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expectFailedRecords(await downloadBy(() => count.click()));
  });

  it('on the run’s page, the failed count and "Download failed records" download them; records filter by object', async () => {
    await open(`/runs/${runId}`, viewerSecret);
    await recordRow(page, 'acct-1').waitFor(WAIT);
    expectFailedRecords(await downloadBy(() => page.getByRole('button', { name: 'Download failed records' }).click()));
    await page.getByText('CSV ready: 4 rows').waitFor(WAIT);
    const summaryCount = page.getByTestId('run-counts').getByRole('button', { name: /download the 4 failed records/ });
    expectFailedRecords(await downloadBy(() => summaryCount.click()));

    await pickOptions(page, 'record-object', ['Contact']);
    await page.waitForURL(/object=Contact/, WAIT);
    await recordRow(page, 'acct-1').waitFor({ state: 'detached', ...WAIT });
    const shown = await page.locator('tr.record-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-source-id')));
    expect(shown.sort()).toEqual(['cont-1', 'cont-2', 'cont-3']);
    await screenshot(page, 'run-detail-failures');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('the overview’s records show each record’s sync mode and end time', async () => {
    await open('/overview');
    const table = page.getByRole('table', { name: 'Records of the window' });
    await table.locator('tr.record-row').first().waitFor(WAIT);
    const headers = await table.locator('thead th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['Sync mode', 'End time']));
    expect(await table.locator('tr.record-row[data-source-id="acct-1"]').textContent()).toContain('Manual');
  });

  it('retries picked failures from the Failures tab: the dry-run count in the confirmation, then their new status', async () => {
    await open('/overview?tab=failures');
    const failureRow = (sourceId: string) => page.locator(`tr.failure-row[data-source-id="${sourceId}"]`);
    await failureRow('acct-2').waitFor(WAIT);
    await failureRow('acct-1').getByRole('checkbox', { name: 'Select Account acct-1' }).check();
    await failureRow('cont-2').getByRole('checkbox', { name: 'Select Contact cont-2' }).check();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Retry selected (2)' }).click();
    await dialog(page).waitFor(WAIT);
    expect(await dialog(page).textContent()).toContain('2 record(s) will be queued for another attempt');
    await dialog(page).getByRole('button', { name: 'Retry 2' }).click();
    await page.getByRole('alert').filter({ hasText: '2 record(s) queued for retry' }).waitFor(WAIT);

    const { records } = await server.admin.ok<{ records: { edges: { node: { sourceId: string; status: string } }[] } }>(
      'query($f: RecordFilter) { records(filter: $f) { edges { node { sourceId status } } } }',
      { f: { runIds: [runId] } },
    );
    const statusOf = Object.fromEntries(records.edges.map((e) => [e.node.sourceId, e.node.status]));
    expect(statusOf).toMatchObject({ 'acct-1': 'RETRY_SCHEDULED', 'cont-2': 'RETRY_SCHEDULED', 'acct-2': 'FAILED', 'cont-1': 'FAILED' });
    expect(await page.getByRole('button', { name: 'Retry selected (0)' }).isDisabled()).toBe(true);
  });
});
