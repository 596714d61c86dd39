export { nsToRational, type Rational, type Rounding, rationalToNs } from './rational.ts';
export { leapSecondTable, taiToUtcIso, taiToUtcMillis, utcMillisToTai } from './tai.ts';
export { TimeFormatError } from './time.errors.ts';
export {
  boundsEmpty,
  compareEnds,
  compareStarts,
  containsBounds,
  endsBefore,
  overlapsBounds,
  type RangeBounds,
} from './timerange.bounds.ts';
export { compareByEnd, compareByStart, envelopeOf } from './timerange.order.ts';
export { isTimeRangeString, parseTimeRange } from './timerange.parse.ts';
export { TimeRange, type TimeRangeOptions } from './timerange.ts';
export {
  fitsInt64,
  formatTimestamp,
  INT64_MAX,
  INT64_MIN,
  isTimestampString,
  NS_PER_SECOND,
  parseTimestamp,
} from './timestamp.ts';
