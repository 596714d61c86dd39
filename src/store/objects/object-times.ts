import type { Row } from '../../db/db.types.ts';
import { fitsInt64, type TimeRange } from '../../time/index.ts';
import { bool, num, rangeFromColumns, rangeToColumns } from '../rows.ts';

/**
 * What an object's first registration sets for good (TAMS 8.2 object.json, ADR 0036): the
 * timerange of the media in it on its own timeline, and its key_frame_count. 7.0 shows neither.
 */
export interface ObjectTimes {
  timerange: TimeRange;
  key_frame_count?: number;
}

/** The prefix of the timerange columns of `objects` and `segments` (tables.ts). */
export const OTR = 'otr';

const OTR_COLUMNS = [`${OTR}_start`, `${OTR}_end`, `${OTR}_start_incl`, `${OTR}_end_incl`];
const UNSET: Row = Object.fromEntries(OTR_COLUMNS.map((c) => [c, null]));

/**
 * A timerange as the otr_* columns; all null for none. Set ranges always carry their inclusivity
 * flags (false on an unbounded side), so `otr_start_incl` null means "none" whatever the range.
 */
export function otrColumns(range: TimeRange | undefined): Row {
  return range === undefined ? { ...UNSET } : rangeToColumns(OTR, range);
}

/** The otr_* columns of a row as a timerange; undefined when none is set. */
export function otrOf(row: Row): TimeRange | undefined {
  return bool(row, `${OTR}_start_incl`) === undefined ? undefined : rangeFromColumns(row, OTR);
}

/** An object's otr_* and key_frame_count columns. */
export function timesColumns(times: ObjectTimes | undefined): Row {
  return { ...otrColumns(times?.timerange), key_frame_count: optCount(times?.key_frame_count) };
}

/** An object row's times; undefined when its first registration has not set them yet. */
export function timesOf(row: Row): ObjectTimes | undefined {
  const timerange = otrOf(row);
  if (timerange === undefined) return undefined;
  const keyFrames = num(row, 'key_frame_count');
  return keyFrames === undefined ? { timerange } : { timerange, key_frame_count: keyFrames };
}

/** The columns an object's times are read from. */
export const TIMES_COLUMNS: readonly string[] = [...OTR_COLUMNS, 'key_frame_count'];

/**
 * A segment's range on its object's timeline, `timerange - ts_offset` (8.2's default object
 * timerange: the segment uses all of a new object); undefined beyond what 64-bit columns keep.
 */
export function onObjectTimeline(timerange: TimeRange, tsOffset: bigint | undefined): TimeRange | undefined {
  const moved = tsOffset === undefined ? timerange : timerange.shift(-tsOffset);
  const fits = (b: bigint | null) => b === null || fitsInt64(b);
  return fits(moved.start) && fits(moved.end) ? moved : undefined;
}

/** What a segment record holds of its object's timerange (SegmentRecord). */
export interface ObjectTimerangeHolder {
  timerange: TimeRange;
  ts_offset?: bigint;
  /** Set only where the object's timerange is not the segment's `timerange - ts_offset`. */
  object_timerange?: TimeRange;
}

/** The timerange of the segment's object (8.2 `object_timerange` of a segment). */
export function segmentObjectTimerange(segment: ObjectTimerangeHolder): TimeRange | undefined {
  return segment.object_timerange ?? onObjectTimeline(segment.timerange, segment.ts_offset);
}

/**
 * What a segment stores of its object's timerange: nothing where the object's timerange is the
 * segment's own range on the object's timeline (the common row does not grow), else the range.
 */
export function storedObjectTimerange(
  segment: Omit<ObjectTimerangeHolder, 'object_timerange'>,
  objectRange: TimeRange | undefined,
): TimeRange | undefined {
  if (objectRange === undefined) return undefined;
  const own = onObjectTimeline(segment.timerange, segment.ts_offset);
  return own?.equals(objectRange) ? undefined : objectRange;
}

function optCount(v: number | undefined): bigint | null {
  return v === undefined ? null : BigInt(v);
}
