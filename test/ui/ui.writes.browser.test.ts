/**
 * The web UI's edits and deletions in headless Chromium: a Flow's and a Source's label,
 * description, string and list tags and read-only flag edited in dialogs, each read back through
 * the API; a Flow of real media (MPEG-TS made by ffmpeg, ingested through the API) deleted after
 * a confirmation that counts its segments and names its timerange, the server's deletion request
 * (202: more segments than TAMS_DELETE_SYNC_LIMIT) followed on screen until done. Principals
 * without a scope see no control for it, and the API refuses them the same requests.
 * Screenshots of every dialog go to .tmp/ui-screenshots/.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../tools/chromium.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { tempDir } from '../helpers/server.ts';
import { type Ingested, ingest } from '../hls/hls.ingest.ts';
import { ffmpegAvailable, generateStream } from '../hls/hls.media.ts';
import { screenshotPath } from './ui.fixture.ts';
import {
  bearer,
  openSignedIn,
  PHONE,
  read,
  refused,
  startWritesRig,
  V82,
  type WritesRig,
} from './ui.writes.fixture.ts';

/** The page's globals used in Chromium (this project is typed for Node: no DOM library). */
declare const document: {
  documentElement: { scrollWidth: number };
  querySelector(selector: string): { scrollWidth: number; clientWidth: number } | null;
};

const available = chromiumAvailable('web UI write actions') && ffmpegAvailable();
const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S;

interface FlowDoc {
  id: string;
  source_id: string;
  label?: string;
  description?: string;
  tags?: Record<string, string | string[]>;
  read_only?: boolean;
  timerange?: string;
}

describe.skipIf(!available)('web UI write actions on Flows and Sources', () => {
  let rig: WritesRig;
  let media: Ingested;
  const scratch = tempDir('tams-ui-writes-media-');
  const sourceId = randomUUID();
  const edited = randomUUID();

  beforeAll(async () => {
    await mkdir(`${scratch.path}/ts`);
    const stream = await generateStream(`${scratch.path}/ts`, 'mpegts', 4);
    // Deleting more segments than this answers 202 with a deletion request.
    rig = await startWritesRig({ TAMS_DELETE_SYNC_LIMIT: '1' });
    const admin = bearer(rig.tokens.admin);
    media = await ingest(rig.server, stream, {
      sourceId,
      start: T0,
      headers: admin.headers,
      label: 'to delete',
    });
    expect(media.segments.length).toBeGreaterThan(1);
    const flow = {
      id: edited,
      source_id: sourceId,
      // The Source's format, as the ingested Flow made it.
      format: 'urn:x-nmos:format:multi',
      container: 'video/mp2t',
      label: 'camera 1',
      description: 'as shot',
      tags: { genre: 'news', crew: ['ana', 'bo'], obsolete: 'yes' },
    };
    const put = await rig.server.put(`${V82}/flows/${edited}`, flow, admin);
    expect(put.status, put.text).toBe(201);
  }, SLOW_TEST_MS);

  afterAll(async () => {
    await rig?.close();
    scratch.remove();
  });
  afterEach(() => {
    expect(rig.pageErrors.splice(0)).toEqual([]);
  });

  it("edits a Flow's label, description, string and list tags, read back through the API", async () => {
    const { context, page } = await openSignedIn(rig, rig.tokens.admin);
    await page.goto(`${rig.server.url}/ui/flows/${edited}`);
    await page.getByRole('heading', { name: 'camera 1' }).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByTestId('edit-dialog');
    await dialog.locator('input[name="label"]').fill('camera 1, take 2');
    await dialog.locator('textarea[name="description"]').fill('as shot, graded');
    const genre = dialog.locator('[data-tag-row="genre"]');
    await genre.getByLabel('Value').fill('sport');
    await dialog.getByRole('button', { name: 'Remove tag obsolete' }).click();
    await dialog.getByRole('button', { name: 'Add a tag' }).click();
    const added = dialog.locator('.tag-row').last();
    await added.getByLabel('Name').fill('places');
    await added.getByLabel('Kind').selectOption('list');
    // An item may hold a comma: a list is one item per line.
    await added.getByLabel('Items, one per line').fill('Leeds, UK\nYork');
    await page.screenshot({ path: screenshotPath('writes-flow-edit') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'camera 1, take 2' }).waitFor();
    expect(await page.getByTestId('edit-dialog').count()).toBe(0);
    const flow = await read<FlowDoc>(rig, `${V82}/flows/${edited}`);
    expect(flow.label).toBe('camera 1, take 2');
    expect(flow.description).toBe('as shot, graded');
    expect(flow.tags).toEqual({ genre: 'sport', crew: ['ana', 'bo'], places: ['Leeds, UK', 'York'] });
    // The page shows what the API now holds.
    expect(await page.locator('[data-tag="places"] .tag-item').allTextContents()).toEqual([
      'Leeds, UK',
      'York',
    ]);
    await context.close();
  });

  it('sets and clears read-only: while set, only the flag can change and the Flow cannot be deleted', async () => {
    const { context, page } = await openSignedIn(rig, rig.tokens.admin);
    await page.goto(`${rig.server.url}/ui/flows/${edited}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    let dialog = page.getByTestId('edit-dialog');
    await dialog.getByLabel(/Read-only/).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await read<FlowDoc>(rig, `${V82}/flows/${edited}`)).read_only).toBe(true);
    // The API refuses a read-only Flow's metadata and its deletion; the page offers neither.
    const label = await rig.server.put(
      `${V82}/flows/${edited}/label`,
      JSON.stringify('x'),
      bearer(rig.tokens.admin),
    );
    expect(label.status).toBe(403);
    expect((await rig.server.delete(`${V82}/flows/${edited}`, bearer(rig.tokens.admin))).status).toBe(403);
    const actions = page.getByTestId('flow-actions');
    await actions.getByText('Read-only: clear read-only to delete it.').waitFor();
    expect(await actions.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Edit' }).click();
    dialog = page.getByTestId('edit-dialog');
    await dialog.getByTestId('read-only-note').waitFor();
    expect(await dialog.locator('input[name="label"]').isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('writes-flow-read-only') });
    // Cleared and relabelled in one save: the flag goes first, or the label would be refused.
    await dialog.getByLabel(/Read-only/).uncheck();
    await dialog.locator('input[name="label"]').fill('camera 1, final');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'camera 1, final' }).waitFor();
    const flow = await read<FlowDoc>(rig, `${V82}/flows/${edited}`);
    expect(flow.read_only).toBe(false);
    expect(flow.label).toBe('camera 1, final');
    await context.close();
  });

  it("edits a Source's label, description and a list tag from the Sources list", async () => {
    const { context, page } = await openSignedIn(rig, rig.tokens.admin);
    await page.getByRole('button', { name: /^Edit Source/ }).click();
    const dialog = page.getByTestId('edit-dialog');
    await dialog.locator('input[name="label"]').fill('Studio A');
    await dialog.locator('textarea[name="description"]').fill('the main studio');
    await dialog.getByRole('button', { name: 'Add a tag' }).click();
    const added = dialog.locator('.tag-row').last();
    await added.getByLabel('Name').fill('rooms');
    await added.getByLabel('Kind').selectOption('list');
    await added.getByLabel('Items, one per line').fill('A1\nA2');
    await page.screenshot({ path: screenshotPath('writes-source-edit') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.locator('table[data-testid="sources"]').getByText('Studio A').waitFor();
    const source = await read<FlowDoc>(rig, `${V82}/sources/${sourceId}`);
    expect(source.label).toBe('Studio A');
    expect(source.description).toBe('the main studio');
    expect(source.tags?.rooms).toEqual(['A1', 'A2']);
    await context.close();
  });

  it('offers write without delete only what write allows; the API refuses the rest', async () => {
    const editor = rig.tokens.editor;
    const { context, page } = await openSignedIn(rig, editor);
    await page.goto(`${rig.server.url}/ui/flows/${edited}`);
    const actions = page.getByTestId('flow-actions');
    await actions.getByRole('button', { name: 'Edit' }).waitFor();
    expect(await actions.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    await refused(rig, 'DELETE', `${V82}/flows/${edited}`, editor);
    await actions.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByTestId('edit-dialog');
    // Removing a tag is a DELETE: no remove button, and a tag cannot be renamed (its old name goes).
    expect(await dialog.getByRole('button', { name: /^Remove tag/ }).count()).toBe(0);
    expect(
      await dialog.locator('[data-tag-row="genre"]').getByLabel('Name').getAttribute('readonly'),
    ).not.toBeNull();
    await refused(rig, 'DELETE', `${V82}/flows/${edited}/tags/genre`, editor);
    // Nor can a label be emptied (DELETE /label).
    await dialog.locator('input[name="label"]').fill('');
    await dialog.getByText('Removing the label needs the delete scope.').waitFor();
    expect(await dialog.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await refused(rig, 'DELETE', `${V82}/flows/${edited}/label`, editor);
    await page.screenshot({ path: screenshotPath('writes-flow-edit-no-delete') });
    // What write allows works: a changed value and a new tag.
    await dialog.locator('input[name="label"]').fill('camera 1, edited by the editor');
    await dialog.locator('[data-tag-row="genre"]').getByLabel('Value').fill('drama');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'camera 1, edited by the editor' }).waitFor();
    const flow = await read<FlowDoc>(rig, `${V82}/flows/${edited}`, editor);
    expect(flow.tags?.genre).toBe('drama');
    await context.close();
  });

  it('edits at phone width, the dialog within the screen', async () => {
    const { context, page } = await openSignedIn(rig, rig.tokens.admin, PHONE);
    await page.goto(`${rig.server.url}/ui/flows/${edited}`);
    await page.getByTestId('flow-actions').getByRole('button', { name: 'Edit' }).click();
    await page.getByTestId('edit-dialog').locator('.tag-row').first().waitFor();
    const widths = await page.evaluate(() => {
      const dialog = document.querySelector('dialog');
      return {
        page: document.documentElement.scrollWidth,
        dialog: dialog?.scrollWidth,
        inside: dialog?.clientWidth,
      };
    });
    expect(widths.page).toBeLessThanOrEqual(PHONE.width);
    expect(widths.dialog).toBeLessThanOrEqual(widths.inside ?? 0);
    await page.screenshot({ path: screenshotPath('writes-flow-edit-phone') });
    await context.close();
  });

  it('offers a reader no edit and no delete; the API refuses them', async () => {
    const reader = rig.tokens.reader;
    const { context, page } = await openSignedIn(rig, reader);
    await page.locator('table[data-testid="sources"] tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: /^Edit Source/ }).count()).toBe(0);
    await page.goto(`${rig.server.url}/ui/flows/${edited}`);
    await page.getByRole('heading', { name: /camera 1/ }).waitFor();
    expect(await page.getByTestId('flow-actions').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Edit|Delete/ }).count()).toBe(0);
    await refused(rig, 'PUT', `${V82}/flows/${edited}/label`, reader, JSON.stringify('x'));
    await refused(rig, 'PUT', `${V82}/flows/${edited}/tags/genre`, reader, JSON.stringify('x'));
    await refused(rig, 'PUT', `${V82}/flows/${edited}/read_only`, reader, 'true');
    await refused(rig, 'PUT', `${V82}/sources/${sourceId}/label`, reader, JSON.stringify('x'));
    await refused(rig, 'DELETE', `${V82}/flows/${edited}`, reader);
    await context.close();
  });

  it('deletes a Flow after saying what goes, following the deletion request to its end', async () => {
    const { context, page } = await openSignedIn(rig, rig.tokens.admin);
    const before = await read<FlowDoc>(rig, `${V82}/flows/${media.flowId}`, undefined);
    const withRange = await read<FlowDoc>(
      rig,
      `${V82}/flows/${media.flowId}?include_timerange=true`,
      undefined,
    );
    expect(before.label).toBe('to delete');
    await page.goto(`${rig.server.url}/ui/flows/${media.flowId}`);
    await page.getByTestId('flow-actions').getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByTestId('delete-dialog');
    const count = dialog.getByTestId('delete-count');
    await expect.poll(() => count.textContent()).toBe(`${media.segments.length} segments`);
    expect(await dialog.getByTestId('delete-timerange').locator('code').textContent()).toBe(
      withRange.timerange,
    );
    await page.screenshot({ path: screenshotPath('writes-flow-delete-confirm') });
    const answer = page.waitForResponse(
      (r) =>
        r.request().method() === 'DELETE' && new URL(r.url()).pathname === `${V82}/flows/${media.flowId}`,
    );
    await dialog.getByRole('button', { name: 'Delete the Flow' }).click();
    expect((await answer).status()).toBe(202);
    await dialog.getByTestId('deleted').waitFor();
    const requestId = await dialog.getByTestId('deletion-progress').locator('code').first().textContent();
    await page.screenshot({ path: screenshotPath('writes-flow-delete-done') });
    const request = await read<{ flow_id: string; status: string; delete_flow: boolean }>(
      rig,
      `${V82}/flow-delete-requests/${requestId}`,
    );
    expect(request).toMatchObject({ flow_id: media.flowId, status: 'done', delete_flow: true });
    await read(rig, `${V82}/flows/${media.flowId}`, undefined, 404);
    // Its segments went with it (the server answers an unknown Flow's segments as an empty list).
    expect(await read(rig, `${V82}/flows/${media.flowId}/segments`)).toEqual([]);
    // Closing goes to the Flows of its Source.
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.waitForURL(
      (url) => url.pathname === '/ui/flows' && url.searchParams.get('source_id') === sourceId,
    );
    await context.close();
  });
});
