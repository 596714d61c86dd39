import { describe, expect, it } from 'vitest';
import { parseTimeRange } from '../time/index.ts';
import { PTS_MODULO, RunTimeline, ticksToNs, wrap } from './recorder.timeline.ts';

const NOW = 1_700_000_000_000_000_000n;
const SECOND = 1_000_000_000n;

/** `count` segments of `frames` frames of `frameTicks` each, from `firstPts`, contiguous in PTS. */
function segments(firstPts: bigint, count: number, frames: bigint, frameTicks: bigint) {
  const out: { startPts: bigint; endPts: bigint }[] = [];
  let pts = firstPts;
  for (let i = 0; i < count; i++) {
    const end = pts + frames * frameTicks;
    out.push({ startPts: wrap(pts), endPts: wrap(end) });
    pts = end;
  }
  return out;
}

function bounds(timerange: string): [bigint, bigint] {
  const range = parseTimeRange(timerange);
  return [range.start as bigint, range.end as bigint];
}

describe('RunTimeline', () => {
  it.each([
    ['25 fps', 3600n],
    ['29.97 fps', 3003n],
  ])('keeps thousands of %s segments contiguous, exactly as their ticks say', (_, frameTicks) => {
    const timeline = new RunTimeline();
    const list = segments(123_457n, 5000, 50n, frameTicks);
    const placed = list.map((s) => timeline.place('video', s, NOW));
    // Anchored to end at the wall clock given: the segment is whole when it is placed.
    const first = NOW - ticksToNs(50n * frameTicks);
    expect(placed[0]?.start).toBe(first);
    expect(placed[0]?.anchored).toBe(true);
    for (let i = 1; i < placed.length; i++) {
      expect(bounds(placed[i]?.timerange as string)[0]).toBe(bounds(placed[i - 1]?.timerange as string)[1]);
      expect(placed[i]?.anchored).toBe(false);
    }
    // The last end is the anchor plus the exact duration of all frames, rounded once.
    const ticks = 5000n * 50n * frameTicks;
    expect(placed.at(-1)?.end).toBe(first - ticksToNs(123_457n) + ticksToNs(123_457n + ticks));
    // One ts_offset for the whole anchor: every segment's media time maps by the same offset.
    expect(new Set(placed.map((p) => p.tsOffset)).size).toBe(1);
    expect(placed[7]?.start).toBe(ticksToNs(list[7]?.startPts as bigint) + (placed[7]?.tsOffsetNs as bigint));
  });

  it('keeps a 29.97 fps audio and video pair in sync on one anchor', () => {
    const timeline = new RunTimeline();
    const video = segments(900_000n, 10, 60n, 3003n);
    const audio = segments(899_000n, 10, 94n, 1920n);
    const a0 = timeline.place('audio:1', audio[0] as never, NOW);
    const v0 = timeline.place('video', video[0] as never, NOW + 5n * SECOND);
    expect(a0.anchored).toBe(true);
    expect(v0.anchored).toBe(false);
    expect(v0.start - a0.start).toBe(ticksToNs(1000n));
  });

  it('continues across a 33-bit PTS wrap', () => {
    const timeline = new RunTimeline();
    const list = segments(PTS_MODULO - 5n * 180_000n - 1234n, 12, 50n, 3600n);
    expect(list.some((s) => s.startPts < 180_000n)).toBe(true);
    const placed = list.map((s) => timeline.place('video', s, NOW));
    for (let i = 1; i < placed.length; i++) {
      expect(placed[i]?.start).toBe(placed[i - 1]?.end);
      expect((placed[i]?.end as bigint) - (placed[i]?.start as bigint)).toBe(2n * SECOND);
      expect(placed[i]?.anchored).toBe(false);
    }
    // A frame lost just at the wrap: the next segment starts one frame after the end, as a gap.
    const before = timeline.place(
      'audio:1',
      { startPts: PTS_MODULO - 181_000n, endPts: PTS_MODULO - 1000n },
      NOW,
    );
    const after = timeline.place('audio:1', { startPts: 2600n, endPts: 182_600n }, NOW);
    expect(after.anchored).toBe(false);
    expect(after.start - before.end).toBe(ticksToNs(3600n));
  });

  it('re-anchors a jump back at the wall clock, never before the previous end', () => {
    const timeline = new RunTimeline();
    const first = segments(10_000_000n, 3, 50n, 3600n);
    const placed = first.map((s) => timeline.place('video', s, NOW));
    const lastEnd = placed.at(-1)?.end as bigint;
    // The source restarted at PTS 0: with the wall clock behind the previous end, no overlap.
    const restarted = segments(0n, 2, 50n, 3600n);
    const early = timeline.place('video', restarted[0] as never, NOW);
    expect(early.anchored).toBe(true);
    expect(early.start).toBe(lastEnd);
    expect(timeline.place('video', restarted[1] as never, NOW).start).toBe(early.end);
    // With the wall clock ahead, ending at the wall clock: a gap.
    const again = timeline.place('video', segments(5n, 1, 50n, 3600n)[0] as never, lastEnd + 60n * SECOND);
    expect(again.end).toBe(lastEnd + 60n * SECOND);
  });

  it('re-anchors a jump forward beyond the bound, and keeps a small gap as a gap', () => {
    const timeline = new RunTimeline();
    const a = timeline.place('video', { startPts: 0n, endPts: 180_000n }, NOW);
    // 5 s later in PTS: within the bound, placed by PTS distance (a 5 s gap).
    const b = timeline.place('video', { startPts: 630_000n, endPts: 810_000n }, NOW);
    expect(b.start - a.end).toBe(5n * SECOND);
    expect(b.anchored).toBe(false);
    // An hour later in PTS: a restart, placed at the wall clock given.
    const later = NOW + 10n * SECOND;
    const c = timeline.place(
      'video',
      { startPts: 810_000n + 324_000_000n, endPts: 810_000n + 324_180_000n },
      later,
    );
    expect(c.anchored).toBe(true);
    expect(c.end).toBe(later);
  });

  it('lets the other tracks join the anchor a restart made', () => {
    const timeline = new RunTimeline();
    timeline.place('video', { startPts: 5_000_000n, endPts: 5_180_000n }, NOW);
    timeline.place('audio:1', { startPts: 5_000_000n, endPts: 5_180_000n }, NOW);
    const v = timeline.place('video', { startPts: 90_000n, endPts: 270_000n }, NOW + 7n * SECOND);
    const a = timeline.place('audio:1', { startPts: 91_920n, endPts: 271_920n }, NOW + 9n * SECOND);
    expect(v.anchored).toBe(true);
    expect(a.anchored).toBe(false);
    expect(a.start - v.start).toBe(ticksToNs(1920n));
  });

  it('starts the run where ffmpeg started reading, and later anchors when their segment ended', () => {
    const timeline = new RunTimeline({ startTai: NOW });
    // Reported late (ffmpeg's buffering): still placed from when reading began.
    const first = timeline.place('video', { startPts: 900_000n, endPts: 1_080_000n }, NOW + 7n * SECOND);
    expect(first.start).toBe(NOW);
    const next = timeline.place('video', { startPts: 1_080_000n, endPts: 1_260_000n }, NOW + 8n * SECOND);
    expect(next.start).toBe(first.end);
    // A restart of the source's clock: ending at the wall clock it is placed with.
    const restarted = timeline.place('video', { startPts: 0n, endPts: 180_000n }, NOW + 30n * SECOND);
    expect(restarted.anchored).toBe(true);
    expect(restarted.end).toBe(NOW + 30n * SECOND);
    // Never before the previous run's end.
    const resumed = new RunTimeline({ startTai: NOW, resumeAfter: NOW + SECOND });
    expect(resumed.place('video', { startPts: 0n, endPts: 180_000n }, NOW + 9n * SECOND).start).toBe(
      NOW + SECOND,
    );
  });

  it('starts a resumed run no earlier than where the previous run ended', () => {
    const ended = NOW + 3n * SECOND;
    const timeline = new RunTimeline({ resumeAfter: ended });
    const first = timeline.place('video', { startPts: 1000n, endPts: 181_000n }, NOW);
    expect(first.start).toBe(ended);
    // A track whose first PTS is earlier than the anchor's would land before the end: it anchors on its own.
    const audio = timeline.place('audio:1', { startPts: 0n, endPts: 1920n }, NOW);
    expect(audio.start).toBeGreaterThanOrEqual(ended);
    // A wall clock past the end (by more than the segment) wins.
    const late = new RunTimeline({ resumeAfter: ended }).place(
      'video',
      { startPts: 0n, endPts: 1n },
      ended + 1n + ticksToNs(1n),
    );
    expect(late.start).toBe(ended + 1n);
  });

  describe("a run that goes on with the previous run's clock", () => {
    const video = segments(900_000n, 20, 50n, 3600n);
    /** The first run: segments 0-9, placed as they come, and the clock its row keeps. */
    function firstRun() {
      const timeline = new RunTimeline({ startTai: NOW });
      const placed = video
        .slice(0, 10)
        .map((s, i) => timeline.placeAfter('video', s, NOW + BigInt(i) * 2n * SECOND));
      return { placed: placed as NonNullable<(typeof placed)[0]>[], clock: timeline.clock() };
    }

    it('places segments after a takeover where the first run would have: the lost ones are the gap', () => {
      const { placed, clock } = firstRun();
      expect(clock).toBeDefined();
      const resumeAfter = placed.at(-1)?.end as bigint;
      // Segments 10-12 went while no run read the source; the next run starts at 13, 9 s later.
      const next = new RunTimeline({ resumeAfter, clock, startTai: NOW + 29n * SECOND });
      const goes = video.slice(13).map((s) => next.placeAfter('video', s, NOW + 30n * SECOND));
      expect(goes.every((p) => p !== null && !p.anchored)).toBe(true);
      // Exactly 3 segments (6 s) after the first run's end, then contiguous.
      expect(goes[0]?.start).toBe(resumeAfter + 6n * SECOND);
      for (let i = 1; i < goes.length; i++) expect(goes[i]?.start).toBe(goes[i - 1]?.end);
      expect(goes[0]?.tsOffset).toBe(placed[0]?.tsOffset);
    });

    it("drops what was recorded already, and goes on from the first run's end with no gap", () => {
      const { placed, clock } = firstRun();
      const resumeAfter = placed.at(-1)?.end as bigint;
      // Read again from segment 7 (an HLS playlist a few segments back).
      const next = new RunTimeline({ resumeAfter, clock, startTai: NOW + 25n * SECOND });
      const again = video.slice(7).map((s) => next.placeAfter('video', s, NOW + 26n * SECOND));
      expect(again.slice(0, 3)).toEqual([null, null, null]);
      expect(again[3]?.start).toBe(resumeAfter);
      expect(again[3]?.anchored).toBe(false);
    });

    it('anchors anew on a clock of its own (the source restarted), after the first run', () => {
      const { placed, clock } = firstRun();
      const resumeAfter = placed.at(-1)?.end as bigint;
      const other = segments(5_000_000_000n, 3, 50n, 3600n);
      const startTai = NOW + 40n * SECOND;
      const next = new RunTimeline({ resumeAfter, clock, startTai });
      const p = next.placeAfter('video', other[0] as never, startTai + SECOND);
      expect(p?.anchored).toBe(true);
      expect(p?.start).toBe(startTai);
    });
  });
});
