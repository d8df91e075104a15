// Sync logs' cards and page size, the overview's runs toggle, the column chooser and tables that fit 1280 px, in
// headless Chromium against the real server on embedded PostgreSQL. The data has long words on purpose (pipeline
// names, error codes, tenants, correlation ids) so that a table that breaks a word mid-word, or overflows, shows it.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, eventually, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';
import { pickOptions, screenshot, seriousA11yViolations } from './support/console.js';
import { actionsOutOfView, overflowingTables, wordsBrokenAcrossLines } from './support/layout.js';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`test/e2e/tables.test.ts: ${skipReason}`);

const WAIT = { timeout: 15_000 };
let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ingest: GraphQLClient;
const seeded = { subscriptions: '', invoices: '', bigRun: '', correlationId: 'corr-subscription-renewals-2026-12-07' };

async function seed(): Promise<void> {
  ingest = await server.clientFor(Role.INGEST);
  seeded.subscriptions = (await createPipeline(server.admin, { name: 'Subscription billing → CRM', tenantId: 'tenant-enterprise-eu' })).id;
  seeded.invoices = (await createPipeline(server.admin, { name: 'Invoices → ERP', tenantId: null })).id;
  // 120 records of one run, 30 of them failed with a long error code: more than a page of 100.
  const big = await startRun(ingest, seeded.subscriptions, {
    mode: 'SCHEDULED',
    operationType: 'Push subscriptions',
    correlationId: seeded.correlationId,
  });
  seeded.bigRun = big.id;
  await reportRecords(
    ingest,
    big.id,
    Array.from({ length: 120 }, (_, i) =>
      i < 30
        ? recordInput(`sub-${String(i).padStart(4, '0')}`, {
            entityType: 'Subscription',
            status: 'FAILED',
            retryable: false,
            errorCode: 'VALIDATION_FAILED',
            errorMessage: `Subscription ${i} has no billing contact`,
          })
        : recordInput(`sub-${String(i).padStart(4, '0')}`, { entityType: i % 2 ? 'Subscription' : 'Account', targetId: `crm-${i}` }),
    ),
  );
  await finishRun(ingest, big.id); // COMPLETED_WITH_ERRORS
  const ok = await startRun(ingest, seeded.invoices, { mode: 'MANUAL', operationType: 'Push invoices' });
  await reportRecords(ingest, ok.id, [recordInput('inv-1', { entityType: 'Invoice', targetId: 'erp-1' })]);
  await finishRun(ingest, ok.id); // SUCCEEDED
  await server.admin.ok('mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }', {
    // A rule named like a code: long tokens broke mid-word in the alerts table at 1280 px (UNABLE_TO_LOCK_ / ROW).
    input: {
      name: 'INVOICE_SYNCHRONISATION_FAILURES_CRITICAL',
      condition: 'RUN_FAILED',
      severity: 'CRITICAL',
      pipelineIds: [seeded.invoices],
    },
  });
  const failed = await startRun(ingest, seeded.invoices, { mode: 'MANUAL', operationType: 'Push invoices' });
  await finishRun(ingest, failed.id, { status: 'FAILED', error: 'ERP unreachable' });
  // A dead letter with a long error code (one attempt allowed), for the dead letters page.
  // Its non-retryable codes are long words: they broke mid-word in the pipelines' retry policy at 1280 px.
  const orders = (
    await createPipeline(server.admin, {
      name: 'Orders → ERP',
      retryPolicy: { maxAttempts: 1, nonRetryableErrorCodes: ['REQUIRED_FIELD_MISSING', 'INVALID_ACCOUNT_REFERENCE'] },
    })
  ).id;
  const dead = await startRun(ingest, orders, { mode: 'REAL_TIME' });
  await reportRecords(ingest, dead.id, [
    recordInput('order-1', { entityType: 'Order', status: 'FAILED', errorCode: 'UPSTREAM_VALIDATION_FAILED', errorMessage: 'ERP said no' }),
  ]);
  await finishRun(ingest, dead.id);
  // Left running: its Cancel button must stay in view.
  await startRun(ingest, seeded.invoices, { mode: 'REAL_TIME', operationType: 'Push invoices' });
  await eventually(async () => {
    const { syncSummary } = await server.admin.ok<{ syncSummary: { totalSynced: { value: number } } }>(
      '{ syncSummary { totalSynced { value } } }',
    );
    return syncSummary.totalSynced.value === 122 ? true : undefined;
  }, 'the summary counting the seeded records');
}

async function open(path: string): Promise<void> {
  await page.goto(`${server.url}${path}#key=${ADMIN_SECRET}`);
}

const cardValue = (key: string) => page.locator(`[data-card="${key}"] .card-value`);

describe.skipIf(skipReason !== null)('tables and cards', () => {
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
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  it('sync logs: status cards count every record the filters select, 100 rows a page by default, the correlation id in each row', async () => {
    await open('/logs');
    await page.locator('tr.record-row').first().waitFor(WAIT);
    await cardValue('status-total').waitFor(WAIT);
    // All 122 records, not just the 100 loaded: the counts come from the server.
    expect(await cardValue('status-total').textContent()).toBe('122');
    expect(await cardValue('status-success').textContent()).toBe('91');
    expect(await cardValue('status-failed').textContent()).toBe('31');
    expect(await cardValue('status-rate').textContent()).toBe('74.6 %');
    expect(await page.locator('tr.record-row').count()).toBe(100);
    const row = page.locator('tr.record-row[data-source-id^="sub-"]').first();
    expect(await row.textContent()).toContain(seeded.correlationId.slice(0, 10));
    expect(await row.locator(`td[title="${seeded.correlationId}"]`).count()).toBe(1);
    // The cards follow the filters: one pipeline.
    await open(`/logs?pipeline=${seeded.invoices}`);
    await page.locator('tr.record-row[data-source-id="inv-1"]').waitFor(WAIT);
    await page.waitForFunction(() => document.querySelector('[data-card="status-total"] .card-value')?.textContent === '1', null, WAIT);
    // The object list narrows as soon as a pipeline is picked, before Apply (seed 003).
    await open('/logs');
    await page.locator('tr.record-row').first().waitFor(WAIT);
    await page.locator('[data-filter="entityTypes"]').click();
    await page.locator('.n-base-select-option', { hasText: 'Subscription' }).first().waitFor(WAIT);
    await page.keyboard.press('Escape');
    await pickOptions(page, 'pipelineIds', ['Invoices → ERP']);
    // naive-ui keeps a closed menu in the page, hidden: only the open one's options are visible.
    await page.locator('.n-base-select-option', { hasText: 'Orders → ERP' }).waitFor({ state: 'hidden', ...WAIT });
    await page.locator('[data-filter="entityTypes"]').click();
    await page.locator('.n-base-select-option:visible', { hasText: 'Invoice' }).first().waitFor(WAIT);
    expect(await page.locator('.n-base-select-option:visible').allTextContents()).toEqual(['Invoice']);
    await page.keyboard.press('Escape');
    expect(new URL(page.url()).searchParams.get('pipeline')).toBeNull();
    // Another page size, kept in the address.
    await open('/logs');
    await page.locator('tr.record-row').first().waitFor(WAIT);
    await page.locator('[data-testid="page-size"]').click();
    await page.locator('.n-base-select-option', { hasText: '50 a page' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tr.record-row').length === 50, null, WAIT);
    expect(new URL(page.url()).searchParams.get('size')).toBe('50');
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('tr.record-row').length === 50, null, WAIT);
    await screenshot(page, 'logs-1280');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('overview: the status cards count runs as well as records, with the same filters', async () => {
    await open('/overview?tf=7d');
    await cardValue('status-total').waitFor(WAIT);
    expect(await cardValue('status-total').textContent()).toBe('122');
    await page.locator('[data-count-of="runs"]').click();
    await page.waitForFunction(() => document.querySelector('[data-card="status-total"] .card-value')?.textContent === '5', null, WAIT);
    expect(new URL(page.url()).searchParams.get('count')).toBe('runs');
    expect(await cardValue('status-success').textContent()).toBe('1');
    expect(await cardValue('status-partial').textContent()).toBe('2');
    expect(await cardValue('status-failed').textContent()).toBe('1');
    expect(await cardValue('status-rate').textContent()).toBe('60.0 %');
    // The same filters: one pipeline's runs.
    await open(`/overview?tf=7d&count=runs&pipeline=${seeded.invoices}`);
    await page.waitForFunction(() => document.querySelector('[data-card="status-total"] .card-value')?.textContent === '3', null, WAIT);
    expect(await cardValue('status-partial').textContent()).toBe('0');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('the history: a column chooser remembered across a reload, compact object lists, the Cancel button in view', async () => {
    await open('/runs');
    await page.locator('tr.run-row').first().waitFor(WAIT);
    const headers = () => page.locator('.runs-table thead th').allTextContents();
    expect(await headers()).toContain('Duration');
    expect(await headers()).not.toContain('Ended');
    // Objects: "Account +1", the whole list on hover.
    const objects = page.locator('tr.run-row td.objects .cut').filter({ hasText: '+1' });
    expect(await objects.getAttribute('title')).toBe('Account, Subscription');
    await page.getByRole('button', { name: 'Choose the columns of the history' }).click();
    await page.getByRole('checkbox', { name: 'Ended' }).check();
    await page.getByRole('checkbox', { name: 'Tenant' }).uncheck();
    await page.keyboard.press('Escape');
    expect(await headers()).toContain('Ended');
    expect(await headers()).not.toContain('Tenant');
    await page.reload();
    await page.locator('tr.run-row').first().waitFor(WAIT);
    expect(await headers()).toContain('Ended');
    expect(await headers()).not.toContain('Tenant');
    expect(await page.locator('tr.run-row').first().locator('td').count()).toBe((await headers()).length);
    // The running run's Cancel button is in view, and the table fits.
    const cancel = page.getByRole('button', { name: /^Cancel run / });
    const box = await cancel.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(1280);
    expect(await overflowingTables(page)).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('at 1280 px: no word broken mid-word, every table fits its box, row actions in view, on every page', async () => {
    const pages: [string, string][] = [
      ['/runs', 'tr.run-row'],
      [`/runs/${seeded.bigRun}`, 'tr.record-row'],
      ['/overview?tf=7d', 'tr.record-row'],
      ['/overview?tf=7d&tab=failures', '.failures-table tbody tr, table tbody tr'],
      ['/overview?tf=7d&tab=performance', 'table tbody tr'],
      ['/logs', 'tr.record-row'],
      ['/dead-letters', 'tr.record-row'],
      ['/pipelines', 'tr.pipeline-row'],
      ['/alerts', 'tr:has-text("Firing")'],
      ['/alerts?tab=rules', 'table tbody tr'],
      ['/alerts?tab=channels', 'h1'],
      ['/audit', 'tr.audit-row'],
      ['/keys', 'table tbody tr'],
    ];
    const problems: string[] = [];
    for (const [path, ready] of pages) {
      await open(path);
      await page.locator(ready).first().waitFor(WAIT);
      await page.waitForTimeout(300); // late cells (counts, badges) in
      await screenshot(page, `1280${path.replace(/[/?&=]/g, '-')}`);
      for (const problem of [
        ...(await wordsBrokenAcrossLines(page)),
        ...(await overflowingTables(page)),
        ...(await actionsOutOfView(page)),
      ]) {
        problems.push(`${path}: ${problem}`);
      }
    }
    if (problems.length) console.error(`LAYOUT\n${problems.join('\n')}`);
    expect(problems).toEqual([]);
  });
});
