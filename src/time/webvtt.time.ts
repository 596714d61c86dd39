import { rationalToNs } from './rational.ts';
import { NS_PER_SECOND } from './timestamp.ts';

/** A cursor into a line, moved forward by the readers. */
export interface Cursor {
  i: number;
}

// More hour digits than any nanosecond time in 64 bits could have; refusing them keeps BigInt small.
const MAX_HOUR_DIGITS = 10;

/**
 * The W3C "collect a WebVTT timestamp" steps: `[h:]mm:ss.ttt`, where the first field is hours when
 * it is not two digits or is over 59 (so hours may have any number of digits), minutes and seconds
 * are two digits under 60 and the fraction exactly three digits. Returns nanoseconds and leaves
 * the cursor after the timestamp, or undefined when there is none at the cursor.
 */
export function readTimestamp(line: string, at: Cursor): bigint | undefined {
  const first = readDigits(line, at);
  if (first === undefined || first.length > MAX_HOUR_DIGITS) return undefined;
  const hoursFirst = first.length !== 2 || Number(first) > 59;
  if (line.charAt(at.i) !== ':') return undefined;
  at.i++;
  const second = readDigits(line, at);
  if (second?.length !== 2) return undefined;
  let hours = 0n;
  let minutes = first;
  let seconds = second;
  if (hoursFirst || line.charAt(at.i) === ':') {
    if (line.charAt(at.i) !== ':') return undefined;
    at.i++;
    const third = readDigits(line, at);
    if (third?.length !== 2) return undefined;
    hours = BigInt(first);
    minutes = second;
    seconds = third;
  }
  if (line.charAt(at.i) !== '.') return undefined;
  at.i++;
  const fraction = readDigits(line, at);
  if (fraction?.length !== 3 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const whole = hours * 3600n + BigInt(minutes) * 60n + BigInt(seconds);
  return whole * NS_PER_SECOND + BigInt(fraction) * 1_000_000n;
}

function readDigits(line: string, at: Cursor): string | undefined {
  const from = at.i;
  while (at.i < line.length && line.charCodeAt(at.i) >= 0x30 && line.charCodeAt(at.i) <= 0x39) at.i++;
  return at.i === from ? undefined : line.slice(from, at.i);
}

/** MPEG-TS timestamps are 33-bit counts of a 90 kHz clock. */
const MPEGTS_LIMIT = 2n ** 33n;

/** An HLS `X-TIMESTAMP-MAP`: the MPEG-TS clock's value (90 kHz ticks) at a local cue time (ns). */
export interface TimestampMap {
  mpegts: bigint;
  local: bigint;
}

/**
 * The value of an HLS `X-TIMESTAMP-MAP=` header (`MPEGTS:<n>,LOCAL:<time>`, in either order, each
 * once). Undefined when malformed.
 */
export function readTimestampMap(value: string): TimestampMap | undefined {
  let mpegts: bigint | undefined;
  let local: bigint | undefined;
  const parts = value.split(',');
  if (parts.length !== 2) return undefined;
  for (const raw of parts) {
    const part = raw.trim();
    if (part.startsWith('MPEGTS:') && mpegts === undefined) {
      const digits = part.slice('MPEGTS:'.length);
      if (!/^\d{1,10}$/.test(digits) || BigInt(digits) >= MPEGTS_LIMIT) return undefined;
      mpegts = BigInt(digits);
    } else if (part.startsWith('LOCAL:') && local === undefined) {
      const at = { i: 'LOCAL:'.length };
      local = readTimestamp(part, at);
      if (local === undefined || at.i !== part.length) return undefined;
    } else {
      return undefined;
    }
  }
  if (mpegts === undefined || local === undefined) return undefined;
  return { mpegts, local };
}

/**
 * The value of an HLS `X-TIMESTAMP-MAP=` header as the shift to add to cue times: MPEGTS/90000 s
 * (to the nearest ns) minus LOCAL. Undefined when malformed.
 */
export function timestampMap(value: string): bigint | undefined {
  const map = readTimestampMap(value);
  if (map === undefined) return undefined;
  return rationalToNs({ numerator: map.mpegts, denominator: 90_000n }, 'nearest') - map.local;
}

/** A WebVTT timestamp `hh:mm:ss.ttt` for `ns` (not negative), rounded down to the millisecond. */
export function formatWebVttTimestamp(ns: bigint): string {
  const ms = (ns < 0n ? 0n : ns) / 1_000_000n;
  const two = (n: bigint) => n.toString().padStart(2, '0');
  const hours = ms / 3_600_000n;
  return `${two(hours)}:${two((ms / 60_000n) % 60n)}:${two((ms / 1000n) % 60n)}.${(ms % 1000n).toString().padStart(3, '0')}`;
}
