import { type ObjectTimes, storedObjectTimerange } from '../store/objects/object-times.ts';
import type { ObjectRecord } from '../store/objects.repo.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import { fitsInt64, parseTimeRange, type TimeRange } from '../time/index.ts';
import { onOwnTimeline, SegmentRejection } from './segments.register.ts';
import type { FlowSegmentPost } from './segments.schemas.ts';

/** The TAMS version a registration came through: 8.2 has rules on objects 7.0 has not. */
export type RegistrationVersion = '7.0' | '8.2';

/** A segment POST body of either version (8.2 adds `object_timerange`, ADR 0036, and `init_object_id`). */
export type SegmentPostBody = FlowSegmentPost & { object_timerange?: string; init_object_id?: string };

/** What the init rules need of the Flow a segment is registered in. */
export interface InitFlow {
  id: string;
  /** `essence_parameters.init_segments`: every media object has an init object, or none has. */
  initSegments: boolean;
}

/**
 * The initialisation segment object of a segment's media object (ADR 0045, AppNote 0024), or
 * undefined: a new object takes the body's `init_object_id` (8.2 only), a re-used one keeps its
 * own (8.2 refuses another). Refused: an init object as a segment's object, a media object (or
 * the segment's own) as an init object, one unknown here or allocated for another Flow and not
 * used yet; an object without an init object in a Flow whose `init_segments` is true (8.2 says
 * every media object of it has one; 7.0 cannot give one) and one with an init object in a Flow
 * whose `init_segments` is not (8.2 says it then must be).
 */
export function initObjectOf(
  version: RegistrationVersion,
  flow: InitFlow,
  segment: SegmentRecord,
  body: SegmentPostBody,
  object: ObjectRecord | undefined,
  initObject: (id: string) => ObjectRecord | undefined,
): string | undefined {
  if (object?.init === true) {
    throw new SegmentRejection(
      `object ${segment.object_id} is an initialisation segment (the init_object_id of other segments): it cannot be a segment's object_id`,
    );
  }
  const given = version === '8.2' ? body.init_object_id : undefined;
  let init: string | undefined;
  if (object === undefined || !object.registered) {
    if (given !== undefined) checkNewInit(flow, segment, given, initObject(given));
    init = given;
  } else {
    init = object.times?.init_object_id;
    if (given !== undefined && given !== init) {
      throw new SegmentRejection(
        `init_object_id ${given} conflicts with object ${segment.object_id}'s init object (${init ?? 'none'}), set when it was first registered: leave init_object_id out when re-using an object`,
      );
    }
  }
  if (flow.initSegments && init === undefined) {
    throw new SegmentRejection(
      version === '7.0'
        ? `Flow ${flow.id} uses initialisation segments (essence_parameters.init_segments): register its segments through /tams/v8.2, with init_object_id`
        : `object ${segment.object_id} has no initialisation segment: give init_object_id (Flow ${flow.id}'s essence_parameters.init_segments is true)`,
    );
  }
  if (!flow.initSegments && init !== undefined) {
    throw new SegmentRejection(
      `object ${segment.object_id} has an initialisation segment (${init}): Flow ${flow.id}'s essence_parameters.init_segments must be true for it`,
    );
  }
  return init;
}

/** The init object a new media object names: an object of this store, and not a media object. */
function checkNewInit(
  flow: InitFlow,
  segment: SegmentRecord,
  id: string,
  init: ObjectRecord | undefined,
): void {
  if (id === segment.object_id) {
    throw new SegmentRejection(`init_object_id ${id} is the segment's own object_id`);
  }
  if (init === undefined) {
    throw new SegmentRejection(
      `init_object_id ${id} is unknown: allocate it with POST /flows/{flowId}/storage (content_type for its type) and upload it first`,
    );
  }
  if (init.registered && init.init !== true) {
    throw new SegmentRejection(
      `init_object_id ${id} is a media object (the object_id of segments): it cannot be an initialisation segment`,
    );
  }
  if (!init.registered && init.allocated_for !== undefined && init.allocated_for !== flow.id) {
    throw new SegmentRejection(`init_object_id ${id} was allocated for another Flow (${init.allocated_for})`);
  }
}

/**
 * The times a new object's first segment sets for good (8.2 object.json): its timerange is the
 * body's `object_timerange` (8.2), else the segment's `timerange - ts_offset` ("on the
 * assumption that the Flow Segment uses the entire Media Object"); key_frame_count is the
 * segment's. 8.2 refuses a segment that does not lie within the object's timerange, and one
 * that says it starts inside a new object (`sample_offset`) without giving the object's
 * timerange, which 8.2 says MUST then be set. 7.0 is checked for none of it: an object first
 * registered through 7.0 gets the default (parseSegment has refused, through every version, a
 * segment whose default would leave the 64-bit range).
 */
export function firstUseTimes(
  version: RegistrationVersion,
  segment: SegmentRecord,
  body: SegmentPostBody,
): ObjectTimes {
  const own = onOwnTimeline(segment);
  let timerange = own;
  if (version === '8.2') {
    if (body.object_timerange !== undefined) {
      timerange = storableRange(body.object_timerange);
      within(own, timerange, segment);
    } else if ((segment.sample_offset ?? 0) > 0) {
      throw new SegmentRejection(
        `object ${segment.object_id} is new and sample_offset says the segment does not start at its start: ` +
          'give the object_timerange of the whole object (sample_offset and sample_count are deprecated)',
      );
    }
  }
  return segment.key_frame_count === undefined
    ? { timerange }
    : { timerange, key_frame_count: segment.key_frame_count };
}

/**
 * A segment re-using an object (8.2 POST segments): its timerange, once offset by `ts_offset`,
 * MUST lie within the object's timerange, and a request changing the object's properties
 * (`object_timerange`, `key_frame_count`) is refused. 7.0 checks none of it. Returns the object's
 * timerange, where known.
 */
export function checkReuse(
  version: RegistrationVersion,
  segment: SegmentRecord,
  body: SegmentPostBody,
  object: ObjectRecord,
): TimeRange | undefined {
  const times = object.times;
  if (version !== '8.2' || times === undefined) return times?.timerange;
  if (body.object_timerange !== undefined) {
    const given = parseTimeRange(body.object_timerange);
    if (!given.equals(times.timerange)) {
      throw new SegmentRejection(
        `object_timerange ${body.object_timerange} conflicts with object ${object.id}'s timerange ${times.timerange.format()} ` +
          '(set when it was first registered; leave object_timerange out when re-using an object)',
      );
    }
  }
  if (segment.key_frame_count !== undefined && segment.key_frame_count !== times.key_frame_count) {
    const has = times.key_frame_count === undefined ? 'none' : String(times.key_frame_count);
    throw new SegmentRejection(
      `key_frame_count ${segment.key_frame_count} conflicts with object ${object.id}'s key_frame_count (${has}), set when it was first registered`,
    );
  }
  within(onOwnTimeline(segment), times.timerange, segment);
  return times.timerange;
}

/** Gives the segment the object's timerange where it is not the segment's own (object-times.ts). */
export function keepObjectTimerange(segment: SegmentRecord, objectRange: TimeRange | undefined): void {
  const stored = storedObjectTimerange(segment, objectRange);
  if (stored !== undefined) segment.object_timerange = stored;
}

function within(own: TimeRange, objectRange: TimeRange, segment: SegmentRecord): void {
  if (objectRange.contains(own)) return;
  const offset = segment.ts_offset === undefined ? '' : ' - ts_offset';
  throw new SegmentRejection(
    `the segment's timerange${offset} (${own.format()}) is not within the timerange of object ${segment.object_id} (${objectRange.format()})`,
  );
}

function storableRange(text: string): TimeRange {
  const range = parseTimeRange(text);
  // The timestamps of the media an object holds: a bounded, non-empty range.
  if (range.start === null || range.end === null || range.isEmpty()) {
    throw new SegmentRejection(`object_timerange ${text} must have a start and an end, and not be empty`);
  }
  for (const bound of [range.start, range.end]) {
    if (bound !== null && !fitsInt64(bound)) {
      throw new SegmentRejection(
        `object_timerange ${text} is beyond the range this store keeps (64-bit nanoseconds)`,
      );
    }
  }
  return range;
}
