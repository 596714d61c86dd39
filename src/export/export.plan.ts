import { BadRequestError } from '../common/errors.ts';
import { type SegmentFormat, segmentFormat } from '../hls/hls.codecs.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { TimeRange } from '../time/index.ts';

/** What an export file is made of, in this order: one stored object each. */
export interface ExportPart {
  objectId: string;
  storageId: string;
  path: string;
  /** The segment's timerange (the init segment's: the first segment's), for error messages. */
  timerange: string;
}

/** The file an export sends, decided before its first byte. */
export interface ExportPlan {
  flowId: string;
  contentType: string;
  fileName: string;
  /** From the first segment's start to the last one's end (whole segments are exported). */
  covered: TimeRange;
  /** The init segment (fragmented MP4), then the segments' objects. */
  parts: ExportPart[];
  segmentCount: number;
}

/** What a container exports as: the file's media type and extension. */
export interface ExportKind {
  format: Extract<SegmentFormat, 'mpegts' | 'fmp4'>;
  contentType: string;
  extension: string;
}

/**
 * The file a Flow's segments make when concatenated: MPEG-TS packets concatenate into an
 * MPEG-TS file, an init segment and CMAF/fMP4 fragments into a fragmented MP4 file. WebVTT files
 * (each with its own header) and anything else do not.
 */
export function exportKind(flow: FlowRecord): ExportKind {
  const format = segmentFormat(flow.container);
  const base = flow.container?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (format === 'mpegts') return { format, contentType: base, extension: 'ts' };
  if (format === 'fmp4') {
    return base.startsWith('audio/')
      ? { format, contentType: 'audio/mp4', extension: 'm4a' }
      : { format, contentType: 'video/mp4', extension: 'mp4' };
  }
  if (flow.container === undefined) {
    const collectors = flow.collected_by.length > 0 ? `: export ${flow.collected_by.join(', ')}` : '';
    throw new BadRequestError(
      `Flow ${flow.id} has no segments of its own (no container); its media is in the segments of the multi Flows collecting it${collectors}`,
    );
  }
  throw new BadRequestError(
    `Flow ${flow.id} has container ${flow.container}: an export concatenates MPEG-TS (video/mp2t, audio/mp2t) or fragmented MP4 (video/mp4, audio/mp4) segments into one file`,
  );
}

/** A stored object of a segment: where its bytes are, or why the export cannot read them. */
export type Stored = { storageId: string; path: string } | { refusal: string };

/** The segments' objects in timeline order, each object once where consecutive segments share it. */
export function segmentParts(
  segments: readonly SegmentRecord[],
  stored: (segment: SegmentRecord) => Stored,
): ExportPart[] {
  const parts: ExportPart[] = [];
  const refused: string[] = [];
  for (const segment of segments) {
    // Segments that each use a part of one object (sample_offset, object_timerange): the object
    // holds their media once, and is exported once.
    if (parts.at(-1)?.objectId === segment.object_id) continue;
    const where = stored(segment);
    if ('refusal' in where) {
      refused.push(`${segment.timerange.format()} (object ${segment.object_id}): ${where.refusal}`);
      continue;
    }
    parts.push({ objectId: segment.object_id, ...where, timerange: segment.timerange.format() });
  }
  if (refused.length > 0) {
    const shown = refused.slice(0, 3).join('; ');
    const more = refused.length > 3 ? `; and ${refused.length - 3} more` : '';
    throw new BadRequestError(
      `The export cannot read ${refused.length} segment${refused.length === 1 ? '' : 's'} of the timerange: ${shown}${more}. Ask for a timerange without them.`,
    );
  }
  return parts;
}

/**
 * The one init segment object of the segments (each segment's TAMS 8.2 `init_object_id`, else the
 * Flow's `_tams-server_init_object_id` tag), or undefined for none. An fMP4 file has one movie
 * header: where the init segment changes within the timerange the export is refused (400), and
 * the message says where, so that each part can be exported on its own.
 */
export function initObjectOf(
  segments: readonly SegmentRecord[],
  flowInit: string | undefined,
): string | undefined {
  const first = segments[0];
  if (first === undefined) return undefined;
  const initOf = (segment: SegmentRecord) => segment.init_object_id ?? flowInit;
  const init = initOf(first);
  const changed = segments.find((segment) => initOf(segment) !== init);
  if (changed !== undefined) {
    const at = changed.timerange.start;
    const name = (id: string | undefined) => (id === undefined ? 'none' : `object ${id}`);
    const before = TimeRange.fromBounds(first.timerange.start, at, first.timerange.startInclusive, false);
    throw new BadRequestError(
      `The init segment changes within the timerange, at ${changed.timerange.format()} (from ${name(init)} to ${name(initOf(changed))}): one fragmented MP4 file has one init segment. Export ${before.format()} and the rest from there separately.`,
    );
  }
  return init;
}

/** From the first segment's start to the last one's end. */
export function coveredBy(segments: readonly SegmentRecord[]): TimeRange {
  const first = segments[0];
  const last = segments.at(-1);
  if (first === undefined || last === undefined) return TimeRange.EMPTY;
  return TimeRange.fromBounds(
    first.timerange.start,
    last.timerange.end,
    first.timerange.startInclusive,
    last.timerange.endInclusive,
  );
}
