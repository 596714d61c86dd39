import { TimeFormatError } from './time.errors.ts';
import { TimeRange } from './timerange.ts';
import { TIMESTAMP_PATTERN, timestampFromParts } from './timestamp.ts';

/**
 * Admits exactly the strings of the 7.0 `timerange.json` pattern. Groups: 1 start marker,
 * 2-4 start sign/seconds/nanos, 5 the `_`, 6-8 end sign/seconds/nanos, 9 end marker.
 */
const TIMERANGE_RE = new RegExp(`^([[(])?(?:${TIMESTAMP_PATTERN})?(_(?:${TIMESTAMP_PATTERN})?)?([\\])])?$`);

/**
 * Gives every admitted string the meaning the reference library's `TimeRange.from_str` gives it:
 * an unmarked bound is inclusive; markers next to an omitted timestamp are ignored; no timestamps
 * means eternity with `_` and empty without; one timestamp without `_` is instantaneous (empty if
 * either marker is exclusive); reversed ranges are empty.
 */
export function parseTimeRange(s: string): TimeRange {
  const m = TIMERANGE_RE.exec(s);
  if (m === null) throw new TimeFormatError('timerange', String(s));
  const startSecs = m[3];
  const endSecs = m[7];
  const start = startSecs === undefined ? null : timestampFromParts(m[2] ?? '', startSecs, m[4] ?? '0');
  const end = endSecs === undefined ? null : timestampFromParts(m[6] ?? '', endSecs, m[8] ?? '0');
  const startInclusive = m[1] !== '(';
  const endInclusive = m[9] !== ')';
  if (m[5] === undefined) {
    // No `_`: nothing at all is the empty range, a lone timestamp is an instant.
    return start === null
      ? TimeRange.EMPTY
      : TimeRange.fromBounds(start, start, startInclusive, endInclusive);
  }
  return TimeRange.fromBounds(start, end, startInclusive, endInclusive);
}

export function isTimeRangeString(s: string): boolean {
  return TIMERANGE_RE.test(s);
}
