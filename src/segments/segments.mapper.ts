import type { SegmentRecord } from '../store/segments.repo.ts';
import { formatTimestamp } from '../time/index.ts';
import type { FlowSegment } from './segments.schemas.ts';

/** A segment as the segments endpoint returns it, but for `get_urls` (made per request). */
export function segmentFields(segment: SegmentRecord): Omit<FlowSegment, 'get_urls'> {
  const doc: Omit<FlowSegment, 'get_urls'> = {
    object_id: segment.object_id,
    timerange: segment.timerange.format(),
  };
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
export function segmentDocument(segment: SegmentRecord, getUrls: FlowSegment['get_urls']): FlowSegment {
  const doc: FlowSegment = segmentFields(segment);
  doc.get_urls = getUrls;
  return doc;
}
