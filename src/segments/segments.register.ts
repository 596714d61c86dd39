import { checkDocument } from '../common/cells.ts';
import { BadRequestError } from '../common/errors.ts';
import { objectIdProblem } from '../common/object-ids.ts';
import type { ClientUrlRule } from '../media/media.client-urls.ts';
import { onObjectTimeline } from '../store/objects/object-times.ts';
import type { ObjectRecord } from '../store/objects.repo.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import {
  compareByStart,
  fitsInt64,
  formatTimestamp,
  parseTimeRange,
  parseTimestamp,
  type TimeRange,
} from '../time/index.ts';
import type { FlowSegmentPost } from './segments.schemas.ts';

/** What a segment's `get_urls` are checked against. */
export interface SegmentUrlRules {
  /** Labels of the storage backends' URLs: clients may not use them. */
  reservedLabels: ReadonlySet<string>;
  /** Which URLs clients may register for others to read. */
  clientUrls: ClientUrlRule;
}

/** Why one segment of a registration was refused. */
export class SegmentRejection extends Error {}

/**
 * The checks of one segment on its own (DIGEST §6.1, §6.3): a bounded, non-empty timerange with
 * an inclusive start, non-negative counts that a 64-bit column keeps exactly, no URL claiming a
 * storage backend's label, and only URLs the client URL rule takes (http(s), hosts admitted).
 */
export function parseSegment(
  flowId: string,
  body: FlowSegmentPost,
  urls: SegmentUrlRules,
  /** A TAMS 8.2 body's `init_object_id` (7.0 bodies do not name init objects). */
  initObjectId?: string,
): SegmentRecord {
  fitsInCell(body);
  for (const [name, id] of [
    ['object_id', body.object_id],
    ['init_object_id', initObjectId],
  ] as const) {
    const problem = id === undefined ? undefined : objectIdProblem(id, name);
    if (problem !== undefined) throw new SegmentRejection(problem);
  }
  const timerange = parseTimeRange(body.timerange);
  if (timerange.isEmpty()) throw new SegmentRejection(`timerange ${body.timerange} is empty`);
  if (timerange.start === null || timerange.end === null) {
    throw new SegmentRejection(`timerange ${body.timerange} must have a start and an end`);
  }
  if (!fitsInt64(timerange.start) || !fitsInt64(timerange.end)) {
    throw new SegmentRejection(
      `timerange ${body.timerange} is beyond the range this store keeps (64-bit nanoseconds)`,
    );
  }
  if (!timerange.startInclusive) {
    throw new SegmentRejection(
      `timerange ${body.timerange}: a segment's timerange start is always inclusive`,
    );
  }
  const segment: SegmentRecord = { flow_id: flowId, object_id: body.object_id, timerange };
  if (body.ts_offset !== undefined) segment.ts_offset = storable(parseTimestamp(body.ts_offset), 'ts_offset');
  onOwnTimeline(segment);
  if (body.last_duration !== undefined) {
    const lastDuration = storable(parseTimestamp(body.last_duration), 'last_duration');
    if (lastDuration < 0n) throw new SegmentRejection('last_duration cannot be negative');
    segment.last_duration = lastDuration;
  }
  for (const key of ['sample_offset', 'sample_count', 'key_frame_count'] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (value < 0) throw new SegmentRejection(`${key} cannot be negative`);
    // The schema's integer has no bound; JSON.parse has already rounded anything past 2^53, so
    // a larger count could not be kept as sent (and past 2^63 not at all).
    if (!Number.isSafeInteger(value)) {
      throw new SegmentRejection(
        `${key} ${value} is beyond the largest count this store keeps exactly (${Number.MAX_SAFE_INTEGER})`,
      );
    }
    segment[key] = value;
  }
  if (body.get_urls !== undefined) {
    for (const [i, url] of body.get_urls.entries()) {
      if (url.label !== undefined && urls.reservedLabels.has(url.label)) {
        throw new SegmentRejection(
          `get_urls label ${JSON.stringify(url.label)} belongs to a storage backend of this store`,
        );
      }
      const problem = urls.clientUrls.problem(`get_urls[${i}].url`, url.url);
      if (problem !== undefined) throw new SegmentRejection(problem);
    }
    segment.get_urls = body.get_urls.map((u) =>
      u.label === undefined ? { url: u.url } : { url: u.url, label: u.label },
    );
  }
  return segment;
}

/**
 * The segment's range on its object's timeline, `timerange - ts_offset`: the object's timerange
 * where the segment uses all of a new object (8.2 object.json: "This parameter MUST be set where
 * the Object contains media"). One rule for every version: a segment whose range there is beyond
 * what the store keeps is refused, so no object is left without a timerange for 8.2 to show.
 */
export function onOwnTimeline(segment: SegmentRecord): TimeRange {
  const own = onObjectTimeline(segment.timerange, segment.ts_offset);
  if (own !== undefined) return own;
  throw new SegmentRejection(
    `the segment's timerange - ts_offset (${segment.timerange.format()} less ${formatTimestamp(segment.ts_offset ?? 0n)}) is beyond the range this store keeps (64-bit nanoseconds)`,
  );
}

/**
 * What a segment's event payload adds to its body: the event's frame (64 bytes) and where the
 * object is (`storage`: a backend id and a key of at most 1,024 bytes).
 */
const EVENT_RESERVE = 2048;

/**
 * A segment is stored whole in its flows/segments_added event (and its object_id and get_urls each
 * in a column of their own): as a document it must fit in one cell (CELL_MAX_BYTES).
 */
function fitsInCell(body: FlowSegmentPost): void {
  try {
    checkDocument('a segment', body, 'its flows/segments_added event', EVENT_RESERVE);
  } catch (error) {
    if (error instanceof BadRequestError) throw new SegmentRejection(error.summary);
    throw error;
  }
}

function storable(ns: bigint, name: string): bigint {
  if (!fitsInt64(ns))
    throw new SegmentRejection(`${name} is beyond the range this store keeps (64-bit nanoseconds)`);
  return ns;
}

/**
 * Segments of one Flow must not overlap (ADR 0009): the timeline being registered into, holding
 * the existing segments near the batch and those accepted so far, sorted and disjoint, so only
 * the neighbours of a new segment can overlap it.
 */
export class Timeline {
  private readonly ranges: { range: TimeRange; existing: boolean }[];

  constructor(existing: readonly SegmentRecord[]) {
    this.ranges = existing
      .map((s) => ({ range: s.timerange, existing: true }))
      .sort((a, b) => compareByStart(a.range, b.range));
  }

  /** Adds `range`, or throws naming the segment it overlaps. */
  add(range: TimeRange): void {
    const i = this.insertionPoint(range);
    for (const neighbour of [this.ranges[i - 1], this.ranges[i]]) {
      if (neighbour?.range.overlaps(range)) {
        const where = neighbour.existing ? 'an existing segment' : 'another segment of this request';
        throw new SegmentRejection(
          `timerange ${range.format()} overlaps ${where} (${neighbour.range.format()})`,
        );
      }
    }
    this.ranges.splice(i, 0, { range, existing: false });
  }

  private insertionPoint(range: TimeRange): number {
    // Registrations usually append: check the end first.
    const last = this.ranges.at(-1);
    if (!last || compareByStart(last.range, range) <= 0) return this.ranges.length;
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareByStart((this.ranges[mid] as { range: TimeRange }).range, range) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Object rules (DIGEST §6.3, ADR 0030): an object allocated for another Flow and never used
 * cannot be registered here; one already used by another Flow can (reuse); an unknown object
 * is accepted only as an external object, with client-supplied `get_urls`.
 */
export function checkObject(
  flowId: string,
  segment: SegmentRecord,
  object: ObjectRecord | undefined,
): 'known' | 'external' {
  if (!object) {
    if (segment.get_urls && segment.get_urls.length > 0) return 'external';
    throw new SegmentRejection(
      `object ${segment.object_id} is unknown: allocate it with POST /flows/{flowId}/storage, or give get_urls for an external object`,
    );
  }
  if (!object.registered && object.allocated_for !== undefined && object.allocated_for !== flowId) {
    throw new SegmentRejection(
      `object ${segment.object_id} was allocated for another Flow (${object.allocated_for})`,
    );
  }
  return 'known';
}
