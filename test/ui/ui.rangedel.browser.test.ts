/**
 * Deleting the segments of a timerange chosen on a Flow's timeline, in headless Chromium: a
 * range marked with `[` and `]` at the playhead, and one dragged with Shift held, on a Flow of
 * real media (MPEG-TS made by ffmpeg, ingested through the API). The confirmation names the
 * segments that go (those wholly inside, as TAMS deletes) and the ones at the ends that stay;
 * afterwards the API lists the Flow's segments less exactly those, whether the server deleted
 * them at once (204) or through a deletion request (202, more than TAMS_DELETE_SYNC_LIMIT)
 * followed on screen until done. A principal without the delete scope is offered no deletion,
 * and the API refuses it. Screenshots go to .tmp/ui-screenshots/.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimeRange } from '../../src/time/index.ts';
import { chromiumAvailable } from '../../tools/chromium.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { tempDir } from '../helpers/server.ts';
import { type Ingested, ingest } from '../hls/hls.ingest.ts';
import { ffmpegAvailable, generateStream } from '../hls/hls.media.ts';
import { screenshotPath } from './ui.fixture.ts';
import {
  bearer,
  openSignedIn,
  read,
  refused,
  startWritesRig,
  V82,
  type WritesRig,
} from './ui.writes.fixture.ts';

const available = chromiumAvailable('web UI range deletion') && ffmpegAvailable();
const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S;
/** Deleting more segments than this answers 202 with a deletion request. */
const SYNC_LIMIT = 2;

/** The page's timeline track and key events, as the test dispatches them (no DOM types here). */
interface KeyTarget {
  dispatchEvent(event: unknown): boolean;
}
declare const KeyboardEvent: new (
  type: string,
  init: { key: string; shiftKey: boolean; bubbles: boolean; cancelable: boolean },
) => unknown;

interface Span {
  start: bigint;
  end: bigint;
}

/** A TAMS timestamp (`s:ns`) in nanoseconds. */
const timestamp = (text: string | null) => {
  const [s, ns] = (text ?? '').split(':');
  return BigInt(s ?? '0') * S + BigInt(ns ?? '0');
};

/** A segment's timerange as a half-open span of nanoseconds. */
function spanOf(timerange: string): Span {
  const range = parseTimeRange(timerange);
  if (range.start === null || range.end === null) throw new Error(`unbounded segment ${timerange}`);
  return {
    start: range.start + (range.startInclusive ? 0n : 1n),
    end: range.end + (range.endInclusive ? 1n : 0n),
  };
}

const middle = (timerange: string) => {
  const { start, end } = spanOf(timerange);
  return start + (end - start) / 2n;
};

describe.skipIf(!available)('web UI: deleting the segments of a range chosen on the timeline', () => {
  let rig: WritesRig;
  let media: Ingested;
  const scratch = tempDir('tams-ui-rangedel-media-');

  beforeAll(async () => {
    await mkdir(`${scratch.path}/ts`);
    const stream = await generateStream(`${scratch.path}/ts`, 'mpegts', 10);
    rig = await startWritesRig({ TAMS_DELETE_SYNC_LIMIT: String(SYNC_LIMIT) });
    media = await ingest(rig.server, stream, {
      sourceId: randomUUID(),
      start: T0,
      headers: bearer(rig.tokens.admin).headers,
      label: 'range deletion',
    });
    expect(media.segments.length).toBeGreaterThanOrEqual(10);
  }, SLOW_TEST_MS);

  afterAll(async () => {
    await rig?.close();
    scratch.remove();
  });
  afterEach(() => {
    expect(rig.pageErrors.splice(0)).toEqual([]);
  });

  const segmentsPath = () => `${V82}/flows/${media.flowId}/segments`;
  const listed = async () =>
    (await read<{ timerange: string }[]>(rig, `${segmentsPath()}?limit=1000`)).map((s) => s.timerange);
  const timerangeOf = (i: number) => {
    const segment = media.segments[i];
    if (!segment) throw new Error(`no segment ${i}`);
    return segment.timerange;
  };

  /** The page's x (viewport pixels) of `t` on the timeline's track, and the track's middle y. */
  async function pointAt(page: Page, t: bigint): Promise<{ x: number; y: number }> {
    // The mouse reaches only what is in the window: the track sits near its foot.
    await page.locator('.tl-track').scrollIntoViewIfNeeded();
    const svg = page.locator('svg.tl-svg');
    const view = {
      start: timestamp(await svg.getAttribute('data-view-start')),
      end: timestamp(await svg.getAttribute('data-view-end')),
    };
    const box = await page.locator('.tl-track').boundingBox();
    if (!box) throw new Error('no timeline track');
    const share = Number(t - view.start) / Number(view.end - view.start);
    return { x: box.x + share * box.width, y: box.y + 28 + 18 };
  }

  async function openFlow(token: string) {
    const opened = await openSignedIn(rig, token);
    await opened.page.goto(`${rig.server.url}/ui/flows/${media.flowId}`);
    await opened.page.getByRole('heading', { name: 'range deletion' }).waitFor();
    // The timeline has drawn the Flow's segments, and the player has its controls: they come
    // with its media and move the timeline down, away from a point measured before them.
    await opened.page.locator('.tl-run').first().waitFor();
    await opened.page.locator('video[data-ready="true"]').waitFor();
    return opened;
  }

  /**
   * Clicks the track in the middle of segment `i` (the player seeks there) and waits for the
   * playhead to be inside that segment: a loaded machine moves it some time after the click.
   */
  async function seekInto(page: Page, i: number) {
    const span = spanOf(timerangeOf(i));
    const { x, y } = await pointAt(page, middle(timerangeOf(i)));
    await page.mouse.click(x, y);
    await expect
      .poll(async () => {
        const t = timestamp(await page.locator('.tl-playhead').getAttribute('data-time'));
        return t >= span.start && t < span.end;
      })
      .toBe(true);
  }

  /** Seeks into segment `i`, then presses `key` there: `[` and `]` mark where the playhead is. */
  async function markAt(page: Page, i: number, key: '[' | ']') {
    await seekInto(page, i);
    await page.keyboard.press(key);
  }

  /** Drags on the track from one point to another with Shift held: a range, not a pan. */
  async function shiftDrag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
    await page.keyboard.down('Shift');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
  }

  /** The chosen range as the timeline shows it. */
  async function chosen(page: Page): Promise<Span> {
    const text = page.getByTestId('timeline-range').locator('[data-start]');
    await text.waitFor();
    return {
      start: timestamp(await text.getAttribute('data-start')),
      end: timestamp(await text.getAttribute('data-end')),
    };
  }

  /**
   * Opens the deletion of `range`, checks that the dialog names the segments wholly inside it
   * (and only those) as going and the ones it covers in part as staying, confirms, waits for the
   * deletion to be done, and returns the DELETE's status.
   */
  async function deleteRange(page: Page, range: Span, before: string[], shot: string): Promise<number> {
    const going = before.filter((t) => {
      const s = spanOf(t);
      return s.start >= range.start && s.end <= range.end;
    });
    const staying = before.filter((t) => {
      const s = spanOf(t);
      return s.start < range.end && s.end > range.start && !going.includes(t);
    });
    await page.getByRole('button', { name: 'Delete segments…' }).click();
    const dialog = page.getByTestId('segments-delete-dialog');
    const goingItem = dialog.getByTestId('segments-going');
    await goingItem.waitFor();
    expect(Number(await goingItem.getAttribute('data-count'))).toBe(going.length);
    expect(await goingItem.textContent()).toContain(`${going.length} segment`);
    expect(timestamp(await goingItem.getAttribute('data-start'))).toBe(spanOf(going[0] ?? '').start);
    expect(timestamp(await goingItem.getAttribute('data-end'))).toBe(spanOf(going.at(-1) ?? '').end);
    const stays = await dialog
      .getByTestId('segments-staying')
      .locator('li[data-timerange]')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-timerange')));
    expect(stays).toEqual(staying);
    await page.screenshot({ path: screenshotPath(shot) });
    const answer = page.waitForResponse(
      (r) => r.request().method() === 'DELETE' && new URL(r.url()).pathname === segmentsPath(),
    );
    await dialog.getByRole('button', { name: /^Delete \d+ segments?$/ }).click();
    const status = (await answer).status();
    await dialog.getByTestId('segments-deleted').waitFor();
    // The API lists the segments less exactly the ones wholly inside the range.
    expect(await listed()).toEqual(before.filter((t) => !going.includes(t)));
    return status;
  }

  /** The timeline and the segment list show the deletion: a gap where the segments were. */
  async function reloaded(page: Page, gap: Span) {
    const drawn = page.locator(`.tl-gap[data-start="${formatTimestamp(gap.start)}"]`);
    await drawn.waitFor({ state: 'attached' });
    expect(timestamp(await drawn.getAttribute('data-end'))).toBe(gap.end);
  }

  it('marks a range with [ and ] and deletes the segments wholly inside it at once (204)', async () => {
    const { context, page } = await openFlow(rig.tokens.admin);
    try {
      const before = await listed();
      expect(before).toEqual(media.segments.map((s) => s.timerange));
      // From the middle of the second segment to the middle of the fourth: the third goes.
      await markAt(page, 1, '[');
      await page.getByTestId('timeline-range-mark').waitFor();
      await markAt(page, 3, ']');
      const range = await chosen(page);
      expect(range.start).toBeGreaterThan(spanOf(timerangeOf(1)).start);
      expect(range.start).toBeLessThan(spanOf(timerangeOf(1)).end);
      expect(range.end).toBeGreaterThan(spanOf(timerangeOf(3)).start);
      expect(range.end).toBeLessThan(spanOf(timerangeOf(3)).end);
      expect(await page.locator('rect.tl-range').count()).toBe(1);
      await page.getByTestId('timeline-range').scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath('rangedel-range') });

      const status = await deleteRange(page, range, before, 'rangedel-dialog');
      expect(status).toBe(204);
      await page.getByTestId('segments-delete-dialog').getByRole('button', { name: 'Done' }).click();
      await reloaded(page, spanOf(timerangeOf(2)));
      // The segment list was read again: the deleted segment is no longer a row.
      const rows = page.locator('table[data-testid="segments"] tbody tr[data-timerange]');
      await expect
        .poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-timerange'))))
        .toEqual(before.filter((t) => t !== timerangeOf(2)));
      // The range went with its segments.
      await page.getByTestId('timeline-range').waitFor({ state: 'detached' });
      expect(await page.getByRole('button', { name: 'Delete segments…' }).count()).toBe(0);

      // Escape clears a range being marked.
      await markAt(page, 5, '[');
      await page.getByTestId('timeline-range-mark').waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('timeline-range-mark').waitFor({ state: 'detached' });
    } finally {
      await context.close();
    }
  });

  it('marks a range with keys pressed faster than the page renders', async () => {
    const { context, page } = await openFlow(rig.tokens.admin);
    try {
      await seekInto(page, 1);
      // Home, `[` and `]` in one task: no render comes between them, so `]` must add its end to
      // the start `[` marked (the Flow's start, right after Home), not to the marks last rendered.
      await page.locator('.tl-track').evaluate((track: KeyTarget) => {
        const key = (k: string, shiftKey = false) =>
          track.dispatchEvent(
            new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true, cancelable: true }),
          );
        key('Home');
        key('[');
        key(']');
      });
      const range = await chosen(page);
      expect(range.start).toBe(spanOf(timerangeOf(0)).start);
      expect(range.end).toBeGreaterThan(spanOf(timerangeOf(1)).start);
      expect(range.end).toBeLessThan(spanOf(timerangeOf(1)).end);
      await page.keyboard.press('Escape');
      await page.getByTestId('timeline-range').waitFor({ state: 'detached' });
    } finally {
      await context.close();
    }
  });

  it('drags a range with Shift held and follows the deletion request to done (202)', async () => {
    const { context, page } = await openFlow(rig.tokens.admin);
    try {
      const before = await listed();
      // From the middle of the fifth segment to the middle of the tenth: four whole ones, more
      // than the server deletes at once.
      const from = await pointAt(page, middle(timerangeOf(4)));
      const to = await pointAt(page, middle(timerangeOf(9)));
      await shiftDrag(page, from, to);
      const range = await chosen(page);
      expect(range.start).toBeGreaterThan(spanOf(timerangeOf(4)).start);
      expect(range.end).toBeLessThan(spanOf(timerangeOf(9)).end);
      await page.getByTestId('timeline-range').scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath('rangedel-drag') });

      const status = await deleteRange(page, range, before, 'rangedel-dialog-202');
      expect(status).toBe(202);
      const progress = page.getByTestId('deletion-progress');
      expect(await progress.textContent()).toContain('done');
      const requestId = await progress.locator('code').first().textContent();
      await page.screenshot({ path: screenshotPath('rangedel-done') });
      const request = await read<{ flow_id: string; status: string; delete_flow: boolean }>(
        rig,
        `${V82}/flow-delete-requests/${requestId}`,
      );
      expect(request).toMatchObject({ flow_id: media.flowId, status: 'done', delete_flow: false });
      await page.getByRole('button', { name: 'Done' }).click();
      await reloaded(page, { start: spanOf(timerangeOf(5)).start, end: spanOf(timerangeOf(8)).end });
      // The player started again on what is left, rather than fail on a playlist that changed.
      await page.locator('.tl-track').scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath('rangedel-after') });
      expect(await page.getByText(/Playback failed/).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('offers no deletion without the delete scope, which the API refuses; none on a read-only Flow', async () => {
    const { context, page } = await openFlow(rig.tokens.editor);
    try {
      await markAt(page, 0, '[');
      await markAt(page, 9, ']');
      await chosen(page);
      expect(await page.getByRole('button', { name: /Delete segments/ }).count()).toBe(0);
      const whole = encodeURIComponent(`[${formatTimestamp(T0)}_${formatTimestamp(T0 + 100n * S)})`);
      await refused(rig, 'DELETE', `${segmentsPath()}?timerange=${whole}`, rig.tokens.editor);
    } finally {
      await context.close();
    }

    const admin = bearer(rig.tokens.admin);
    const put = await rig.server.put(`${V82}/flows/${media.flowId}/read_only`, 'true', admin);
    expect(put.status, put.text).toBe(204);
    try {
      const { context: adminContext, page: adminPage } = await openFlow(rig.tokens.admin);
      try {
        await markAt(adminPage, 0, '[');
        await markAt(adminPage, 9, ']');
        await adminPage
          .getByTestId('timeline-range')
          .getByText(/Read-only: clear read-only/)
          .waitFor();
        expect(await adminPage.getByRole('button', { name: /Delete segments/ }).count()).toBe(0);
      } finally {
        await adminContext.close();
      }
    } finally {
      const cleared = await rig.server.put(`${V82}/flows/${media.flowId}/read_only`, 'false', admin);
      expect(cleared.status, cleared.text).toBe(204);
    }
  });

  it("keeps one range for deletion and download: a Shift-drag is the download's, Start and End at player the deletion's", async () => {
    const { context, page } = await openFlow(rig.tokens.admin);
    const exportRange = () => page.locator('[data-testid="flow-export"] .export-range code').textContent();
    const source = () => page.getByTestId('export-source').textContent();
    try {
      // Segments 2 and 5 to 8 went above: 0, 1, 3, 4 and 9 are left.
      const before = await listed();
      const whole = `[${formatTimestamp(spanOf(before[0] ?? '').start)}_${formatTimestamp(spanOf(before.at(-1) ?? '').end)})`;
      // Nothing marked: the download is the whole Flow.
      await expect.poll(exportRange).toBe(whole);

      // A range dragged on the timeline is the download's; the legend says what the range is
      // for and how it is marked.
      await shiftDrag(
        page,
        await pointAt(page, middle(timerangeOf(0))),
        await pointAt(page, middle(timerangeOf(1))),
      );
      const dragged = await chosen(page);
      await expect
        .poll(exportRange)
        .toBe(`[${formatTimestamp(dragged.start)}_${formatTimestamp(dragged.end)})`);
      expect(await source()).toBe('The range marked on the timeline.');
      expect(await page.getByTestId('timeline-legend').textContent()).toContain(
        'range, which Delete and Download take: Shift-drag, [ ] or Start and End at player',
      );
      // Whole Flow clears it on the timeline too: one range, not two.
      await page.getByRole('button', { name: 'Whole Flow' }).click();
      await page.getByTestId('timeline-range').waitFor({ state: 'detached' });
      expect(await page.locator('rect.tl-range').count()).toBe(0);
      await expect.poll(exportRange).toBe(whole);
      expect(await source()).toMatch(/^The whole Flow/);

      // Start and End at player mark the timeline's range, which the deletion takes.
      await seekInto(page, 3);
      await page.getByRole('button', { name: 'Start at player' }).click();
      await page.getByTestId('timeline-range-mark').waitFor();
      expect(await source()).toBe("From the start marked on the timeline to the Flow's end, as it grows.");
      await seekInto(page, 9);
      await page.getByRole('button', { name: 'End at player' }).click();
      const marked = await chosen(page);
      expect(marked.start).toBeGreaterThan(spanOf(timerangeOf(3)).start);
      expect(marked.end).toBeLessThan(spanOf(timerangeOf(9)).end);
      expect(await page.locator('rect.tl-range').count()).toBe(1);
      await expect
        .poll(exportRange)
        .toBe(`[${formatTimestamp(marked.start)}_${formatTimestamp(marked.end)})`);
      await page.locator('.tl-track').scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath('range-one-for-both'), fullPage: true });
      await page.getByRole('button', { name: 'Delete segments…' }).click();
      const going = page.getByTestId('segments-delete-dialog').getByTestId('segments-going');
      await going.waitFor();
      // Wholly inside: segment 4 alone (5 to 8 are gone).
      expect(Number(await going.getAttribute('data-count'))).toBe(1);
      expect(await going.getAttribute('data-start')).toBe(formatTimestamp(spanOf(timerangeOf(4)).start));
      await page.getByTestId('segments-delete-dialog').getByRole('button', { name: 'Cancel' }).click();
      expect(await listed()).toEqual(before);
    } finally {
      await context.close();
    }
  });

  it('deletes every segment, chosen by Shift-drag and by Home [ End ]: the dialog says so, then the page that the Flow has none', async () => {
    const { context, page } = await openFlow(rig.tokens.admin);
    try {
      const before = await listed();
      expect(before.length).toBeGreaterThan(SYNC_LIMIT);
      // From left of the Flow's start to right of its end (the view's margins): the timeline
      // keeps the range to the Flow, all of it.
      const svg = page.locator('svg.tl-svg');
      const view = {
        start: timestamp(await svg.getAttribute('data-view-start')),
        end: timestamp(await svg.getAttribute('data-view-end')),
      };
      const first = spanOf(before[0] ?? '').start;
      const last = spanOf(before.at(-1) ?? '').end;
      const from = await pointAt(page, (view.start + first) / 2n);
      const to = await pointAt(page, (last + view.end) / 2n);
      await shiftDrag(page, from, to);
      expect(await chosen(page)).toEqual({ start: first, end: last });
      await page.keyboard.press('Escape');
      await page.getByTestId('timeline-range').waitFor({ state: 'detached' });

      // With the keyboard: `[` right after Home marks the Flow's start, `]` right after End its
      // end (End leaves the player short of the exclusive end), so the range holds all of it.
      await page.locator('.tl-track').focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('[');
      await page.keyboard.press('End');
      await page.keyboard.press(']');
      expect(await chosen(page)).toEqual({ start: first, end: last });

      // The dialog lists every segment as going.
      await deleteRange(page, { start: first, end: last }, before, 'rangedel-dialog-all');
      expect(await listed()).toEqual([]);
      // The dialog stays, saying done, until it is closed; then the page reads the Flow again.
      expect(await page.getByTestId('deletion-progress').textContent()).toContain('done');
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByText('This Flow has no segments yet.').waitFor();
      await page.screenshot({ path: screenshotPath('rangedel-all') });
    } finally {
      await context.close();
    }
  });
});
