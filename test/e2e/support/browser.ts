// Headless Debian Chromium through playwright-core, with the flags verified in STACK.md.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null when they can. In CI a missing browser is a failure, never a skip. */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return null;
  return `no Chromium at ${CHROMIUM_PATH}: browser tests skipped (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
