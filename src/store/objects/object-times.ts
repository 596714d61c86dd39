import type { Row } from '../../db/db.types.ts';
import { fitsInt64, TimeRange } from '../../time/index.ts';
import { big, bool, num, str } from '../rows.ts';

/**
 * What an object's first registration sets for good (TAMS 8.2 object.json, ADR 0036): the
 * timerange of the media in it on its own timeline, its key_frame_count, and the object holding
 * its initialisation segment (ADR 0045). 7.0 shows none of them.
 */
export interface ObjectTimes {
  timerange: TimeRange;
  key_frame_count?: number;
  init_object_id?: string;
}

/** The prefix of the timerange columns of `objects`, `object_refs` and `segments` (tables.ts). */
export const OTR = 'otr';

const UNSET: Row = { otr_start: null, otr_end: null, otr_start_incl: null, otr_end_incl: null };

/**
 * Writes a timerange into `row` as the otr_* columns, leaving out the nulls (an insert's columns
 * not given are null). An object's timerange is always bounded (a segment's, or one 8.2
 * accepts), so `otr_start` null means none. The inclusivity flags are null for the usual
 * `[start_end)`: each value written is one the append journal carries and DuckDB applies, for
 * every object ingested (static keys, no spreads: this runs once a segment).
 */
export function putOtr(row: Row, range: TimeRange | undefined): Row {
  if (range === undefined) return row;
  if (range.start === null || range.end === null || range.isEmpty()) {
    throw new Error(`an object timerange is bounded and not empty: ${range.format()}`);
  }
  row.otr_start = range.start;
  row.otr_end = range.end;
  if (!range.startInclusive) row.otr_start_incl = false;
  if (range.endInclusive) row.otr_end_incl = true;
  return row;
}

/** The four otr_* columns of a range, nulls included (updates: every column named). */
export function otrColumns(range: TimeRange | undefined): Row {
  return putOtr({ ...UNSET }, range);
}

/** The otr_* columns of a row as a timerange; undefined when none is set. */
export function otrOf(row: Row): TimeRange | undefined {
  const start = big(row, 'otr_start');
  const end = big(row, 'otr_end');
  if (start === undefined || end === undefined) return undefined;
  return TimeRange.fromBounds(
    start,
    end,
    bool(row, 'otr_start_incl') ?? true,
    bool(row, 'otr_end_incl') ?? false,
  );
}

/** Writes an object's times into `row` (putOtr, key_frame_count, init object), leaving out the nulls. */
export function putTimes(row: Row, times: ObjectTimes | undefined): Row {
  if (times === undefined) return row;
  putOtr(row, times.timerange);
  if (times.key_frame_count !== undefined) row.key_frame_count = BigInt(times.key_frame_count);
  if (times.init_object_id !== undefined) row.init_object_id = times.init_object_id;
  return row;
}

/** An object's otr_* and key_frame_count columns, nulls included (updates). */
export function timesColumns(times: ObjectTimes | undefined): Row {
  return putTimes({ ...UNSET, key_frame_count: null }, times);
}

/**
 * An object row's times; undefined when its first registration has not set them yet. The init
 * object where the row was read with it (FIRST_USE_COLUMNS).
 */
export function timesOf(row: Row): ObjectTimes | undefined {
  const timerange = otrOf(row);
  if (timerange === undefined) return undefined;
  const times: ObjectTimes = { timerange };
  const keyFrames = num(row, 'key_frame_count');
  if (keyFrames !== undefined) times.key_frame_count = keyFrames;
  const init = str(row, INIT_OBJECT);
  if (init !== undefined) times.init_object_id = init;
  return times;
}

/** The column of an object's init object (objects, object_refs, segments). */
export const INIT_OBJECT = 'init_object_id';

/** The columns an object's timerange and key_frame_count are read from (migration 3's). */
export const TIMES_COLUMNS: readonly string[] = [...Object.keys(UNSET), 'key_frame_count'];

/** The columns all an object's first registration set is read from: TIMES_COLUMNS and its init object. */
export const FIRST_USE_COLUMNS: readonly string[] = [...TIMES_COLUMNS, INIT_OBJECT];

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
