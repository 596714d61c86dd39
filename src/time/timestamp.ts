import { TimeFormatError } from './time.errors.ts';

export const NS_PER_SECOND = 1_000_000_000n;

/** The store keeps nanoseconds in signed 64-bit columns; the service rejects anything outside. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/**
 * The 7.0 timestamp grammar split into sign, seconds and nanoseconds. Shared with the timerange
 * parser so there is exactly one copy of the grammar. No flags: it is embedded in other patterns.
 */
export const TIMESTAMP_PATTERN = '(-?)(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8})';

const TIMESTAMP_RE = new RegExp(`^${TIMESTAMP_PATTERN}$`);

/** Builds a value from already-validated grammar parts; the sign covers seconds and nanoseconds. */
export function timestampFromParts(sign: string, seconds: string, nanos: string): bigint {
  const abs = BigInt(seconds) * NS_PER_SECOND + BigInt(nanos);
  return sign === '-' ? -abs : abs;
}

/** `"1:5"` is 1 s + 5 ns (a nanosecond count, not a decimal fraction); `"-1:500000000"` is -1.5 s. */
export function parseTimestamp(s: string): bigint {
  const m = TIMESTAMP_RE.exec(s);
  if (m === null) throw new TimeFormatError('timestamp', String(s));
  return timestampFromParts(m[1] as string, m[2] as string, m[3] as string);
}

export function isTimestampString(s: string): boolean {
  return TIMESTAMP_RE.test(s);
}

/** Canonical form: no leading zeros, one sign for the whole value, zero is `0:0` (never `-0:0`). */
export function formatTimestamp(ns: bigint): string {
  if (ns < 0n) {
    const abs = -ns;
    return `-${abs / NS_PER_SECOND}:${abs % NS_PER_SECOND}`;
  }
  return `${ns / NS_PER_SECOND}:${ns % NS_PER_SECOND}`;
}

/** `null` (an unbounded end) always fits, so callers can check both ends of a range directly. */
export function fitsInt64(ns: bigint | null): boolean {
  return ns === null || (ns >= INT64_MIN && ns <= INT64_MAX);
}
