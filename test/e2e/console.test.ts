// The built console in headless Chromium against the real server on embedded PostgreSQL, with data reported
// through the API as pipeline workers report it: live history, a server restart, retries, cancel, dead letters,
// keys, filters in the URL, tenants and roles, accessibility and screenshots of every page.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, eventually, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';
import {
  dialog,
  freePort,
  liveIndicator,
  pickOptions,
  recordRow,
  runRow,
  screenshot,
  seriousA11yViolations,
  shownRunIds,
} from './support/console.js';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`test/e2e/console.test.ts: ${skipReason}`);

const WAIT = { timeout: 15_000 };
let server: TestServer;
let port: number;
let databaseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ingest: GraphQLClient;
let viewerSecret: string;
let tenantSecret: string;
const seeded = { acme: '', globex: '', deadLetters: '', failedRun: '', succeededRun: '', deadLetterRun: '' };

async function secretFor(role: Role, tenantId: string | null = null): Promise<string> {
  const { createApiKey } = await server.admin.ok<{ createApiKey: { secret: string } }>(
    'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }',
    { input: { name: `e2e ${role.toLowerCase()} ${tenantId ?? 'all'}`, role, tenantId } },
  );
  return createApiKey.secret;
}

async function seed(): Promise<void> {
  ingest = await server.clientFor(Role.INGEST);
  seeded.acme = (await createPipeline(server.admin, { name: 'E2E Billing → CRM', tenantId: 'acme' })).id;
  seeded.globex = (await createPipeline(server.admin, { name: 'E2E Leads → CRM', tenantId: 'globex' })).id;
  seeded.deadLetters = (
    await createPipeline(server.admin, { name: 'E2E Orders → ERP', tenantId: 'acme', retryPolicy: { maxAttempts: 1 } })
  ).id;

  const failed = await startRun(ingest, seeded.acme, { mode: 'MANUAL', operationType: 'Pull updates', configSnapshot: { batch: 500 } });
  seeded.failedRun = failed.id;
  await reportRecords(
    ingest,
    failed.id,
    Array.from({ length: 12 }, (_, i) => {
      const sourceId = `acct-${String(i).padStart(4, '0')}`;
      // Not retryable: they stay FAILED instead of being taken by an automatic retry while the test looks.
      return i < 4
        ? recordInput(sourceId, {
            operation: 'UPDATE',
            status: 'FAILED',
            retryable: false,
            errorCode: 'INVALID_ACCOUNT',
            errorMessage: `account ${sourceId} is closed`,
          })
        : recordInput(sourceId, { targetId: `crm-${i}` });
    }),
  );
  await finishRun(ingest, failed.id);

  const succeeded = await startRun(ingest, seeded.globex, { mode: 'SCHEDULED', operationType: 'Push leads' });
  seeded.succeededRun = succeeded.id;
  await reportRecords(ingest, succeeded.id, [recordInput('lead-1', { entityType: 'Lead', targetId: 'crm-lead-1' })]);
  await finishRun(ingest, succeeded.id);

  const dead = await startRun(ingest, seeded.deadLetters, { mode: 'REAL_TIME' });
  seeded.deadLetterRun = dead.id;
  await reportRecords(ingest, dead.id, [
    recordInput('order-1', { entityType: 'Order', status: 'FAILED', errorCode: 'TIMEOUT', errorMessage: 'ERP timed out' }),
  ]);
  await finishRun(ingest, dead.id);
  await eventually(async () => {
    const { records } = await server.admin.ok<{ records: { edges: unknown[] } }>(
      'query($f: RecordFilter) { records(filter: $f) { edges { cursor } } }',
      { f: { runIds: [dead.id], statuses: ['DEAD_LETTERED'] } },
    );
    return records.edges.length === 1 ? true : undefined;
  }, 'the dead letter');

  viewerSecret = await secretFor(Role.VIEWER);
  tenantSecret = await secretFor(Role.OPERATOR, 'acme');
}

async function open(path: string, secret = ADMIN_SECRET): Promise<void> {
  await page.goto(`${server.url}${path}#key=${secret}`);
}

async function expectAccessible(name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousA11yViolations(page)).toEqual([]);
}

async function restartServer(): Promise<void> {
  server = await startTestServer({ PORT: String(port) }, { databaseUrl });
}

describe.skipIf(skipReason !== null)('the console', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    port = await freePort();
    server = await startTestServer({ PORT: String(port) });
    databaseUrl = server.databaseUrl;
    await seed();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
  });

  it('signs in from the printed address, keeps the key out of it, and shows the history', async () => {
    await open('/');
    await runRow(page, seeded.failedRun).waitFor(WAIT);
    expect(new URL(page.url()).pathname).toBe('/runs');
    expect(new URL(page.url()).hash).toBe('');
    const cells = (await runRow(page, seeded.failedRun).locator('td').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(cells).toEqual(expect.arrayContaining(['E2E Billing → CRM', 'acme', 'Manual', 'Completed with errors']));
    await liveIndicator(page).and(page.locator('[data-state="live"]')).waitFor(WAIT);
    // An admin sees the actions a viewer does not (the viewer test counts them).
    await page.getByRole('button', { name: 'Trigger sync ▾' }).waitFor(WAIT);
    await expectAccessible('history');

    // The key stays in this browser: a reload without it is still signed in.
    await page.reload();
    await runRow(page, seeded.succeededRun).waitFor(WAIT);
  });

  it('shows a reported run with no reload, and its progress and status change in place', async () => {
    await open('/runs');
    await liveIndicator(page).and(page.locator('[data-state="live"]')).waitFor(WAIT);
    const run = await startRun(ingest, seeded.acme, { mode: 'REAL_TIME', operationType: 'Push changes', expectedTotal: 10 });
    const row = runRow(page, run.id);
    await row.waitFor(WAIT);
    expect((await shownRunIds(page))[0]).toBe(run.id);
    // The same element all along: marked now, still marked after the changes.
    await row.evaluate((tr) => tr.setAttribute('data-seen', 'yes'));

    await reportRecords(ingest, run.id, [recordInput('live-1'), recordInput('live-2'), recordInput('live-3'), recordInput('live-4')]);
    await expect.poll(() => row.locator('[role="progressbar"]').getAttribute('aria-valuenow'), WAIT).toBe('40');
    await finishRun(ingest, run.id);
    await row.and(page.locator('[data-status="SUCCEEDED"]')).waitFor(WAIT);
    expect(await row.getAttribute('data-seen')).toBe('yes');
    expect(await row.locator('.status-badge').textContent()).toBe('Succeeded');
  });

  it('recovers after the server restarts, and shows what happened in between', async () => {
    await open('/runs');
    await liveIndicator(page).and(page.locator('[data-state="live"]')).waitFor(WAIT);

    await server.stop();
    await liveIndicator(page).and(page.locator('[data-state="reconnecting"]')).waitFor(WAIT);
    await restartServer();
    // Reported at once: most likely before the console is back (it waits between attempts), so it comes from the resume.
    const run = await startRun(ingest, seeded.acme, { mode: 'SCHEDULED', operationType: 'While away' });
    await runRow(page, run.id).waitFor(WAIT);
    await liveIndicator(page).and(page.locator('[data-state="live"]')).waitFor(WAIT);
    await finishRun(ingest, run.id);
    await runRow(page, run.id).and(page.locator('[data-status="SUCCEEDED"]')).waitFor(WAIT);
    // Shown once: the resume neither missed nor doubled it.
    expect((await shownRunIds(page)).filter((id) => id === run.id)).toHaveLength(1);
  });

  it('retries two selected failed records: dry-run count in the confirmation, then the message and their status', async () => {
    await open(`/runs/${seeded.failedRun}`);
    await recordRow(page, 'acct-0000').waitFor(WAIT);
    await expectAccessible('run-detail');

    await recordRow(page, 'acct-0000').locator('.row-check').click();
    await recordRow(page, 'acct-0001').locator('.row-check').click();
    await page.getByRole('button', { name: 'Retry selected (2)' }).click();
    await dialog(page).waitFor(WAIT);
    expect(await dialog(page).textContent()).toContain('2 record(s) will be queued for another attempt');
    await dialog(page).getByRole('button', { name: 'Retry 2' }).click();

    await page.getByRole('alert').filter({ hasText: '2 record(s) queued for retry' }).waitFor(WAIT);
    for (const sourceId of ['acct-0000', 'acct-0001']) {
      await recordRow(page, sourceId).and(page.locator('[data-status="RETRY_SCHEDULED"]')).waitFor(WAIT);
    }
    expect(await recordRow(page, 'acct-0002').getAttribute('data-status')).toBe('FAILED');
  });

  it('opens a record: attempt history, retryable flag and details', async () => {
    await open(`/runs/${seeded.failedRun}?rstatus=FAILED`);
    await recordRow(page, 'acct-0003').waitFor(WAIT);
    expect(await page.locator('tr.record-row').count()).toBe(2); // acct-0002 and acct-0003: the other two were retried
    // By keyboard: the source id is a button that opens the record.
    await recordRow(page, 'acct-0003').getByRole('button', { name: 'acct-0003' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('.attempt-row').first().waitFor(WAIT);
    expect(await page.locator('.record-detail').textContent()).toContain('Retryable: no');
    expect(await page.locator('.attempt-row').first().textContent()).toContain('INVALID_ACCOUNT: account acct-0003 is closed');
  });

  it('cancels a running run through the confirmation; the status follows', async () => {
    const run = await startRun(ingest, seeded.acme, { mode: 'MANUAL', operationType: 'To cancel' });
    await open('/runs');
    const row = runRow(page, run.id);
    await row.waitFor(WAIT);
    await row.getByRole('button', { name: /Cancel run/ }).click();
    // The confirmation is a named dialog (axe's aria-dialog-name), focus inside it.
    await dialog(page).waitFor(WAIT);
    await expectAccessible('confirm-cancel');
    await dialog(page).getByRole('button', { name: 'Cancel run', exact: true }).click();
    await row.and(page.locator('[data-status="CANCELLING"]')).waitFor(WAIT);
    // The worker stops and finishes: the console follows without a reload.
    await finishRun(ingest, run.id);
    await row.and(page.locator('[data-status="CANCELLED"]')).waitFor(WAIT);
  });

  it('replays a dead letter', async () => {
    await open('/dead-letters');
    const row = recordRow(page, 'order-1');
    await row.waitFor(WAIT);
    await expectAccessible('dead-letters');
    await row.locator('.row-check').click();
    await page.getByRole('button', { name: 'Replay selected (1)' }).click();
    await dialog(page).getByRole('button', { name: 'Replay', exact: true }).click();
    // The first alert, whatever it says: a failure shows its message here rather than as a timeout.
    const alert = page.getByRole('alert').first();
    await alert.waitFor(WAIT);
    expect(await alert.textContent()).toContain('1 dead letter(s) replayed');
    await row.waitFor({ state: 'detached', ...WAIT });
  });

  it('creates a key, shows its secret once, and revokes it', async () => {
    await open('/keys');
    await page.locator('input[name="key-name"]').fill('e2e created key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('new-secret').textContent();
    expect(secret).toMatch(/\S{16,}/);
    const row = page.locator('tr.key-row', { hasText: 'e2e created key' });
    await row.waitFor(WAIT);
    await expectAccessible('keys');
    expect(
      (await new (server.admin.constructor as typeof GraphQLClient)(server.graphqlUrl, secret).request('{ me { name } }')).status,
    ).toBe(200);

    await row.getByRole('button', { name: 'Revoke e2e created key' }).click();
    await dialog(page).getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Key e2e created key revoked.' }).waitFor(WAIT);
    await row.waitFor({ state: 'detached', ...WAIT });
    const refused = await new (server.admin.constructor as typeof GraphQLClient)(server.graphqlUrl, secret).request('{ me { name } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('keeps the filters in the address: they survive a reload and the back button', async () => {
    await open('/runs');
    await runRow(page, seeded.failedRun).waitFor(WAIT);
    await pickOptions(page, 'statuses', ['Succeeded']);
    await pickOptions(page, 'pipelineIds', ['E2E Leads → CRM']);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => shownRunIds(page), WAIT).toEqual([seeded.succeededRun]);
    const query = new URL(page.url()).searchParams;
    expect(query.getAll('status')).toEqual(['SUCCEEDED']);
    expect(query.getAll('pipeline')).toEqual([seeded.globex]);

    await page.reload();
    await runRow(page, seeded.succeededRun).waitFor(WAIT);
    await expect.poll(() => shownRunIds(page), WAIT).toEqual([seeded.succeededRun]);
    expect(await page.locator('[data-filter="statuses"]').textContent()).toContain('Succeeded');

    await page.goBack();
    await runRow(page, seeded.failedRun).waitFor(WAIT);
    expect(new URL(page.url()).searchParams.has('status')).toBe(false);
  });

  it('offers the objects that occur (facets) and filters runs by one', async () => {
    await open('/runs');
    await runRow(page, seeded.failedRun).waitFor(WAIT);
    await pickOptions(page, 'entityTypes', ['Lead']);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => shownRunIds(page), WAIT).toEqual([seeded.succeededRun]);
    expect(new URL(page.url()).searchParams.getAll('object')).toEqual(['Lead']);
    expect(await runRow(page, seeded.succeededRun).locator('td[data-col="objects"]').textContent()).toBe('Lead');
  });

  it("shows a tenant key only its tenant's runs", async () => {
    await open('/runs', tenantSecret);
    await runRow(page, seeded.failedRun).waitFor(WAIT);
    expect(await runRow(page, seeded.succeededRun).count()).toBe(0);
    const tenants = await page.locator('tr.run-row td[data-col="tenant"]').allTextContents();
    expect(new Set(tenants)).toEqual(new Set(['acme']));
    expect(await page.getByTestId('viewer').textContent()).toContain('tenant acme');
  });

  it('shows a viewer no action buttons', async () => {
    await open('/runs', viewerSecret);
    await runRow(page, seeded.failedRun).waitFor(WAIT);
    // Counted once the role is known and the toolbar is there, or an absent button would prove nothing.
    await page.getByTestId('viewer').filter({ hasText: 'Viewer' }).waitFor(WAIT);
    await page.locator('#sort-label').waitFor(WAIT);
    expect(await page.getByRole('button', { name: /Trigger sync|Cancel/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'API keys' }).count()).toBe(0);

    await open(`/runs/${seeded.failedRun}`, viewerSecret);
    await recordRow(page, 'acct-0004').waitFor(WAIT);
    expect(await page.getByRole('button', { name: /Retry|Cancel run/ }).count()).toBe(0);
    expect(await page.locator('tr.record-row .row-check').count()).toBe(0);

    await open('/dead-letters', viewerSecret);
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor(WAIT);
    expect(await page.getByRole('button', { name: /Replay|Discard/ }).count()).toBe(0);
    await open('/pipelines', viewerSecret);
    await page.locator('tr.pipeline-row').first().waitFor(WAIT);
    expect(await page.getByRole('button', { name: /Trigger sync|Edit|New pipeline/ }).count()).toBe(0);
  });

  it('has no serious accessibility violations on the other pages', async () => {
    for (const [path, name, ready] of [
      ['/logs', 'logs', 'tr.record-row'],
      ['/pipelines', 'pipelines', 'tr.pipeline-row'],
      ['/audit', 'audit', 'tr.audit-row'],
    ] as const) {
      await open(path);
      await page.locator(ready).first().waitFor(WAIT);
      await expectAccessible(name);
    }
    await page.goto(`${server.url}/`);
    await context.clearCookies();
    await page.evaluate('localStorage.clear()');
    await page.reload();
    await page.getByLabel('Key').waitFor(WAIT);
    await expectAccessible('sign-in');
  });

  it('says so when the key is refused, and takes another', async () => {
    await page.goto(`${server.url}/#key=not-a-real-key-0000000000`);
    await page.getByRole('alert').filter({ hasText: 'API key was refused' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Use another key' }).click();
    await page.getByLabel('Key').fill(ADMIN_SECRET);
    await page.getByRole('button', { name: 'Open console' }).click();
    await runRow(page, seeded.failedRun).waitFor(WAIT);
  });
});
