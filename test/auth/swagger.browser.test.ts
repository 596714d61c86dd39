/**
 * Swagger UI in a real browser (Chromium through playwright-core): the page loads without
 * credentials, "Try it out" on GET /service gets 401 until the user presses "Authorize" and
 * enters a bearer token, then 200 with the token sent as `Authorization: Bearer`; an operation
 * taking a Flow shows the spec's example Flow; the selector switches to the /tams/v8.2 mount's
 * document, whose "Try it out" calls that mount.
 *
 * Chromium comes from Debian (`apt-get install chromium`; .ci/run installs it). Without it the
 * suite is skipped on a developer machine and fails under CI, where it must run.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { SLOW_TEST_MS, WAIT_MS } from '../helpers/deadlines.ts';
import type { TestServer } from '../helpers/server.ts';
import { ADMIN_TOKEN, startAuthServer } from './auth.fixture.ts';

const available = chromiumAvailable('the Swagger UI browser test');

describe.skipIf(!available)('Swagger UI in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  /** The Authorization header of each API request the page made to /service. */
  const sent: (string | undefined)[] = [];

  beforeAll(async () => {
    server = await startAuthServer({});
    browser = await launchChromium();
    page = await browser.newPage();
    // A step that cannot happen fails with what it waited for, well before the test's timeout.
    page.setDefaultTimeout(WAIT_MS);
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/service') sent.push(request.headers().authorization);
    });
  }, SLOW_TEST_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens GET /service, presses "Try it out" (once) and "Execute"; returns the status shown. */
  async function execute(): Promise<string> {
    const operation = page.locator('.opblock-get').filter({
      has: page.locator('.opblock-summary-path[data-path="/service"]'),
    });
    if (!(await operation.locator('.opblock-body').isVisible())) {
      await operation.locator('.opblock-summary').first().click();
    }
    const tryOut = operation.locator('button.try-out__btn');
    if ((await tryOut.textContent())?.includes('Try it out')) await tryOut.click();
    const before = sent.length;
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/service');
    await operation.locator('button.execute').click();
    const response = await answered;
    expect(sent.length).toBeGreaterThan(before);
    // The previous execution's table can still be on the page when the new answer arrives, so
    // wait until the page shows the status the server just sent, not whatever is there first.
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    const shown = async () => ((await status.textContent({ timeout: WAIT_MS })) ?? '').trim();
    await expect.poll(shown).toMatch(new RegExp(`^${response.status()}\\b`));
    return shown();
  }

  it('loads from the server with no credentials', async () => {
    const response = await page.goto(`${server.url}/docs/`);
    expect(response?.status()).toBe(200);
    await page.locator('.opblock-summary-path[data-path="/service"]').first().waitFor({ timeout: WAIT_MS });
    expect(await page.locator('button.authorize').count()).toBe(1);
  });

  it("shows the spec's example Flow for PUT /flows/{flowId}, not values made up from patterns", async () => {
    const operation = page.locator('.opblock-put').filter({
      has: page.locator('.opblock-summary-path[data-path="/flows/{flowId}"]'),
    });
    await operation.locator('.opblock-summary').first().click();
    const requestBody = operation.locator('.opblock-section-request-body');
    // flow-put.json of TAMS 7.0, the first of the two examples the spec gives.
    await requestBody.getByText('"codec": "audio/aac"').first().waitFor();
    expect(await requestBody.textContent()).toContain('"id": "6101df05-06bb-41b8-8af4-cf7cd33df209"');
    await operation.locator('.opblock-summary').first().click();
  });

  it('gets 401 before authorising', async () => {
    // Swagger UI adds "Undocumented": the spec lists no 401 for the operation.
    expect(await execute()).toMatch(/^401\b/);
    expect(sent.at(-1)).toBeUndefined();
  });

  it('calls the API with the bearer token entered in Authorize', async () => {
    await page.locator('button.authorize').click();
    const dialog = page.locator('.dialog-ux');
    const bearer = dialog
      .locator('form')
      .filter({ has: page.locator('input[aria-label="auth-bearer-value"]') });
    await bearer.locator('input').fill(ADMIN_TOKEN);
    await bearer.locator('button.authorize').click();
    // Authorised, the form shows the value masked and offers "Logout" instead.
    await dialog.locator('button', { hasText: 'Logout' }).first().waitFor();
    await dialog.locator('button.btn-done').first().click();

    // The operation is executed again, from the same expanded panel.
    const status = await execute();
    expect(sent.at(-1)).toBe(`Bearer ${ADMIN_TOKEN}`);
    expect(status).toMatch(/^200\b/);
    const body = await page
      .locator('.live-responses-table tbody .response-col_description .microlight')
      .first()
      .textContent();
    expect(JSON.parse(body ?? '{}')).toMatchObject({ api_version: '7.0' });
  });

  it("switches to the /tams/v8.2 document with the selector, and calls that mount's /service", async () => {
    await page.locator('.topbar select').selectOption({ label: 'TAMS 8.2 at /tams/v8.2' });
    const operation = page.locator('.opblock-get').filter({
      has: page.locator('.opblock-summary-path[data-path="/service"]'),
    });
    await page.locator('.servers select').filter({ hasText: '/tams/v8.2' }).waitFor();
    // Only the mount's own operations: 8.2's (its /service/profiles), no extension (/events).
    await operation.first().waitFor();
    expect(
      await page.locator('.opblock-summary-path[data-path="/service/profiles"]').count(),
    ).toBeGreaterThan(0);
    expect(await page.locator('.opblock-summary-path[data-path="/events"]').count()).toBe(0);
    // The panel may still be open (and in "Try it out") from the 7.0 document's GET /service.
    if (!(await operation.locator('.opblock-body').isVisible())) {
      await operation.locator('.opblock-summary').first().click();
    }
    const tryOut = operation.locator('button.try-out__btn');
    if ((await tryOut.textContent())?.includes('Try it out')) await tryOut.click();
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/tams/v8.2/service');
    await operation.locator('button.execute').click();
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ api_version: '8.2' });
  });
});
