/**
 * What operators tripped on (issue 60), in headless Chromium against a real server, with no media
 * but a caption file: the Flow's status read from its `flow_status` tag where it has no 8.2
 * `status`; a multi Flow's members listed by label, their ids beside; an empty Profiles page
 * saying where Profiles come from; a search page saying which caption Flows have cues the search
 * cannot find, and linking to them. Screenshots: .tmp/ui-screenshots/trips-*.png.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { putMultiFlow } from '../hls/hls.tracks.ts';
import { captionsOutsideSegment } from './ui.captions.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { newTab, pageErrorsChecked, signIn, type Tab } from './ui.tabs.ts';

const available = chromiumAvailable('web UI browser tests of operators trips');
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe.skipIf(!available)('what operators tripped on, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  let tab: Tab | undefined;
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-trips-');
    await buildUi(`${scratch.path}/ui`);
    server = await startAuthServer({
      TAMS_UI_DIR: `${scratch.path}/ui`,
      TAMS_SEARCH: 'true',
      TAMS_SEARCH_EMBEDDINGS: 'none',
    });
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(tab?.context, browser, server, scratch));

  async function open(): Promise<Page> {
    await tab?.context.close();
    tab = await newTab(browser, pageErrors);
    await signIn(tab.page, server.url, ADMIN_TOKEN);
    return tab.page;
  }

  async function dataFlow(label: string, fields: Record<string, unknown> = {}): Promise<string> {
    const id = randomUUID();
    const created = await server.put(
      `/flows/${id}`,
      {
        id,
        source_id: randomUUID(),
        format: 'urn:x-nmos:format:data',
        codec: 'application/json',
        essence_parameters: {},
        label,
        ...fields,
      },
      { headers: AUTH },
    );
    expect(created.status, created.text).toBe(201);
    return id;
  }

  it("shows a Flow's flow_status tag as its status where it has no status field", async () => {
    const id = await dataFlow('Studio B feed', { tags: { flow_status: 'ingesting' } });
    const page = await open();
    await page.goto(`${server.url}/ui/flows/${id}`);
    const cell = page.getByTestId('flow-meta').locator('tr:has(th:text-is("Status")) td');
    await expect.poll(() => cell.textContent()).toBe('ingesting (flow_status tag)');
    expect(await cell.getByTestId('flow-status').getAttribute('data-from')).toBe('tag');
    // The list of Flows says the same.
    await page.goto(`${server.url}/ui/flows?label=${encodeURIComponent('Studio B feed')}`);
    const row = page.locator('table[data-testid="flows"] tbody tr').filter({ hasText: 'Studio B feed' });
    await expect.poll(() => row.getByTestId('flow-status').textContent()).toBe('ingesting (flow_status tag)');
  });

  it("lists a multi Flow's members by label, their ids beside, labels as text", async () => {
    const video = await dataFlow('Harbour <b>video</b>');
    const sound = await dataFlow('Harbour sound');
    const unlabelled = await dataFlow('');
    const multi = randomUUID();
    const members = [
      { id: video, role: 'video' },
      { id: sound, role: 'audio' },
      { id: unlabelled, role: 'notes' },
    ];
    await putMultiFlow(server, multi, members, AUTH, { label: 'Harbour programme' });
    const page = await open();
    await page.goto(`${server.url}/ui/flows/${multi}`);
    const items = page.getByTestId('flow-collection').locator('li');
    await expect
      .poll(() => items.locator('a').allTextContents())
      .toEqual(['Harbour <b>video</b>', 'Harbour sound', unlabelled]);
    expect(await items.allTextContents()).toEqual([
      `Harbour <b>video</b> (video) ${video}`,
      `Harbour sound (audio) ${sound}`,
      `${unlabelled} (notes)`,
    ]);
    // Each links to its member; the label's markup stays text.
    expect(await items.locator('a').first().getAttribute('href')).toBe(`/ui/flows/${video}`);
    expect(await page.getByTestId('flow-collection').locator('b').count()).toBe(0);
    // A member's page lists the multi Flow it is in by label.
    await page.goto(`${server.url}/ui/flows/${sound}`);
    await expect
      .poll(() => page.getByTestId('flow-collected-by').locator('a').allTextContents())
      .toEqual(['Harbour programme']);
    await page.locator('.meta').screenshot({ path: screenshotPath('trips-collection') });
  });

  it('says on an empty Profiles page where Profiles come from', async () => {
    const page = await open();
    await page.goto(`${server.url}/ui/profiles`);
    const note = page.getByTestId('profiles-empty');
    await note.waitFor();
    const text = (await note.textContent()) ?? '';
    expect(text).toContain('This store has no Flow Profile yet.');
    expect(text).toContain('POST /tams/v8.2/service/profiles/{profileId}');
    expect(text).toContain('tams-mgmt import');
    // A filter that matches nothing is still said so.
    await page.goto(`${server.url}/ui/profiles?label=nothing`);
    await page.getByText('No Profile matches.').waitFor();
    expect(await page.getByTestId('profiles-empty').count()).toBe(0);
  });

  it('names on the search page the caption Flows whose cues search cannot find', async () => {
    // Cues at 1 s to 9.5 s of media time, the segment at 73 s with no ts_offset: none indexed.
    const flowId = await dataFlow('Harbour documentary (captions)', {
      codec: 'text/vtt',
      container: 'text/vtt',
      essence_parameters: { data_type: 'urn:x-tams:data:subtitle' },
    });
    await captionsOutsideSegment(server, AUTH, flowId);

    const page = await open();
    await page.goto(`${server.url}/ui/search?q=nets%20hauled`);
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('0 hits');
    const notice = page.getByTestId('unindexed-captions');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('1 caption Flow has cues that search cannot find:');
    const listed = page.getByTestId('cues-outside-flows').locator('li');
    expect(await listed.allTextContents()).toEqual(['Harbour documentary (captions): 2 cues in 1 segment']);
    await page.screenshot({ path: screenshotPath('trips-search-unindexed'), fullPage: true });
    // Its link opens the Flow's page, which says where the cues landed.
    await listed.locator('a').click();
    await page.waitForURL(`${server.url}/ui/flows/${flowId}`);
    await page.getByTestId('cues-outside').waitFor();
  });
});
