// A failed session is re-run (issue 23 item 7), in the console: the pipelines page sets how many times a failed run
// is re-run and shows it in the retry policy; a re-run's detail says which re-run of which failed run it is, and
// links to it. And item 8: a status badge names what the seeds call that status.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';
import { recordRow, seriousA11yViolations } from './support/console.js';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`test/e2e/run-reruns.test.ts: ${skipReason}`);

const WAIT = { timeout: 15_000 };
let server: TestServer;
let browser: Browser;
let page: Page;

describe.skipIf(skipReason !== null)('re-runs of failed runs in the console', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    server = await startTestServer({}, { jobs: false });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sets the re-runs on the pipelines page, and links a re-run to the failed run it repeats', async () => {
    const pipeline = await createPipeline(server.admin, { name: 'Rerun Billing → CRM' });
    await page.goto(`${server.url}/pipelines#key=${ADMIN_SECRET}`);
    await page.getByRole('button', { name: `Edit ${pipeline.name}` }).click(WAIT);
    const reruns = page.getByLabel('Re-runs of a failed run');
    await reruns.waitFor(WAIT);
    // The edit dialog is named (axe's aria-dialog-name) and passes axe as a whole.
    expect(await page.getByRole('dialog', { name: 'Edit pipeline' }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await reruns.fill('2');
    await reruns.blur();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('tr.pipeline-row', { hasText: pipeline.name }).filter({ hasText: 'failed runs re-run up to 2 times' }).waitFor(WAIT);
    const { pipeline: saved } = await server.admin.ok<{ pipeline: { retryPolicy: { maxRunReruns: number } } }>(
      'query($id: ID!) { pipeline(id: $id) { retryPolicy { maxRunReruns } } }',
      { id: pipeline.id },
    );
    expect(saved.retryPolicy.maxRunReruns).toBe(2);

    const ingest = await server.clientFor(Role.INGEST);
    const failed = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, failed.id, [recordInput('acct-1', { targetId: 'crm-1' })]);
    await finishRun(ingest, failed.id, { status: 'FAILED', error: 'CRM connection failed' });
    const { runs } = await server.admin.ok<{ runs: { edges: { node: { id: string; rerun: number | null } }[] } }>(
      'query($f: RunFilter) { runs(filter: $f) { edges { node { id rerun } } } }',
      { f: { pipelineIds: [pipeline.id], modes: ['RETRY'] } },
    );
    const rerun = runs.edges[0].node;
    expect(rerun.rerun).toBe(1);

    await page.goto(`${server.url}/runs/${rerun.id}#key=${ADMIN_SECRET}`);
    await page.getByTestId('rerun-of').waitFor(WAIT);
    expect(await page.getByTestId('rerun-of').textContent()).toContain('re-run 1 of the failed run');
    await page.getByRole('link', { name: failed.id.slice(0, 8) }).click();
    await page.waitForURL(`**/runs/${failed.id}`, WAIT);

    // The seeds' names for a status show where their users look: on the status itself (item 8).
    const recordBadge = recordRow(page, 'acct-1').locator('.status-badge');
    await recordBadge.waitFor(WAIT);
    expect(await recordBadge.getAttribute('title')).toContain('"Completed"');
    expect(await page.locator('.status-badge[data-status="FAILED"]').first().getAttribute('title')).toContain('seed 000: "Failure"');
  });
});
