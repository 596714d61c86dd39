import type { Span } from '../time.ts';
import { spanOf } from '../time.ts';

/**
 * Where each segment of the playlist sits on the player's clock and on the TAMS timeline. The
 * server's playlists carry each segment's TAMS timerange as its EXTINF title; the player lays
 * the segments end to end, so a gap of the Flow takes no player time: the two clocks differ
 * by a step at every gap, and this table translates between them.
 */
export interface Placed {
  /** Seconds on the player's clock. */
  start: number;
  duration: number;
  tams: Span;
}

/** What a (re)loaded playlist says of itself. */
export interface PlaylistInfo {
  /** No EXT-X-ENDLIST: the server's sliding window of a Flow still being written. */
  live: boolean;
  /** EXT-X-TARGETDURATION, seconds. */
  targetDuration: number;
  /** Segments of the Flow up to the newest listed: the media sequence numbers them from 0. */
  segmentCount: number;
}

/** The playlist's own description of itself, from its text (the native player's path). */
export function playlistInfo(text: string, fragments: number): PlaylistInfo {
  const sequence = /^#EXT-X-MEDIA-SEQUENCE:(\d+)/m.exec(text);
  const target = /^#EXT-X-TARGETDURATION:(\d+)/m.exec(text);
  return {
    live: !/^#EXT-X-ENDLIST/m.test(text),
    targetDuration: Number(target?.[1] ?? 0),
    segmentCount: Number(sequence?.[1] ?? 0) + fragments,
  };
}

export interface PlaylistFragment {
  start: number;
  duration: number;
  title: string | null;
}

/** A fragment as hls.js holds it once it may have parsed it. */
export interface LoadedFragment extends PlaylistFragment {
  /** Where its first sample is presented on the player's clock, once parsed. */
  startPTS?: number;
}

/**
 * The fragments where the picture is: a parsed fragment's start is its first sample's
 * presentation time. hls.js sets the player's clock from the first decode timestamp (its
 * `initPTS` is the lowest DTS, so that no sample lands before 0), and with B-frames an encoder
 * presents each picture after decoding it: libx264's default puts the first picture 2 frames
 * after the first DTS, so the playlist's EXTINF sums lie 2 frames before the pictures. hls.js
 * moves the fragments after a parsed one to match (their `start`), but keeps the first at 0.
 */
export function presentedFragments(fragments: readonly LoadedFragment[]): PlaylistFragment[] {
  return fragments.map((f) => ({
    start: f.startPTS !== undefined && Number.isFinite(f.startPTS) ? f.startPTS : f.start,
    duration: f.duration,
    title: f.title,
  }));
}

export function placeFragments(fragments: readonly PlaylistFragment[]): Placed[] {
  const placed: Placed[] = [];
  for (const f of fragments) {
    const tams = spanOf(f.title ?? undefined);
    if (tams) placed.push({ start: f.start, duration: f.duration, tams });
  }
  return placed;
}

/** The fragments of a media playlist's text (`#EXTINF:<duration>,<title>`), end to end. */
export function playlistFragments(text: string): PlaylistFragment[] {
  const fragments: PlaylistFragment[] = [];
  let start = 0;
  for (const line of text.split('\n')) {
    const match = /^#EXTINF:([0-9.]+),(.*)$/.exec(line.trim());
    if (!match) continue;
    const duration = Number(match[1]);
    fragments.push({ start, duration, title: match[2] ?? null });
    start += duration;
  }
  return fragments;
}

/**
 * The player's time of TAMS time `t`: inside a segment, its place there; in a gap, the start
 * of the next segment (playback resumes there); outside, the nearest end.
 */
export function playerTimeOf(t: bigint, placed: readonly Placed[]): number | undefined {
  const first = placed[0];
  if (!first) return undefined;
  if (t < first.tams.start) return first.start;
  for (const p of placed) {
    if (t < p.tams.start) return p.start;
    if (t < p.tams.end) return p.start + Math.min(p.duration, Number(t - p.tams.start) / 1e9);
  }
  const last = placed.at(-1) as Placed;
  // Just before the end: at the very end there is no frame to show.
  return Math.max(last.start, last.start + last.duration - 0.001);
}

/** The TAMS time of the player's time `seconds`. */
export function tamsTimeOf(seconds: number, placed: readonly Placed[]): bigint | undefined {
  let low = 0;
  let high = placed.length - 1;
  if (high < 0) return undefined;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((placed[mid] as Placed).start <= seconds) low = mid;
    else high = mid - 1;
  }
  const p = placed[low] as Placed;
  const offset = Math.max(0, Math.min(p.duration, seconds - p.start));
  const t = p.tams.start + BigInt(Math.round(offset * 1e9));
  return t < p.tams.end ? t : p.tams.end - 1n;
}
