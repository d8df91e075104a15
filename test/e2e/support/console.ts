// What the console's browser tests share: axe-core run in the page, screenshots into a git-ignored folder, and
// the console's own landmarks (rows, live indicator, confirmation dialog).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
export const SCREENSHOTS = join(ROOT, 'test', 'e2e', 'screenshots');

export interface A11yViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Violations of serious or critical impact on the page as it is now (axe-core injected into the page). */
export async function seriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  // Page code as text: the tests' tsconfig has no DOM types.
  // Evaluated rather than added as a script tag: the server's Content-Security-Policy allows scripts from its own
  // origin only, and rightly refuses an injected inline one.
  if (!(await page.evaluate("'axe' in window"))) await page.evaluate(readFileSync(AXE, 'utf8'));
  return (await page.evaluate(`(async () => {
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  })()`)) as A11yViolation[];
}

/** A full-page screenshot for people to look at (test/e2e/screenshots/, git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A free TCP port, for a server that must come back on the same address after a restart. */
export { freePort } from '../../../server/db/embedded.js';

export const runRow = (page: Page, runId: string) => page.locator(`tr.run-row[data-run-id="${runId}"]`);
export const recordRow = (page: Page, sourceId: string) => page.locator(`tr.record-row[data-source-id="${sourceId}"]`);
export const liveIndicator = (page: Page) => page.locator('.live-indicator');
export const dialog = (page: Page) => page.locator('.n-dialog');

/** The ids of the run rows shown, top to bottom. */
export const shownRunIds = (page: Page) =>
  page.locator('tr.run-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-run-id')));

/** Picks options of a filter-bar select by their labels (the select's menu opens, the options are clicked). */
export async function pickOptions(page: Page, field: string, labels: string[]): Promise<void> {
  await page.locator(`[data-filter="${field}"]`).click();
  for (const label of labels) await page.locator('.n-base-select-option', { hasText: label }).first().click();
  await page.keyboard.press('Escape');
}
