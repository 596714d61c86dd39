/**
 * Client-supplied URLs in the web UI (issue 60): a segment's `get_urls` and an object's
 * uncontrolled instances are URLs any writer chose, so the UI never requests one by itself.
 * A Flow's segments are planted with URLs of a tiny HTTP server of the test's own that counts
 * the requests it gets, beside a `javascript:` URL written straight into the store (as a row
 * from before http(s) was required would be). Every page that shows segments or their URLs is
 * opened (the Flow page with its player and timeline, a segment's row opened on its URLs, the
 * object's page) and the planted server must have had no request at all; the URLs are shown
 * as links to click (`noopener noreferrer`), the `javascript:` one as refused text.
 * Screenshot: .tmp/ui-screenshots/urls-refused.png.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { newTab, pageErrorsChecked, signIn } from './ui.tabs.ts';

const available = chromiumAvailable('web UI client URL browser tests');
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const EVIL = 'javascript:alert(1)';

/** An HTTP server that answers anything (CORS open, a body of bytes) and counts what it got. */
async function countingServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': '*',
      'access-control-expose-headers': '*',
      'content-type': 'video/mp2t',
      'content-length': '188',
    });
    res.end(req.method === 'HEAD' ? undefined : Buffer.alloc(188, 0x47));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

describe.skipIf(!available)('client-supplied URLs in Chromium', () => {
  let server: TestServer;
  let planted: Awaited<ReturnType<typeof countingServer>>;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let context: BrowserContext | undefined;
  const flowId = randomUUID();
  const objectId = `planted-${randomUUID()}`;
  const timerange = '[1700000037:0_1700000038:0)';
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-urls-');
    const built = buildUi(`${scratch.path}/ui`);
    planted = await countingServer();
    await built;
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui` });
    const flow = await server.put(
      `/flows/${flowId}`,
      {
        id: flowId,
        source_id: randomUUID(),
        format: 'urn:x-nmos:format:video',
        codec: 'video/h264',
        container: 'video/mp2t',
        label: 'Planted URLs',
        essence_parameters: { frame_width: 320, frame_height: 180 },
      },
      { headers: AUTH },
    );
    expect(flow.status, flow.text).toBe(201);
    // An object only clients' URLs reach: one given with the segment, one added as an instance.
    const posted = await server.post(
      `/flows/${flowId}/segments`,
      { object_id: objectId, timerange, get_urls: [{ url: `${planted.url}/a.ts`, label: 'planted' }] },
      { headers: AUTH },
    );
    expect(posted.status, posted.text).toBe(201);
    const instance = await server.post(
      `/tams/v8.2/objects/${encodeURIComponent(objectId)}/instances`,
      { url: `${planted.url}/b.ts`, label: 'mirror' },
      { headers: AUTH },
    );
    expect(instance.status, instance.text).toBe(201);
    // A row written before only http(s) was taken: straight into the store, as the API did then.
    await server.runtime.store.transaction(async (tx) => {
      await tx.instances.markUsers([objectId]);
      await tx.instances.insert([
        {
          object_id: objectId,
          controlled: false,
          url: EVIL,
          label: 'evil',
          state: 'ready',
          created: new Date(),
          pos: 9,
        },
      ]);
    });
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(context, browser, server, planted, scratch));

  /**
   * The player has read its playlist and settled: ready to play, or reporting an error (a
   * playlist without media, once the client's URLs are left out of it), or saying why it cannot.
   */
  async function playerSettled(page: Page): Promise<void> {
    await page
      .locator('.player video[data-ready="true"], .player video[data-hls-errors], .player [role="alert"]')
      .first()
      .waitFor({ state: 'attached' });
  }

  it(
    'requests none of them on the Flow page, its player, an opened segment and the object page',
    async () => {
      const tab = await newTab(browser, pageErrors);
      context = tab.context;
      const { page } = tab;
      await signIn(page, server.url, ADMIN_TOKEN);

      const playlist = page.waitForResponse((res) => res.url().includes('/hls.m3u8'));
      await page.goto(`${server.url}/ui/flows/${flowId}`);
      const rows = page.locator('table[data-testid="segments"] tbody tr[data-timerange]');
      await rows.first().waitFor();
      expect((await playlist).status()).toBe(200);
      await playerSettled(page);

      // The row opened: its URLs listed, the client's as links to click, the refused one as text.
      await rows
        .first()
        .getByRole('button', { name: /URLs of the segment/ })
        .click();
      const list = page.locator('[data-testid="segment-urls"]');
      await list.waitFor();
      // The list is shown once the object's size was read, where the UI reads it at all.
      expect(planted.requests).toEqual([]);
      const links = list.locator('a');
      expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
        `${planted.url}/a.ts`,
        `${planted.url}/b.ts`,
      ]);
      for (const rel of await links.evaluateAll((as) => as.map((a) => a.getAttribute('rel')))) {
        expect(rel?.split(' ').sort()).toEqual(['noopener', 'noreferrer']);
      }
      const refused = list.locator('[data-testid="url-refused"]');
      expect(await refused.count()).toBe(1);
      expect(await refused.textContent()).toContain(EVIL);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      await page.screenshot({ path: screenshotPath('urls-refused'), fullPage: true });

      // The object's page lists the same URLs.
      await page.goto(`${server.url}/ui/objects?id=${encodeURIComponent(objectId)}`);
      const urls = page.locator('[data-testid="object-urls"]');
      await urls.locator('tbody tr').first().waitFor();
      expect(await urls.locator('[data-testid="url-refused"]').count()).toBe(1);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);

      // Back on the Flow page, the player settled again: still nothing asked of the planted server.
      await page.goto(`${server.url}/ui/flows/${flowId}`);
      await rows.first().waitFor();
      await playerSettled(page);
      expect(planted.requests).toEqual([]);
    },
    SLOW_TEST_MS,
  );
});
