/**
 * The TAMS timeline as HLS sees it: segment durations, where the media timeline breaks (an
 * EXT-X-DISCONTINUITY), target durations and the live window. Pure functions over nanoseconds.
 */

const NS = 1_000_000_000n;

/** What the playlist needs of a segment: its timerange's ends and its `ts_offset`. */
export interface TimelineSegment {
  start: bigint;
  end: bigint;
  /** `ts_offset` (0 when unset): media timestamps = TAMS timeline - ts_offset. */
  tsOffset: bigint;
}

/**
 * Gaps up to this long are not breaks: clients that compute timeranges from another clock
 * (90 kHz, audio sample counts) leave a few nanoseconds between segments meant to touch.
 */
export const GAP_TOLERANCE_NS = 1_000_000n;

/**
 * Changes of `ts_offset` up to this size are not breaks. A change is a jump of the media
 * timestamps against the timeline; a real one (objects of another recording, or of the same one
 * moved) moves them by whole samples or frames, 5.2 µs at the least (a 192 kHz sample), and
 * players only see it in ticks of the container's clock (MPEG-TS: 90 kHz, 11.1 µs). What is
 * smaller is a client's nanosecond rounding: BBC's ingest_hls.py with --force-start-time works
 * each `ts_offset` out from timestamps rounded to nanoseconds one by one, and they drift by 1 ns
 * every few segments. 1 µs lies far above that rounding (a few nanoseconds between neighbours)
 * and below a fifth of the finest tick, whatever the Flow's rate (a multi Flow's muxed segments
 * have two, a data Flow none). Neighbours are compared: a drift adding up over hours moves no
 * media timestamp, the media being continuous.
 */
export const OFFSET_TOLERANCE_NS = 1_000n;

/** The segment's duration: its timerange's length (the spec's exclusive end covers the last sample). */
export function durationOf(segment: TimelineSegment): bigint {
  return segment.end > segment.start ? segment.end - segment.start : 0n;
}

/**
 * Whether the media timeline breaks between two consecutive segments: a gap in the TAMS
 * timeline, or a change of `ts_offset` (objects from different recordings edited together:
 * their media timestamps jump although the TAMS timeline does not). Players realign their
 * timestamps at an EXT-X-DISCONTINUITY; without it they would stall on the jump. A tag where
 * the media does not jump is not harmless: hls.js never plays alternate audio with more
 * discontinuities than its video (it waits for the video to reach them).
 */
export function breaksBetween(
  previous: TimelineSegment | undefined,
  next: TimelineSegment,
  tolerance = GAP_TOLERANCE_NS,
): boolean {
  if (previous === undefined) return false;
  const shift = next.tsOffset - previous.tsOffset;
  const jump = shift < 0n ? -shift : shift;
  return next.start - previous.end > tolerance || jump > OFFSET_TOLERANCE_NS;
}

/** EXT-X-TARGETDURATION: every EXTINF rounded up, at most this (RFC 8216 §4.3.3.1); 1 at least. */
export function targetDuration(durations: Iterable<bigint>): number {
  let most = 1n;
  for (const d of durations) {
    const ceil = (d + NS - 1n) / NS;
    if (ceil > most) most = ceil;
  }
  return Number(most);
}

/**
 * How many of the newest segments (given newest first) a live playlist holds: enough to span
 * `windowNs` of media, and enough that the playlist without its oldest segment still spans
 * three target durations, as RFC 8216 §6.2.2 requires before a segment may leave the playlist.
 */
export function liveWindowSize(newestFirst: readonly TimelineSegment[], windowNs: bigint): number {
  let total = 0n;
  let most = 0n;
  for (let i = 0; i < newestFirst.length; i++) {
    const d = durationOf(newestFirst[i] as TimelineSegment);
    const withoutOldest = total;
    total += d;
    if (d > most) most = d;
    const threeTargets = 3n * BigInt(targetDuration([most])) * NS;
    if (total >= windowNs && withoutOldest >= threeTargets) return i + 1;
  }
  return newestFirst.length;
}

/** Seconds as an exact decimal (EXTINF): `2`, `1.001`, `0.033366667`. */
export function formatSeconds(ns: bigint): string {
  const whole = ns / NS;
  const fraction = (ns % NS).toString().padStart(9, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}
