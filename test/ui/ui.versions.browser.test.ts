/**
 * The web UI in headless Chromium on data written through both TAMS versions (the UI reads the
 * 8.2 mount: docs/ui-hls.md, "Which API the UI reads"). Written through /tams/v8.2: a Profile, a
 * Flow with a status and list-valued tags, a Source list tag, segments with object timeranges
 * and key frame counts, a disabled webhook with list tags; configured: a storage backend with
 * tags. Written through 7.0 (the root): a video Flow without a frame rate, with a string tag
 * holding a comma and a `status` property of the client's own, a multi Flow collecting both
 * without a role for one, and a webhook. Every page shows each as 8.2 sees it, without an
 * error. No media: the UI is built from the current sources and served with authentication on.
 */

import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { newTab, pageErrorsChecked, signIn, type Tab } from './ui.tabs.ts';

const available = chromiumAvailable('web UI browser tests (TAMS versions)');
const AUTH = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
const BACKEND_ID = randomUUID();
const PROFILE = randomUUID();
/** Written through 8.2. */
const F82 = { id: randomUUID(), source: randomUUID() };
/** Written through 7.0. */
const F70 = { id: randomUUID(), source: randomUUID() };
const MULTI = { id: randomUUID(), source: randomUUID() };
const VIDEO = { frame_width: 1920, frame_height: 1080 };

/** The value cell of a properties table's row `name`. */
const prop = (table: Locator, name: string) => table.locator(`tr:has(th:text-is("${name}")) td`);

/** The texts of the locator's elements, in order. */
const texts = async (locator: Locator) => (await locator.allTextContents()).map((t) => t.trim());

describe.skipIf(!available)('web UI in Chromium, on data of TAMS 7.0 and 8.2', () => {
  let server: TestServer;
  let v8: HttpClient;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  const webhooks: { v8?: string; v7?: string } = {};

  async function expectStatus(res: Promise<{ status: number; text: string }>, status: number) {
    const answer = await res;
    expect(answer.status, answer.text).toBe(status);
  }

  beforeAll(async () => {
    scratch = tempDir('tams-ui-versions-');
    await buildUi(`${scratch.path}/ui`);
    server = await startAuthServer({
      TAMS_UI_DIR: `${scratch.path}/ui`,
      TAMS_WEBHOOK_ALLOW: '127.0.0.1',
      TAMS_MEDIA_DIR: `${scratch.path}/media`,
      TAMS_STORAGE_BACKENDS: JSON.stringify([
        {
          kind: 'fs',
          id: BACKEND_ID,
          label: 'local',
          provider: 'tams-server',
          store_product: 'filesystem',
          tags: { tier: 'hot', sites: ['lon', 'mcr'] },
        },
      ]),
    });
    v8 = mountClient(server, '/tams/v8.2');
    const technical = {
      format: 'urn:x-nmos:format:video',
      codec: 'video/h264',
      container: 'application/mxf',
      essence_parameters: { ...VIDEO, frame_rate: { numerator: 25 } },
    };
    await expectStatus(
      v8.post(
        `/service/profiles/${PROFILE}`,
        { id: PROFILE, label: 'HD 25p house', tags: { house: ['news', 'sport'] }, flow_metadata: technical },
        AUTH,
      ),
      201,
    );
    await expectStatus(
      v8.put(
        `/flows/${F82.id}`,
        {
          id: F82.id,
          source_id: F82.source,
          ...technical,
          label: 'camera eight',
          status: 'ingesting',
          tags: { langs: ['en', 'fr'], show: 'news' },
        },
        AUTH,
      ),
      201,
    );
    // The link a Flow made from the Profile has (8.2 PUT with profile_id, branch i49-dedup), set
    // as that PUT stores it: the technical metadata above is the Profile's.
    await server.runtime.flows.update(F82.id, 'test', (flow) => {
      flow.profile_id = PROFILE;
    });
    await expectStatus(v8.put(`/sources/${F82.source}/tags/crew`, ['ann', 'bob'], AUTH), 204);
    await expectStatus(
      v8.post(
        `/flows/${F82.id}/segments`,
        [
          {
            object_id: 'edit-1',
            timerange: '[10:0_12:0)',
            ts_offset: '10:0',
            object_timerange: '[0:0_4:0)',
            key_frame_count: 2,
            get_urls: [{ url: 'http://media.invalid/edit-1', label: 'archive' }],
          },
          {
            object_id: 'whole-2',
            timerange: '[12:0_14:0)',
            get_urls: [{ url: 'http://media.invalid/whole-2', label: 'archive' }],
          },
        ],
        AUTH,
      ),
      201,
    );
    await expectStatus(
      server.put(
        `/flows/${F70.id}`,
        {
          id: F70.id,
          source_id: F70.source,
          format: 'urn:x-nmos:format:video',
          codec: 'video/h264',
          container: 'application/mxf',
          essence_parameters: VIDEO,
          label: 'camera seven',
          // A 7.0 client's own property: 8.2 defines `status` otherwise, and leaves this one out.
          status: 'live',
          tags: { pair: 'a,b' },
        },
        AUTH,
      ),
      201,
    );
    await expectStatus(
      server.put(
        `/flows/${MULTI.id}`,
        {
          id: MULTI.id,
          source_id: MULTI.source,
          format: 'urn:x-nmos:format:multi',
          label: 'both cameras',
          essence_parameters: { anything: 1 },
          flow_collection: [
            { id: F82.id, role: '' },
            { id: F70.id, role: 'backup' },
          ],
        },
        AUTH,
      ),
      201,
    );
    const hook = await v8.post<{ id: string }>(
      '/service/webhooks',
      {
        url: 'http://127.0.0.1:9/eight',
        events: ['flows/created'],
        status: 'disabled',
        tags: { team: ['ops', 'news'] },
      },
      AUTH,
    );
    expect(hook.status, hook.text).toBe(201);
    webhooks.v8 = hook.body.id;
    await expectStatus(
      server.post('/service/webhooks', { url: 'http://127.0.0.1:9/seven', events: ['flows/updated'] }, AUTH),
      201,
    );
    const listed = await v8.get<{ id: string; url: string }[]>('/service/webhooks', AUTH);
    webhooks.v7 = listed.body.find((w) => w.url.endsWith('/seven'))?.id;
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(browser, server, scratch));

  /** Uncaught errors of the pages, and what Chromium refused them (Content Security Policy). */
  const pageErrors = pageErrorsChecked();

  /** A new signed-in tab whose errors fail the test, and the API paths it requests. */
  async function open(token = ADMIN_TOKEN): Promise<Tab & { requested: URL[] }> {
    const tab = await newTab(browser, pageErrors);
    const requested: URL[] = [];
    tab.page.on('request', (r) => {
      const url = new URL(r.url());
      if (!url.pathname.startsWith('/ui/')) requested.push(url);
    });
    await signIn(tab.page, server.url, token, 'sources');
    return { ...tab, requested };
  }

  /** The row of a list table holding `text`. */
  const rowOf = (page: Page, table: string, text: string) =>
    page.locator(`table[data-testid="${table}"] tbody tr`).filter({ hasText: text });

  it('reads Sources and Flows through /tams/v8.2: list tags item by item, a 7.0 string whole', async () => {
    const { context, page, requested } = await open();
    const paths = () => requested.map((u) => u.pathname);
    expect(paths()).toContain('/tams/v8.2/sources');
    const source = page.locator(`table[data-testid="sources"] tbody tr:has(code[title="${F82.source}"])`);
    expect(await texts(source.locator('li[data-tag="crew"] .tag-item'))).toEqual(['ann', 'bob']);

    await page.getByRole('link', { name: 'Flows', exact: true }).click();
    const eight = rowOf(page, 'flows', 'camera eight');
    await eight.waitFor();
    expect(paths()).toContain('/tams/v8.2/flows');
    expect(paths().filter((p) => p === '/sources' || p === '/flows')).toEqual([]);
    expect(await eight.locator('.badge').textContent()).toBe('ingesting');
    expect(await texts(eight.locator('li[data-tag="langs"] .tag-item'))).toEqual(['en', 'fr']);
    expect(await eight.locator('li[data-tag="show"] .tag-value').textContent()).toBe('news');
    // Written through 7.0: a string holding a comma stays one value, and the client's own
    // `status` property is not 8.2's status.
    const seven = rowOf(page, 'flows', 'camera seven');
    expect(await seven.locator('li[data-tag="pair"] .tag-value').textContent()).toBe('a,b');
    expect(await seven.locator('li[data-tag="pair"] .tag-item').count()).toBe(0);
    expect(await seven.locator('.badge').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('versions-flows') });
    await context.close();
  });

  it('filters Flows by 8.2 status and by one item of a list tag', async () => {
    const { context, page, requested } = await open();
    await page.goto(`${server.url}/ui/flows`);
    const rows = page.locator('table[data-testid="flows"] tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    await page.locator('select[name="status"]').selectOption('ingesting');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('camera eight');
    expect(requested.at(-1)?.searchParams.get('status')).toBe('ingesting');
    await page.locator('select[name="status"]').selectOption('');
    await page.locator('input[name="tag_name"]').fill('langs');
    await page.locator('input[name="tag_value"]').fill('fr');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => requested.at(-1)?.searchParams.get('tag.langs')).toBe('fr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('camera eight');
    // A value with a comma is one value (sent as %2C): the 7.0 string tag, not a list of two.
    await page.locator('input[name="tag_name"]').fill('pair');
    await page.locator('input[name="tag_value"]').fill('a,b');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => requested.at(-1)?.searchParams.get('tag.pair')).toBe('a,b');
    expect(requested.at(-1)?.search).toContain('tag.pair=a%2Cb');
    await expect.poll(async () => texts(rows.locator('td:first-child'))).toEqual(['camera seven']);
    await context.close();
  });

  it("shows a Flow written through 8.2: its status, Profile, segments' object timeranges, an object", async () => {
    const { context, page } = await open();
    await page.goto(`${server.url}/ui/flows/${F82.id}`);
    const meta = page.locator('table[data-testid="flow-meta"]');
    await meta.waitFor();
    expect(await prop(meta, 'Status').locator('.badge').textContent()).toBe('ingesting');
    expect(await prop(meta, 'Profile').textContent()).toContain(PROFILE);
    expect(await prop(meta, 'In collections').textContent()).toContain(MULTI.id);
    expect(await texts(page.locator('.meta li[data-tag="langs"] .tag-item'))).toEqual(['en', 'fr']);
    const segments = page.locator('table[data-testid="segments"] tbody tr');
    await expect.poll(() => segments.count()).toBe(2);
    // Timerange, object, ts_offset, object timerange and key frames (beside the opening button,
    // size and samples).
    const cells = async (i: number) =>
      (await texts(segments.nth(i).locator('td'))).filter((_, column) => [1, 2, 4, 6, 7].includes(column));
    expect(await cells(0)).toEqual([
      expect.stringMatching(/^\[10:0_12:0\)/),
      'edit-1',
      '10:0',
      '[0:0_4:0)',
      '2',
    ]);
    expect(await cells(1)).toEqual([
      expect.stringMatching(/^\[12:0_14:0\)/),
      'whole-2',
      '',
      '[12:0_14:0)',
      '',
    ]);
    await page.screenshot({ path: screenshotPath('versions-flow-82'), fullPage: true });

    await segments.first().getByRole('link', { name: 'edit-1' }).click();
    const object = page.locator('table[data-testid="object"]');
    await object.waitFor();
    expect(await prop(object, 'Timerange').textContent()).toBe('[0:0_4:0)');
    expect(await prop(object, 'Key frames').textContent()).toBe('2');
    expect(await prop(object, 'Used by').textContent()).toContain(F82.id);
    await page.screenshot({ path: screenshotPath('versions-object') });

    await page.goBack();
    await prop(meta, 'Profile').getByRole('link').click();
    const profile = page.locator('table[data-testid="profile"]');
    await profile.waitFor();
    expect(await prop(profile, 'Label').textContent()).toBe('HD 25p house');
    expect(await texts(profile.locator('li[data-tag="house"] .tag-item'))).toEqual(['news', 'sport']);
    expect(await profile.locator('pre.json').textContent()).toContain('"codec": "video/h264"');
    await context.close();
  });

  it('shows Flows written through 7.0 as 8.2 sees them', async () => {
    const { context, page } = await open();
    await page.goto(`${server.url}/ui/flows/${F70.id}`);
    const meta = page.locator('table[data-testid="flow-meta"]');
    await meta.waitFor();
    expect(await prop(meta, 'Status').textContent()).toBe('none');
    // No frame rate through 7.0: 8.2's variable frame rate.
    expect(JSON.parse((await meta.locator('pre.json').textContent()) ?? '')).toEqual({ ...VIDEO, vfr: true });
    expect(await page.locator('.meta li[data-tag="pair"] .tag-value').textContent()).toBe('a,b');
    expect(await page.getByText('This Flow has no segments yet.').count()).toBe(1);

    await page.goto(`${server.url}/ui/flows/${MULTI.id}`);
    const collection = prop(meta, 'Collection').locator('li');
    // Its members by label, each id beside it.
    await expect
      .poll(() => texts(collection))
      .toEqual([`camera eight ${F82.id}`, `camera seven (backup) ${F70.id}`]);
    // 8.2 shows a multi Flow's essence parameters only as `init_segments`: none here.
    expect(await prop(meta, 'Essence').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('versions-flow-70-multi') });
    await context.close();
  });

  it('lists the Profiles, and the Flows made from one', async () => {
    const { context, page, requested } = await open();
    await page.getByRole('link', { name: 'Profiles' }).click();
    const row = rowOf(page, 'profiles', 'HD 25p house');
    await row.waitFor();
    expect(await texts(row.locator('td').nth(1))).toEqual(['video']);
    expect(await texts(row.locator('.tag-item'))).toEqual(['news', 'sport']);
    await page.screenshot({ path: screenshotPath('versions-profiles') });
    await row.getByRole('link', { name: 'Flows' }).click();
    const flows = page.locator('table[data-testid="flows"] tbody tr');
    await expect.poll(async () => texts(flows.locator('td:first-child'))).toEqual(['camera eight']);
    expect(requested.at(-1)?.pathname).toBe('/tams/v8.2/flows');
    expect(requested.at(-1)?.searchParams.get('profile_id')).toBe(PROFILE);
    await context.close();
  });

  it('lists the storage backends with their tags, to readers too', async () => {
    const { token } = await server.runtime.auth.admin.createToken({ name: 'ui-reader', scopes: ['read'] });
    const { context, page } = await open(token);
    await page.getByRole('link', { name: 'Storage' }).click();
    const row = rowOf(page, 'storage', 'local');
    await row.waitFor();
    expect(await row.locator('li[data-tag="tier"] .tag-value').textContent()).toBe('hot');
    expect(await texts(row.locator('li[data-tag="sites"] .tag-item'))).toEqual(['lon', 'mcr']);
    expect(await row.locator('code').getAttribute('title')).toBe(BACKEND_ID);
    await page.getByRole('link', { name: 'Profiles' }).click();
    await rowOf(page, 'profiles', 'HD 25p house').waitFor();
    await context.close();
  });

  it('lists the webhooks of both versions with their ids, status and tags', async () => {
    const { context, page } = await open();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    const rows = page.locator('table[data-testid="webhooks"] tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const eight = rowOf(page, 'webhooks', '/eight');
    expect(await eight.locator('.badge').textContent()).toBe('disabled');
    expect(await texts(eight.locator('li[data-tag="team"] .tag-item'))).toEqual(['ops', 'news']);
    expect(await eight.locator('code.id').getAttribute('title')).toBe(webhooks.v8);
    const seven = rowOf(page, 'webhooks', '/seven');
    expect(['created', 'started']).toContain(await seven.locator('.badge').textContent());
    expect(await seven.locator('code.id').getAttribute('title')).toBe(webhooks.v7);
    await page.screenshot({ path: screenshotPath('versions-webhooks') });
    await context.close();
  });
});
