/**
 * The web UI's Replication page, in headless Chromium, against a server replicating from a
 * second real server (the origin: authentication off, on a loopback port the allow-list admits)
 * holding a video Flow of three segments. An administrator starts a job from the page (that Flow,
 * media by copy), watches it catch up and follow (state and counts read again every 2 s), opens
 * the job's Flows and follows the link to the copied Flow's page, pauses and resumes the job and
 * deletes it, the Flow staying. An origin the allow-list refuses is refused in the dialog with the
 * server's reason; a label a client gave is shown as text; a reader sees the jobs and no control,
 * and the API refuses the reader's writes. Screenshots go to .tmp/ui-screenshots/.
 */

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../tools/chromium.ts';
import { SLOW_TEST_MS, WAIT_MS } from '../helpers/deadlines.ts';
import { screenshotPath } from './ui.fixture.ts';
import { type Origin, startOrigin } from './ui.replication.fixture.ts';
import {
  bearer,
  openSignedIn,
  read,
  refused,
  startWritesRig,
  V82,
  type WritesRig,
} from './ui.writes.fixture.ts';

const available = chromiumAvailable('web UI replication');

interface Job {
  id: string;
  label?: string;
  state: string;
  want: string;
  media: string;
  origin: { url: string };
  segments_copied: number;
  last_error?: string;
}

const SEGMENTS = 3;
/** A selection nothing at the origin matches: a job that runs and copies nothing. */
const NOTHING = { tags: { 'ui-test': 'matches nothing' } };

describe.skipIf(!available)('web UI: the Replication page', () => {
  let rig: WritesRig;
  let origin: Origin;

  beforeAll(async () => {
    rig = await startWritesRig({
      TAMS_REPLICATION: 'true',
      TAMS_REPLICATION_ALLOW: '127.0.0.1',
      TAMS_REPLICATION_POLL_SECONDS: '0.2',
      TAMS_WORKER_IDLE_MS: '100',
    });
    origin = await startOrigin(SEGMENTS, 'Origin camera');
  }, SLOW_TEST_MS);

  afterAll(async () => {
    await rig?.close();
    await origin?.server.close();
  });
  afterEach(() => {
    expect(rig.pageErrors.splice(0)).toEqual([]);
  });

  const jobs = async () => read<Job[]>(rig, '/replications');
  const row = (page: Page, id: string) => page.getByTestId('replications').locator(`tr[data-id="${id}"]`);

  /**
   * Waits for the job's row to show `what` (said of the row, `[data-state=…]`, or with a leading
   * space of what it holds), or fails with the job as the API tells it: its state and last_error
   * say what went wrong.
   */
  async function shows(page: Page, id: string, what: string): Promise<void> {
    try {
      await page
        .getByTestId('replications')
        .locator(`tr[data-id="${id}"]${what}`)
        .waitFor({ timeout: WAIT_MS });
    } catch (error) {
      const job = await rig.server.get(`/replications/${id}`, bearer(rig.tokens.admin));
      throw new Error(`the job never showed ${what}; GET /replications/${id}: ${job.text}`, { cause: error });
    }
  }
  const state = (name: string) => `[data-state="${name}"]`;

  async function openReplication(token: string) {
    const opened = await openSignedIn(rig, token);
    await opened.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Replication' })
      .click();
    await opened.page.getByRole('heading', { name: 'Replication', level: 1 }).waitFor();
    return opened;
  }

  it(
    'replicates a Flow by copy, shows it following, links its Flow, pauses, resumes and deletes it',
    async () => {
      const { context, page } = await openReplication(rig.tokens.admin);
      try {
        await page.getByText('No replication job.').waitFor();
        await page.getByRole('button', { name: 'Replicate…' }).click();
        const dialog = page.getByTestId('replication-dialog');
        await dialog.getByLabel(/^Origin/).fill(`${origin.server.url}${V82}`);
        await dialog.getByLabel(/^Flow id/).fill(origin.flowId);
        await dialog.getByLabel(/^By copy/).check();
        await dialog.getByLabel(/^Label/).fill('Site B');
        await dialog.getByRole('button', { name: 'Replicate', exact: true }).click();
        await dialog.waitFor({ state: 'detached' });

        const [made] = await jobs();
        expect(made).toMatchObject({ label: 'Site B', want: 'run', media: 'copy' });
        const id = (made as Job).id;

        // Caught up and following, every origin segment copied (the page reads the jobs every 2 s).
        await shows(page, id, state('following'));
        await shows(page, id, ` [data-testid="replication-segments"]:text-is("${SEGMENTS}")`);
        const job = row(page, id);
        expect(await job.textContent()).toContain('by copy');
        expect(await job.textContent()).toContain(`${SEGMENTS} objects`);
        // Every byte of every object counted, however many were copied at once (soft: the rest of
        // the journey is still checked when the count is wrong).
        const bytes = await job.locator('[data-bytes]').getAttribute('data-bytes');
        expect
          .soft(Number(bytes), 'bytes copied, as the page shows them')
          .toBe(SEGMENTS * origin.objectBytes);
        await page.screenshot({ path: screenshotPath('replication-following'), fullPage: true });

        // Its Flows, each linking the Flow here (the origin's id: ids kept).
        await job.getByRole('link', { name: 'Flows of replication Site B' }).click();
        const flows = page.getByTestId('replication-flows');
        const flow = flows.locator(`tr[data-id="${origin.flowId}"]`);
        await flow
          .getByTestId('replication-flow-segments')
          .filter({ hasText: `${SEGMENTS}` })
          .waitFor();
        await page.screenshot({ path: screenshotPath('replication-flows'), fullPage: true });
        await flow.getByRole('link', { name: origin.flowId }).click();
        await page.waitForURL(`**/ui/flows/${origin.flowId}`);
        await page.getByRole('heading', { name: 'Origin camera', level: 1 }).waitFor();
        await page.goBack();
        await flows.waitFor();

        // Paused: its cursors kept, Resume offered instead of Pause; resumed: following again.
        await row(page, id).getByRole('button', { name: 'Pause replication Site B' }).click();
        await shows(page, id, state('paused'));
        await row(page, id).getByRole('button', { name: 'Resume replication Site B' }).click();
        await shows(page, id, state('following'));
        expect((await read<Job>(rig, `/replications/${id}`)).segments_copied).toBe(SEGMENTS);

        // Deleted: the job goes, what it copied stays.
        await row(page, id).getByRole('button', { name: 'Delete replication Site B' }).click();
        const confirm = page.getByTestId('delete-replication-dialog');
        expect(await confirm.textContent()).toContain('stay');
        await confirm.getByRole('button', { name: 'Delete the job' }).click();
        await page.getByText('No replication job.').waitFor();
        await read(rig, `/replications/${id}`, rig.tokens.admin, 404);
        const copied = await read<unknown[]>(rig, `${V82}/flows/${origin.flowId}/segments`);
        expect(copied).toHaveLength(SEGMENTS);
      } finally {
        await context.close();
      }
    },
    SLOW_TEST_MS,
  );

  it("refuses an origin the allow-list does not admit, with the server's reason, and shows labels as text", async () => {
    const { context, page } = await openReplication(rig.tokens.admin);
    try {
      await page.getByRole('button', { name: 'Replicate…' }).click();
      const dialog = page.getByTestId('replication-dialog');
      await dialog.getByLabel(/^Origin/).fill('http://169.254.169.254/tams');
      await dialog.getByLabel(/^Flow id/).fill(origin.flowId);
      await dialog.getByRole('button', { name: 'Replicate', exact: true }).click();
      const error = dialog.getByTestId('write-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/^Starting the replication: 400 .*169\.254\.169\.254/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect((await jobs()).filter((j) => j.origin.url.includes('169.254'))).toEqual([]);

      // A label is the client's text: shown as such, never as markup.
      const label = '<img src=x onerror="document.title=\'owned\'">';
      const made = await rig.server.post<Job>(
        '/replications',
        { origin: { url: origin.server.url }, select: NOTHING, label },
        bearer(rig.tokens.admin),
      );
      expect(made.status, made.text).toBe(201);
      const shown = row(page, made.body.id);
      await shown.waitFor({ timeout: WAIT_MS });
      expect(await shown.textContent()).toContain(label);
      expect(await shown.locator('img').count()).toBe(0);
      expect(await page.title()).not.toBe('owned');
      const deleted = await rig.server.request(
        'DELETE',
        `/replications/${made.body.id}`,
        bearer(rig.tokens.admin),
      );
      expect(deleted.status).toBe(204);
    } finally {
      await context.close();
    }
  });

  it('shows a reader the jobs without a control, and the API refuses the reader', async () => {
    const made = await rig.server.post<Job>(
      '/replications',
      { origin: { url: origin.server.url }, select: NOTHING, label: 'Site C' },
      bearer(rig.tokens.admin),
    );
    expect(made.status, made.text).toBe(201);
    const { context, page } = await openReplication(rig.tokens.reader);
    try {
      const shown = row(page, made.body.id);
      await shown.waitFor();
      expect(await shown.textContent()).toContain('Site C');
      expect(await page.getByRole('button', { name: 'Replicate…' }).count()).toBe(0);
      expect(await shown.getByRole('button').count()).toBe(0);
      const body = { origin: { url: origin.server.url }, select: { flow_id: origin.flowId } };
      await refused(rig, 'POST', '/replications', rig.tokens.reader, body);
      await refused(rig, 'POST', `/replications/${made.body.id}/pause`, rig.tokens.reader, {});
      await refused(rig, 'DELETE', `/replications/${made.body.id}`, rig.tokens.reader);
    } finally {
      await context.close();
      await rig.server.request('DELETE', `/replications/${made.body.id}`, bearer(rig.tokens.admin));
    }
  });
});
