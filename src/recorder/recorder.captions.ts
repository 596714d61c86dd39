/**
 * The caption Flow of a job whose HLS source has a subtitle rendition: the cues its WebVTT
 * segments carry, cut at the video's segment boundaries, so each caption segment has its video
 * segment's timerange and `ts_offset` (the Flow plays beside the video, and a client asking for
 * a time gets the captions of exactly that time).
 */
import type { PlacedSegment, SegmentPts } from './recorder.timeline.ts';
import { signedDistance, wrap } from './recorder.timeline.ts';
import { type VttCue, writeVtt } from './recorder.webvtt.ts';

/** Cues held at most: a caption a second for over an hour, should the video stall that long. */
const MAX_HELD = 5000;

/**
 * The cues read from the subtitle rendition and not yet written. HLS repeats a cue that spans
 * segments in each of them: one with the same times and text is kept once.
 */
export class CaptionCues {
  private readonly held = new Map<string, VttCue>();

  add(cues: readonly VttCue[]): void {
    for (const cue of cues) {
      const key = `${cue.start}/${cue.end - cue.start}/${cue.id ?? ''}/${cue.payload}`;
      if (this.held.has(key)) continue;
      if (this.held.size >= MAX_HELD) {
        const oldest = this.held.keys().next();
        if (!oldest.done) this.held.delete(oldest.value);
      }
      this.held.set(key, cue);
    }
  }

  /** The cues overlapping [start, start + length) on the MPEG-TS clock, in start order. */
  within(start: bigint, length: bigint): VttCue[] {
    return [...this.held.values()]
      .filter((cue) => {
        const from = signedDistance(cue.start, start);
        return from < length && from + (cue.end - cue.start) > 0n;
      })
      .sort((a, b) => Number(signedDistance(a.start, b.start)));
  }

  /** Forgets the cues that end at or before `pts`: written already, or from before the run. */
  forgetBefore(pts: bigint): void {
    for (const [key, cue] of this.held)
      if (signedDistance(cue.start, pts) + (cue.end - cue.start) <= 0n) this.held.delete(key);
  }
}

/** A video segment registered, waiting for its captions. */
interface Waiting {
  placed: PlacedSegment;
  pts: SegmentPts;
}

/**
 * Writes a caption segment for each video segment, one video segment late: the subtitle
 * rendition is read beside the video, and by the time the next video segment is finished the
 * WebVTT segments of the one before have come (they are listed together). While the subtitle
 * feed is failing nothing is written: the caption Flow has a gap where its cues are unknown,
 * never an empty segment claiming there were none.
 */
export class CaptionRun {
  private waiting: Waiting | undefined;

  constructor(
    private readonly cues: CaptionCues,
    /** Whether the subtitle rendition is being read (its last fetch succeeded). */
    private readonly reading: () => boolean,
    /** Uploads and registers one caption segment. */
    private readonly store: (vtt: string, placed: PlacedSegment) => Promise<void>,
  ) {}

  /** The video segment `placed` was registered: the one before it gets its captions. */
  async videoPlaced(placed: PlacedSegment, pts: SegmentPts): Promise<void> {
    const before = this.waiting;
    this.waiting = { placed, pts };
    if (before !== undefined) await this.write(before);
  }

  /** The run ends: the last video segment gets the captions come so far. */
  async flush(): Promise<void> {
    const last = this.waiting;
    this.waiting = undefined;
    if (last !== undefined) await this.write(last);
  }

  private async write({ placed, pts }: Waiting): Promise<void> {
    const length = wrap(pts.endPts - pts.startPts);
    const cues = this.cues.within(pts.startPts, length);
    this.cues.forgetBefore(pts.endPts);
    if (!this.reading()) return;
    await this.store(writeVtt(pts.startPts, length, cues), placed);
  }
}
