/**
 * Chromium for the browser tests and the UI bench: Debian's package (`apt-get install chromium`;
 * .ci/run installs it) driven by playwright-core, never a downloaded browser (PLATFORM.md).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.TAMS_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Whether Chromium is here; throws under CI, whose .ci/run installs it. */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing: CI must install chromium (apt-get install chromium)`);
  console.warn(`${CHROMIUM} not found: ${suite} skipped (apt-get install chromium)`);
  return false;
}

/** The browser flags of PLATFORM.md (no sandbox, no GPU, nothing fetched from elsewhere). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
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
