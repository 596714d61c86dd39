import { BadRequestError } from '../common/errors.ts';
import {
  fitsInt64,
  formatTimestamp,
  INT64_MAX,
  INT64_MIN,
  parseTimeRange,
  TimeFormatError,
  type TimeRange,
} from '../time/index.ts';

/** Parses a timerange query parameter (already checked against the spec's pattern). */
export function timerangeParam(value: string | undefined, name = 'timerange'): TimeRange | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTimeRange(value);
  } catch (error) {
    if (error instanceof TimeFormatError) throw new BadRequestError(`query.${name}: ${error.message}`);
    throw error;
  }
}

const STORE_RANGE = `signed 64-bit nanoseconds, ${formatTimestamp(INT64_MIN)} to ${formatTimestamp(INT64_MAX)}`;
/** Longest slice of a parameter echoed in a summary (the grammar allows any number of digits). */
const MAX_ECHO = 80;

/**
 * A timerange query parameter whose bounds must be times the store keeps (signed 64-bit
 * nanoseconds): for routes that compute with them rather than only compare (export plans and
 * names its file from them). The TAMS grammar has no bound; a value outside is a 400 naming it.
 */
export function storedTimerangeParam(value: string | undefined, name = 'timerange'): TimeRange | undefined {
  const range = timerangeParam(value, name);
  if (range === undefined || (fitsInt64(range.start) && fitsInt64(range.end))) return range;
  throw beyondStoredRange(name, value as string);
}

/** The 400 of a time query parameter outside signed 64-bit nanoseconds, naming it. */
export function beyondStoredRange(name: string, value: string): BadRequestError {
  const shown = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}...` : value;
  return new BadRequestError(`query.${name} ${shown} is beyond the range this store keeps (${STORE_RANGE})`);
}
