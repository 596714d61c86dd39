/**
 * Tabs of the web UI's browser tests: each a new browser context (its own sessionStorage), whose
 * uncaught errors, and what Chromium refused the page (Content Security Policy), are collected so
 * that the test that caused them fails.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import { WAIT_MS } from '../helpers/deadlines.ts';

export const LAPTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

export interface Tab {
  context: BrowserContext;
  page: Page;
}

/** A list for pages' errors, checked empty after each test of the describe block it is made in. */
export function pageErrorsChecked(): string[] {
  const errors: string[] = [];
  afterEach(() => {
    expect(errors.splice(0)).toEqual([]);
  });
  return errors;
}

/** Records `page`'s errors in `errors`, and gives its waits the tests' deadline. */
export function watchErrors(page: Page, errors: string[]): void {
  page.setDefaultTimeout(WAIT_MS);
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Uncaught/.test(message.text())) {
      errors.push(`console: ${message.text()}`);
    }
  });
}

/** A new tab whose errors go to `errors` (a laptop's screen unless options say otherwise). */
export async function newTab(
  browser: Browser,
  errors: string[],
  options: BrowserContextOptions = {},
): Promise<Tab> {
  const context = await browser.newContext({ viewport: LAPTOP, ...options });
  const page = await context.newPage();
  watchErrors(page, errors);
  return { context, page };
}

/**
 * Signs `page` in at `${url}/ui/` with a pasted token. Waits until the header offers to sign
 * out, or with `sources`, until the Sources list (the first page) shows a row.
 */
export async function signIn(page: Page, url: string, token: string, until?: 'sources'): Promise<void> {
  await page.goto(`${url}/ui/`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (until === 'sources') await page.locator('table[data-testid="sources"] tbody tr').first().waitFor();
  else await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
