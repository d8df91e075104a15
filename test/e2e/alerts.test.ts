// The alerts console in headless Chromium against the real server: a failure shows in the header within seconds,
// with no reload; acknowledge and mute from the Alerts page; create a rule and a webhook channel, send a test and
// see its delivery; axe-core on the page.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline, finishRun, startRun } from '../support/fixtures.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { type Receiver, startReceiver } from '../support/webhook-receiver.js';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';
import { freePort, liveIndicator, screenshot, seriousA11yViolations } from './support/console.js';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`test/e2e/alerts.test.ts: ${skipReason}`);

const WAIT = { timeout: 15_000 };
let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let receiver: Receiver;

const open = (path: string) => page.goto(`${server.url}${path}#key=${ADMIN_SECRET}`);
const badgeCount = () => page.getByTestId('alert-count').textContent();

describe.skipIf(skipReason !== null)('the alerts console', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    server = await startTestServer({
      PORT: String(await freePort()),
      ALERT_EVALUATION_MS: '500',
      ALERT_DELIVERY_MS: '200',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    receiver = await startReceiver();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.close();
  });
  beforeEach(async () => {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
  });

  it('shows a failure in the header within seconds, without a reload; acknowledge and mute from the page', async () => {
    const pipeline = await createPipeline(server.admin, { name: 'E2E alerts → CRM' });
    await server.admin.ok('mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }', {
      input: { name: 'E2E run failed', condition: 'RUN_FAILED', severity: 'CRITICAL', pipelineIds: [pipeline.id] },
    });
    await open('/runs');
    await liveIndicator(page).and(page.locator('[data-state="live"]')).waitFor(WAIT);
    expect(await badgeCount()).toBe('0');
    const run = await startRun(server.admin, pipeline.id);
    await finishRun(server.admin, run.id, { status: 'FAILED', error: 'CRM down' });
    await expect.poll(badgeCount, WAIT).toBe('1');
    expect(await page.getByTestId('alert-badge').getAttribute('title')).toBe('1 open alert, critical');
    expect(await page.getByRole('link', { name: '1 open alert, critical' }).count()).toBe(1);

    // Each pipeline's open alerts beside its other facts.
    await page.getByRole('link', { name: 'Pipelines' }).click();
    await page.locator('tr.pipeline-row', { hasText: 'E2E alerts → CRM' }).getByTestId('pipeline-alerts').waitFor(WAIT);
    expect(await page.locator('tr.pipeline-row', { hasText: 'E2E alerts → CRM' }).getByTestId('pipeline-alerts').textContent()).toContain(
      '1 open',
    );
    // And beside its health on the overview.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator(`[data-pipeline="${pipeline.id}"]`).getByTestId('pipeline-alerts').waitFor(WAIT);
    expect(await page.locator(`[data-pipeline="${pipeline.id}"]`).getByTestId('pipeline-alerts').textContent()).toContain('1 open');

    await page.getByTestId('alert-badge').click();
    await page.waitForURL(/\/alerts/);
    const row = page.locator('tr.open-alert-row', { hasText: 'E2E alerts → CRM' });
    await row.waitFor(WAIT);
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await row.getByText(/Acknowledged by/).waitFor(WAIT);
    await row.getByRole('button', { name: 'Mute rule 1 h' }).click();
    await page.getByText('muted for an hour').waitFor(WAIT);
    await screenshot(page, 'alerts');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('creates a rule and a webhook channel, sends a test and shows its delivery', async () => {
    await open('/alerts?tab=channels');
    await page.getByPlaceholder('ops webhook').fill('E2E receiver');
    await page.getByPlaceholder('https://…').fill(receiver.url);
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.getByTestId('signing-secret').waitFor(WAIT);
    expect(await page.getByTestId('signing-secret').textContent()).toMatch(/^whsec_/);
    const channelRow = page.locator('tr', { hasText: 'E2E receiver' });
    await channelRow.getByRole('button', { name: 'Send test' }).click();
    await receiver.until(1);
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return page.locator('tr', { hasText: 'alert.test' }).first().textContent();
      }, WAIT)
      .toContain('Delivered');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await open('/alerts?tab=rules');
    await page.getByPlaceholder('CRM sync broke').fill('E2E dead letters');
    await page.getByRole('button', { name: 'Create rule' }).waitFor(WAIT);
    // Default condition: a run fails; its threshold is filled in.
    await page.locator('.n-input-number input').first().fill('2');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.locator('tr', { hasText: 'E2E dead letters' }).waitFor(WAIT);
    const ruleRow = page.locator('tr', { hasText: 'E2E dead letters' });
    expect(await ruleRow.textContent()).toContain('threshold 2');
    await ruleRow.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: /Edit rule/ }).waitFor(WAIT);
    await page.locator('.n-input-number input').first().fill('3');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => page.locator('tr', { hasText: 'E2E dead letters' }).textContent(), WAIT).toContain('threshold 3');
    // The server previews the draft as it evaluates rules, as the form changes: the first test's pipeline has one
    // failed run, so three in a row fire for no pipeline and one for it.
    await expect.poll(() => page.getByTestId('rule-preview').textContent(), WAIT).toBe('Would fire now for no pipeline.');
    await page.locator('.n-input-number input').first().fill('1');
    await expect.poll(() => page.getByTestId('rule-preview').textContent(), WAIT).toContain('Would fire now for: E2E alerts → CRM');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
