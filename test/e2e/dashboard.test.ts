// The built dashboard in headless Chromium against a real server: runs, the status filter, a run's records.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`test/e2e/dashboard.test.ts: ${skipReason}`);

const FAILED_RECORDS = 7;
const RECORDS_IN_RUN = 60; // more than the dashboard's page of 50, so "Load more" has work to do

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let failedRunId: string;
let succeededRunId: string;

async function seed(): Promise<void> {
  const ingest = await server.clientFor(Role.INGEST);
  const pipelineIds: string[] = [];
  for (const name of ['E2E Billing → CRM', 'E2E Leads → CRM']) {
    const { createPipeline } = await server.admin.ok<{ createPipeline: { id: string } }>(
      'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
      { input: { name, sourceSystem: 'billing', targetSystem: 'crm' } },
    );
    pipelineIds.push(createPipeline.id);
  }
  const startRun = async (pipelineId: string, mode: string, operationType: string) =>
    (
      await ingest.ok<{ startRun: { id: string } }>('mutation($input: StartRunInput!) { startRun(input: $input) { id } }', {
        input: { pipelineId, mode, operationType },
      })
    ).startRun.id;
  const report = (runId: string, records: Record<string, unknown>[]) =>
    ingest.ok('mutation($runId: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $runId, records: $records) { accepted } }', {
      runId,
      records,
    });
  const finish = (runId: string) =>
    ingest.ok<{ finishRun: { status: string } }>('mutation($runId: ID!) { finishRun(runId: $runId) { status } }', { runId });

  failedRunId = await startRun(pipelineIds[0], 'MANUAL', 'Pull updates');
  await report(
    failedRunId,
    Array.from({ length: RECORDS_IN_RUN }, (_, i) => {
      const sourceId = `acct-${String(i).padStart(4, '0')}`;
      return i < FAILED_RECORDS
        ? {
            entityType: 'Account',
            sourceId,
            operation: 'UPDATE',
            status: 'FAILED',
            retryable: false, // stays FAILED instead of waiting for an automatic retry
            errorCode: 'INVALID_ACCOUNT',
            errorMessage: `account ${sourceId} is closed`,
          }
        : { entityType: 'Account', sourceId, targetId: `crm-${i}`, operation: 'CREATE', status: 'SUCCESS' };
    }),
  );
  expect((await finish(failedRunId)).finishRun.status).toBe('COMPLETED_WITH_ERRORS');

  succeededRunId = await startRun(pipelineIds[1], 'SCHEDULED', 'Push leads');
  await report(succeededRunId, [
    { entityType: 'Lead', sourceId: 'lead-1', targetId: 'crm-lead-1', operation: 'CREATE', status: 'SUCCESS' },
  ]);
  expect((await finish(succeededRunId)).finishRun.status).toBe('SUCCEEDED');
}

const runRows = () => page.locator('tr.run-row');
const runRow = (runId: string) => page.locator(`tr.run-row[data-run-id="${runId}"]`);
const shownRunIds = () => runRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-run-id')));
const recordRows = () => page.locator('tr.record-row');
const cellsOf = async (row: Locator) => (await row.locator('td').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());

describe.skipIf(skipReason !== null)('the dashboard', () => {
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
    context = await browser.newContext();
    page = await context.newPage();
  });

  it('opens with the key from the address, lists pipelines and recent runs, and keeps the key out of the address', async () => {
    await page.goto(`${server.url}/#key=${ADMIN_SECRET}`);
    await page.getByRole('button', { name: /E2E Billing → CRM/ }).waitFor();
    await runRow(failedRunId).waitFor();

    // Status, mode, operation, pipeline, started, duration, then records / synced / failed / skipped / pending.
    const cells = await cellsOf(runRow(failedRunId));
    expect(cells.slice(0, 4)).toEqual(['Completed with errors', 'Manual', 'Pull updates', 'E2E Billing → CRM']);
    expect(cells.slice(6)).toEqual([String(RECORDS_IN_RUN), String(RECORDS_IN_RUN - FAILED_RECORDS), String(FAILED_RECORDS), '0', '0']);
    expect((await cellsOf(runRow(succeededRunId)))[0]).toBe('Succeeded');
    expect(new URL(page.url()).hash).toBe('');

    // The key stayed in the browser: a reload without it still shows the runs.
    await page.reload();
    await runRow(failedRunId).waitFor();
  });

  it('filters runs by status', async () => {
    await page.goto(`${server.url}/#key=${ADMIN_SECRET}`);
    await runRow(succeededRunId).waitFor();

    await page.selectOption('select[name="status"]', 'COMPLETED_WITH_ERRORS');
    await expect.poll(shownRunIds, { timeout: 10_000 }).toEqual([failedRunId]);

    await page.selectOption('select[name="status"]', 'SUCCEEDED');
    await expect.poll(shownRunIds, { timeout: 10_000 }).toEqual([succeededRunId]);

    await page.selectOption('select[name="status"]', 'RUNNING');
    await page.getByText('No runs match.').waitFor();
    expect(await runRows().count()).toBe(0);

    await page.selectOption('select[name="status"]', { label: 'All statuses' });
    await expect.poll(shownRunIds, { timeout: 10_000 }).toEqual([succeededRunId, failedRunId]);
  });

  it('narrows runs to a chosen pipeline', async () => {
    await page.goto(`${server.url}/#key=${ADMIN_SECRET}`);
    await runRow(failedRunId).waitFor();

    const leads = page.getByRole('button', { name: /E2E Leads → CRM/ });
    await leads.click();
    await expect.poll(shownRunIds, { timeout: 10_000 }).toEqual([succeededRunId]);
    await leads.click();
    await expect.poll(shownRunIds, { timeout: 10_000 }).toEqual([succeededRunId, failedRunId]);
  });

  it("shows a run's records, a page at a time", async () => {
    await page.goto(`${server.url}/#key=${ADMIN_SECRET}`);
    await runRow(failedRunId).click();

    await recordRows().first().waitFor();
    expect(await recordRows().count()).toBe(50);
    await page.getByRole('button', { name: 'Load more records' }).click();
    await expect.poll(() => recordRows().count(), { timeout: 10_000 }).toBe(RECORDS_IN_RUN);
    expect(await page.getByRole('button', { name: 'Load more records' }).count()).toBe(0);

    const sourceIds = await recordRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-source-id')));
    expect(new Set(sourceIds).size).toBe(RECORDS_IN_RUN);

    // Status, entity type, operation, source id, target id, attempts, error.
    const failed = await cellsOf(page.locator('tr.record-row[data-source-id="acct-0003"]'));
    expect(failed).toEqual(['Failed', 'Account', 'Update', 'acct-0003', '—', '1', 'INVALID_ACCOUNT account acct-0003 is closed']);
    const synced = await cellsOf(page.locator('tr.record-row[data-source-id="acct-0042"]'));
    expect(synced).toEqual(['Success', 'Account', 'Create', 'acct-0042', 'crm-42', '1', '']);
  });

  it('says so when the key is refused, and takes another', async () => {
    await page.goto(`${server.url}/#key=not-a-real-key-0000000000`);
    await page.getByRole('alert').first().waitFor();
    expect(await page.getByRole('alert').first().textContent()).toContain('API key was refused');

    await page.getByRole('button', { name: 'Use another key' }).click();
    await page.getByLabel('Key').fill(ADMIN_SECRET);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await runRow(failedRunId).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});
