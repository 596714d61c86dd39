/**
 * Where a recorded segment sits on the TAMS Flow timeline, from the 90 kHz PTS its file carries.
 *
 * The rules (docs/recorder.md states them for users):
 * - Anchor. A job run's first segment (of whichever track reports first) is anchored: its first
 *   PTS is placed at the TAI time the caller gives (the wall clock as TAI at that moment), or at
 *   the end of the previous run (`resumeAfter`, another replica held the job before) when that is
 *   later, so a takeover leaves a gap, never an overlap.
 * - Placement. Every later segment, of every track of the run, is placed by its PTS distance from
 *   that anchor: the tracks share the source's program clock, so they stay in sync with each other.
 *   A tick position t becomes nanoseconds as `offset + round(t * 10^9 / 90000)`: the tick position
 *   is rounded, never a difference, so when segment n ends at the PTS where n+1 starts, their
 *   timeranges meet exactly (end of n == start of n+1 as strings).
 * - Wrap. MPEG-TS carries 33-bit PTS (they wrap every 2^33 / 90000 s, about 26.5 h). A segment
 *   starting far below the previous end (by more than half the range) continues past the wrap:
 *   distances are taken modulo 2^33, as signed values in (-2^32, 2^32].
 * - Discontinuity. A start before the previous end of the same track (the source restarted, its
 *   clock went back), or more than `maxJumpTicks` after it (default 10 s), re-anchors: the
 *   segment is placed at the caller's current wall-clock TAI, but never before the track's
 *   previous end (a gap, never an overlap). The other tracks, when they meet the same jump, join
 *   that new anchor if their PTS are within `maxJumpTicks` of it and it keeps them after their
 *   own previous end; otherwise they anchor themselves the same way.
 * - Takeover on the same clock. A run that goes on with a job another run recorded (a takeover, a
 *   retry) is given that run's clock (`clock`: its anchor, where it got to, and the wall clock
 *   then). A segment whose PTS continue it (no further ahead than the wall clock went on since,
 *   plus `maxJumpTicks`; at most `maxJumpTicks` behind) is placed on it, exactly where the
 *   previous run would have placed it: what the source sent while no run read it is the gap, and
 *   nothing else. Such a segment that starts before `resumeAfter` was recorded already (an HLS
 *   source read again from a few segments back), or straddles it: it is dropped (`place` answers
 *   null), never registered twice, never moved.
 * - ts_offset. TAMS defines segment_ts = media_object_ts + ts_offset, where media_object_ts is the
 *   file's own PTS in seconds (as carried: wrapped). The offset given is the segment's start minus
 *   its first PTS as nanoseconds (rounded the same way); it stays the same for every segment of an
 *   anchor until a wrap, after which it moves by 2^33 ticks (to within a nanosecond).
 */
import { formatTimestamp, TimeRange } from '../time/index.ts';

/** The modulus of MPEG-TS timestamps (33 bits). */
export const PTS_MODULO = 1n << 33n;
const HALF_RANGE = 1n << 32n;
/** 10 seconds at 90 kHz. */
export const DEFAULT_MAX_JUMP_TICKS = 900_000n;

/** A segment's PTS as in its file: 90 kHz ticks, 33-bit wrapped values. */
export interface SegmentPts {
  startPts: bigint;
  endPts: bigint;
}

export interface PlacedSegment {
  /** Nanoseconds on the Flow timeline (TAI); start inclusive, end exclusive. */
  start: bigint;
  end: bigint;
  /** The TAMS string `[start_end)`. */
  timerange: string;
  /** TAMS `ts_offset` (segment ts - media object ts), as a TAMS timestamp string. */
  tsOffset: string;
  tsOffsetNs: bigint;
  /** Whether this segment started a new anchor (the run's first, or after a discontinuity). */
  anchored: boolean;
}

/** A run's PTS-to-timeline mapping as a job's row keeps it, for the run that goes on after it. */
export interface TimelineClock {
  /** Nanoseconds on the timeline of tick position 0 of the clock's own coordinate. */
  offset: bigint;
  /** The latest end placed on it: its tick position and wrapped PTS. */
  latestTicks: bigint;
  latestPts: bigint;
  /** The wall clock (ns TAI) when that end was placed. */
  at: bigint;
}

export interface TimelineOptions {
  /** Where the previous run of the job ended (ns TAI): nothing of this run starts before it. */
  resumeAfter?: bigint | null;
  /** The previous run's clock: segments on it are placed where that run would have put them. */
  clock?: TimelineClock | null;
  /** The largest forward jump between a track's segments that is still a gap, not a restart. */
  maxJumpTicks?: bigint;
  /**
   * The wall clock (ns TAI) when ffmpeg started reading a live source: the run's first segment
   * starts there. Anchoring it at the time it is reported instead would put the run ahead of the
   * wall clock by what ffmpeg buffered while it analysed the input (segments then come in a burst:
   * ~3 s ahead was measured on UDP). Without it, the first segment ends at the `nowTai` it is
   * placed with.
   */
  startTai?: bigint;
}

/** An anchor: tick positions of its own coordinate map to `offset + round(t * 10^9 / 90000)`. */
interface Epoch {
  offset: bigint;
  /** The latest end seen in it: its tick position and wrapped PTS, to judge whether a PTS joins. */
  latestTicks: bigint;
  latestPts: bigint;
}

interface TrackState {
  epoch: Epoch;
  lastEndTicks: bigint;
  lastEndPts: bigint;
  lastEndNs: bigint;
}

/** One job run's timeline: place each track's segments, in order per track. */
export class RunTimeline {
  private readonly resumeAfter: bigint | null;
  private readonly maxJump: bigint;
  private readonly startTai: bigint | undefined;
  private epoch: Epoch | null = null;
  private readonly tracks = new Map<string, TrackState>();
  /** The previous run's clock, until a segment is placed on it or anchors elsewhere. */
  private inherited: TimelineClock | null;
  private at: bigint | undefined;

  constructor(options: TimelineOptions = {}) {
    this.resumeAfter = options.resumeAfter ?? null;
    this.maxJump = options.maxJumpTicks ?? DEFAULT_MAX_JUMP_TICKS;
    this.startTai = options.startTai;
    this.inherited = options.clock ?? null;
  }

  /** The clock as the job's row keeps it (after the run's first placement). */
  clock(): TimelineClock | undefined {
    const epoch = this.epoch;
    if (epoch === null || this.at === undefined) return undefined;
    return { offset: epoch.offset, latestTicks: epoch.latestTicks, latestPts: epoch.latestPts, at: this.at };
  }

  /**
   * Places the next segment of `track` as place() does; null when it lies on the previous run's
   * clock before `resumeAfter` (recorded already): the caller drops it.
   */
  placeAfter(track: string, segment: SegmentPts, nowTai: bigint): PlacedSegment | null {
    if (this.inherited !== null && !this.tracks.has(track)) {
      const inherited = this.inherited;
      const startPts = wrap(segment.startPts);
      const distance = signedDistance(startPts, inherited.latestPts);
      const wallTicks = ((nowTai - inherited.at) * 9n) / 100_000n;
      if (distance >= -this.maxJump && distance <= wallTicks + this.maxJump) {
        const epoch: Epoch = this.epoch ?? {
          offset: inherited.offset,
          latestTicks: inherited.latestTicks,
          latestPts: inherited.latestPts,
        };
        const startTicks = inherited.latestTicks + distance;
        const endTicks = startTicks + wrap(segment.endPts - startPts);
        if (this.resumeAfter !== null && epoch.offset + ticksToNs(startTicks) < this.resumeAfter) {
          // Recorded already (or in part): keep the clock for the segments that follow.
          this.epoch = epoch;
          if (endTicks > epoch.latestTicks) {
            epoch.latestTicks = endTicks;
            epoch.latestPts = wrap(endTicks);
          }
          return null;
        }
        this.epoch = epoch;
        this.tracks.set(track, {
          epoch,
          lastEndTicks: startTicks,
          lastEndPts: startPts,
          lastEndNs: epoch.offset + ticksToNs(startTicks),
        });
      }
    }
    return this.place(track, segment, nowTai);
  }

  /**
   * Places the next segment of `track` (any key naming it, e.g. `video`, `audio:1`); `nowTai` is
   * the wall clock as TAI nanoseconds now, used only when the segment anchors.
   */
  place(track: string, segment: SegmentPts, nowTai: bigint): PlacedSegment {
    const startPts = wrap(segment.startPts);
    const duration = wrap(segment.endPts - startPts);
    const state = this.tracks.get(track);
    let epoch: Epoch;
    let startTicks: bigint;
    let anchored = false;
    const distance = state ? signedDistance(startPts, state.lastEndPts) : null;
    if (state && distance !== null && distance >= 0n && distance <= this.maxJump) {
      epoch = state.epoch;
      startTicks = state.lastEndTicks + distance;
    } else {
      const floor = maxOf(state?.lastEndNs ?? null, this.resumeAfter);
      const joined = this.join(startPts, floor);
      if (joined) {
        [epoch, startTicks] = joined;
      } else {
        // The run's first segment starts when ffmpeg started reading (startTai). Later anchors
        // (a restart of the source's clock): the segment is whole when placed, so it ended by
        // now, its start a duration before.
        const wall =
          this.epoch === null && this.startTai !== undefined ? this.startTai : nowTai - ticksToNs(duration);
        const at = maxOf(wall, floor) as bigint;
        epoch = { offset: at - ticksToNs(startPts), latestTicks: startPts, latestPts: startPts };
        this.epoch = epoch;
        startTicks = startPts;
        anchored = true;
      }
    }
    const endTicks = startTicks + duration;
    const start = epoch.offset + ticksToNs(startTicks);
    const end = epoch.offset + ticksToNs(endTicks);
    if (endTicks > epoch.latestTicks) {
      epoch.latestTicks = endTicks;
      epoch.latestPts = wrap(endTicks);
    }
    this.tracks.set(track, { epoch, lastEndTicks: endTicks, lastEndPts: wrap(endTicks), lastEndNs: end });
    this.at = nowTai;
    const tsOffsetNs = start - ticksToNs(startPts);
    return {
      start,
      end,
      timerange: TimeRange.from(start, end, { endInclusive: false }).format(),
      tsOffset: formatTimestamp(tsOffsetNs),
      tsOffsetNs,
      anchored,
    };
  }

  /** The run's current anchor, when `startPts` is near what it has placed and lands after `floor`. */
  private join(startPts: bigint, floor: bigint | null): [Epoch, bigint] | null {
    const epoch = this.epoch;
    if (!epoch) return null;
    const distance = signedDistance(startPts, epoch.latestPts);
    if (distance < -this.maxJump || distance > this.maxJump) return null;
    const ticks = epoch.latestTicks + distance;
    if (floor !== null && epoch.offset + ticksToNs(ticks) < floor) return null;
    return [epoch, ticks];
  }
}

/** A value reduced into [0, 2^33). */
export function wrap(pts: bigint): bigint {
  const r = pts % PTS_MODULO;
  return r < 0n ? r + PTS_MODULO : r;
}

/** `to - from` modulo 2^33, as a signed distance in (-2^32, 2^32]. */
export function signedDistance(to: bigint, from: bigint): bigint {
  const d = wrap(to - from);
  return d > HALF_RANGE ? d - PTS_MODULO : d;
}

/** A 90 kHz tick position as nanoseconds, rounded half up (floor division, so also below zero). */
export function ticksToNs(ticks: bigint): bigint {
  return floorDiv(ticks * 200_000n + 9n, 18n);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function maxOf(a: bigint | null, b: bigint | null): bigint | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
