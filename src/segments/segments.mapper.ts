import { segmentObjectTimerange } from '../store/objects/object-times.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import { formatTimestamp } from '../time/index.ts';
import type { FlowSegmentV8 } from './segments.v8.schemas.ts';

/**
 * What a version's segment answers add to 7.0's fields: 8.2 gives the object's timerange when
 * asked (`include_object_timerange=true`, ADR 0036). 7.0 answers are made with none (`{}`).
 */
export interface SegmentView {
  objectTimerange?: boolean;
  /** 8.2: each segment's `init_object`, with its get_urls (ADR 0045). */
  initObject?: boolean;
}

/** 7.0's view (no allocation per call on the hot path). */
const PLAIN_VIEW: SegmentView = {};

/** A segment's fields as a version answers them, but for `get_urls`; 7.0's as they always were. */
export type SegmentFields = Omit<FlowSegmentV8, 'get_urls'>;

/** A segment as the segments endpoint returns it, but for `get_urls` (made per request). */
export function segmentFields(segment: SegmentRecord, view: SegmentView = PLAIN_VIEW): SegmentFields {
  const doc: SegmentFields = {
    object_id: segment.object_id,
    timerange: segment.timerange.format(),
  };
  if (view.objectTimerange) {
    const objectRange = segmentObjectTimerange(segment);
    if (objectRange !== undefined) doc.object_timerange = objectRange.format();
  }
  if (segment.ts_offset !== undefined) doc.ts_offset = formatTimestamp(segment.ts_offset);
  if (segment.last_duration !== undefined) doc.last_duration = formatTimestamp(segment.last_duration);
  if (segment.sample_offset !== undefined) doc.sample_offset = segment.sample_offset;
  if (segment.sample_count !== undefined) doc.sample_count = segment.sample_count;
  if (segment.key_frame_count !== undefined) doc.key_frame_count = segment.key_frame_count;
  return doc;
}

/**
 * A segment as the segments endpoint returns it. get_urls is set on segmentFields' object rather
 * than spread into a new one: a page builds 100 of them, and the spread took ~12% of a page's CPU.
 */
export function segmentDocument(
  segment: SegmentRecord,
  getUrls: FlowSegmentV8['get_urls'],
  view: SegmentView = PLAIN_VIEW,
): FlowSegmentV8 {
  const doc: FlowSegmentV8 = segmentFields(segment, view);
  doc.get_urls = getUrls;
  return doc;
}
