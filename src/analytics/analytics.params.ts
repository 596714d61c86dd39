import { BadRequestError } from '../common/errors.ts';
import { beyondStoredRange } from '../http/params.ts';
import { fitsInt64, parseTimeRange, parseTimestamp, TimeFormatError, TimeRange } from '../time/index.ts';

/**
 * The analytics' query parameters read as nanoseconds. The TAMS grammar has no bound, but the
 * store keeps times in signed 64-bit integers and the reports compute in them: a value outside
 * is refused (400, naming the parameter) rather than reaching the database, which fails on it.
 */

function parsed<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof TimeFormatError) throw new BadRequestError(`query.${name}: ${error.message}`);
    throw error;
  }
}

/** A window on the media timeline (default: all of it). */
export function windowParam(value: string | undefined, name = 'timerange'): TimeRange {
  if (value === undefined) return TimeRange.ETERNITY;
  const range = parsed(name, () => parseTimeRange(value));
  if (!fitsInt64(range.start) || !fitsInt64(range.end)) throw beyondStoredRange(name, value);
  return range;
}

/** A length of time (a TAMS timestamp), not negative. */
export function durationParam(value: string | undefined, name: string): bigint | undefined {
  if (value === undefined) return undefined;
  const ns = parsed(name, () => parseTimestamp(value));
  if (!fitsInt64(ns)) throw beyondStoredRange(name, value);
  if (ns < 0n) throw new BadRequestError(`query.${name} must not be negative`);
  return ns;
}

/** A page cursor the analytics issued: a nanosecond position, which always fits the store's range. */
export function positionParam(after: string | undefined): bigint | undefined {
  if (after === undefined) return undefined;
  const ns = /^-?[0-9]{1,19}$/.test(after) ? BigInt(after) : null;
  if (ns === null || !fitsInt64(ns)) throw new BadRequestError('query.page is not a valid page key');
  return ns;
}
