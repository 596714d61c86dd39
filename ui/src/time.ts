import { taiToUtcMillis } from '../../src/time/tai.ts';
import { parseTimeRange } from '../../src/time/timerange.parse.ts';
import { formatTimestamp, NS_PER_SECOND } from '../../src/time/timestamp.ts';

/**
 * Time on the TAMS timeline: BigInt nanoseconds (TAI), shared with the server's own parser
 * (src/time), shown as the TAMS timestamp and as UTC.
 */

/** A half-open span [start, end) of the timeline. */
export interface Span {
  start: bigint;
  end: bigint;
}

/** A bounded, non-empty timerange as a half-open span; undefined otherwise (or if invalid). */
export function spanOf(timerange: string | undefined): Span | undefined {
  if (timerange === undefined) return undefined;
  try {
    const range = parseTimeRange(timerange);
    if (range.isEmpty() || range.start === null || range.end === null) return undefined;
    const start = range.start + (range.startInclusive ? 0n : 1n);
    const end = range.end + (range.endInclusive ? 1n : 0n);
    return end > start ? { start, end } : undefined;
  } catch {
    return undefined;
  }
}

export function rangeText(span: Span): string {
  return `[${formatTimestamp(span.start)}_${formatTimestamp(span.end)})`;
}

export const tamsTimestamp = formatTimestamp;

/** The later and the earlier of two times (Math.max and Math.min take no BigInt). */
export const later = (a: bigint, b: bigint): bigint => (a > b ? a : b);
export const earlier = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** TAI minus UTC at `ns` (the leap seconds then), in nanoseconds. */
export function utcOffset(ns: bigint): bigint {
  const utc = BigInt(Math.floor(taiToUtcMillis(ns))) * 1_000_000n;
  return ((ns - utc + NS_PER_SECOND / 2n) / NS_PER_SECOND) * NS_PER_SECOND;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** UTC as `2023-11-14 22:13:20.500` (milliseconds when asked for). */
export function utcText(ns: bigint, withMillis = true): string {
  const date = new Date(taiToUtcMillis(ns));
  const day = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const clock = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${day} ${clock}${withMillis ? `.${pad(date.getUTCMilliseconds(), 3)}` : ''}`;
}

/** UTC time of day, at the precision a step of `stepNs` needs (a tick label). */
export function clockText(ns: bigint, stepNs: bigint): string {
  const date = new Date(taiToUtcMillis(ns));
  if (stepNs >= 86_400n * NS_PER_SECOND) {
    return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  }
  const clock = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
  if (stepNs >= 60n * NS_PER_SECOND) return clock;
  const seconds = `${clock}:${pad(date.getUTCSeconds())}`;
  return stepNs >= NS_PER_SECOND ? seconds : `${seconds}.${pad(date.getUTCMilliseconds(), 3)}`;
}

/** A duration as `1 h 2 min`, `3.5 s`, `40 ms`. */
export function durationText(ns: bigint): string {
  const s = Number(ns) / 1e9;
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  if (s >= 1) return `${Number(s.toFixed(3))} s`;
  return `${Number((s * 1000).toFixed(3))} ms`;
}
