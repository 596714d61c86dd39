import { BadRequestError } from '../common/errors.ts';
import { parseTimeRange, TimeFormatError, type TimeRange } from '../time/index.ts';

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
