import { startThatFits } from '../../common/cells.ts';
import type { JsonValue } from '../../db/db.types.ts';
import type { SegmentRecord } from '../../store/segments.repo.ts';
import type { FlowRecord, SourceRecord, Tags } from '../../store/store.types.ts';
import type { SearchDoc } from '../store/search.docs.repo.ts';
import type { TimedCue } from '../timedtext/timedtext.types.ts';

/** A document before the indexer numbers it: what it is of, and its text. */
export type DocDraft = Omit<SearchDoc, 'doc_no' | 'length' | 'indexed'>;

export const flowKey = (id: string) => `flow:${id}`;
export const sourceKey = (id: string) => `source:${id}`;

/** The short name of an NMOS format URN (`urn:x-nmos:format:video` -> `video`). */
export function formatName(format: string | undefined): string | undefined {
  return format?.startsWith('urn:x-nmos:format:') ? format.slice('urn:x-nmos:format:'.length) : format;
}

/** `name: value`, a list's elements (TAMS 8.x) one after another: `language: en, fr`. */
function tagLines(tags: Tags): string[] {
  return Object.entries(tags).map(
    ([name, value]) => `${name}: ${typeof value === 'string' ? value : value.join(', ')}`,
  );
}

/** Essence parameters as words: `frame_width 1920` reads as "frame width 1920". */
function essenceLines(params: JsonValue | undefined, prefix = '', depth = 0): string[] {
  if (params === null || params === undefined || depth > 3) return [];
  if (typeof params !== 'object') return [`${prefix.replaceAll('_', ' ')} ${String(params)}`.trim()];
  if (Array.isArray(params)) return params.flatMap((v) => essenceLines(v, prefix, depth + 1));
  return Object.entries(params).flatMap(([k, v]) =>
    essenceLines(v, prefix ? `${prefix} ${k}` : k, depth + 1),
  );
}

/**
 * The lines of a document's text. A Flow fits in one stored value as JSON, yet its words may not
 * (essence parameters spelled out repeat their names): the text is then indexed on the start that
 * fits (CELL_MAX_BYTES), as a long caption cue is (MAX_DOC_TEXT).
 */
function lines(parts: readonly (string | undefined)[]): string {
  return startThatFits(parts.filter((p): p is string => p !== undefined && p.trim() !== '').join('\n'));
}

/** A Flow's metadata as a document: label, description, tags, format, codec, essence. */
export function flowDoc(flow: FlowRecord): DocDraft {
  return {
    doc_key: flowKey(flow.id),
    kind: 'flow',
    flow_id: flow.id,
    source_id: flow.source_id,
    format: flow.format,
    ...(flow.codec !== undefined && { codec: flow.codec }),
    text: lines([
      flow.label,
      flow.description,
      ...tagLines(flow.tags),
      formatName(flow.format),
      flow.codec,
      flow.container,
      ...essenceLines(flow.essence_parameters),
    ]),
  };
}

export function sourceDoc(source: SourceRecord): DocDraft {
  return {
    doc_key: sourceKey(source.id),
    kind: 'source',
    source_id: source.id,
    format: source.format,
    text: lines([source.label, source.description, ...tagLines(source.tags), formatName(source.format)]),
  };
}

export function captionKeyPrefix(flowId: string, segStart: bigint, objectId: string): string {
  return `caption:${flowId}:${segStart}:${objectId}:`;
}

/**
 * Text a document keeps at most: the limit of a transcript cue's text (transcripts.schemas.ts).
 * A caption cue longer than that is indexed on its first part: no database column or embedding
 * model is asked to take a text of any size (VAST DataBase refuses a row over 5 MiB).
 */
export const MAX_DOC_TEXT = 10_000;

/** `text` cut to MAX_DOC_TEXT code units, never between the halves of a surrogate pair. */
function capped(text: string): string {
  if (text.length <= MAX_DOC_TEXT) return text;
  const high = text.charCodeAt(MAX_DOC_TEXT - 1);
  return text.slice(0, high >= 0xd800 && high <= 0xdbff ? MAX_DOC_TEXT - 1 : MAX_DOC_TEXT);
}

/** What the cues of one timed-text object came to on its segment (see captionDocs). */
export interface CaptionPlacement {
  docs: DocDraft[];
  /** Cues wholly outside the segment's timerange: not indexed. */
  outside: number;
  /** Cues with no text: nothing to index. */
  empty: number;
  /** The span of all the cues on the Flow's timeline, [start, end); undefined for no cue. */
  span?: { start: bigint; end: bigint };
}

/**
 * The cues of a timed-text object on its Flow's timeline (README "Media search", "Where caption
 * times land"). A cue's time is media time: the file's own (a WebVTT, SRT or TTML time counts
 * from the start of the file's timeline), or the MPEG-TS clock where an HLS WebVTT segment's
 * X-TIMESTAMP-MAP says so (the parser has applied it). The segment's ts_offset maps media time to
 * the Flow's (TAMS: segment time = media time + ts_offset, 0:0 when absent), and only the part
 * of a cue within the segment's timerange belongs to this segment: cues wholly outside are
 * dropped and counted in `outside`.
 */
export function captionDocs(
  flow: FlowRecord,
  segment: SegmentRecord,
  cues: readonly TimedCue[],
): CaptionPlacement {
  const offset = segment.ts_offset ?? 0n;
  const range = segment.timerange;
  const segStart = range.start ?? 0n;
  const prefix = captionKeyPrefix(flow.id, segStart, segment.object_id);
  const placed: CaptionPlacement = { docs: [], outside: 0, empty: 0 };
  cues.forEach((cue, n) => {
    const text = cue.text.trim();
    if (text === '') {
      placed.empty++;
      return;
    }
    let start = cue.start + offset;
    let end = cue.end + offset;
    placed.span = {
      start: placed.span === undefined || start < placed.span.start ? start : placed.span.start,
      end: placed.span === undefined || end > placed.span.end ? end : placed.span.end,
    };
    if (range.start !== null && start < range.start) start = range.start;
    // An exclusive end is the first instant after the segment; an inclusive one is its last.
    if (range.end !== null) {
      const limit = range.endInclusive ? range.end + 1n : range.end;
      if (end > limit) end = limit;
    }
    if (end <= start) {
      placed.outside++;
      return;
    }
    placed.docs.push({
      doc_key: `${prefix}${n}`,
      kind: 'caption',
      flow_id: flow.id,
      source_id: flow.source_id,
      format: flow.format,
      ...(flow.codec !== undefined && { codec: flow.codec }),
      time_start: start,
      time_end: end,
      seg_start: segStart,
      object_id: segment.object_id,
      ...(cue.speaker !== undefined && { speaker: cue.speaker }),
      text: capped(cue.text),
    });
  });
  return placed;
}

export function transcriptKeyPrefix(transcriptId: string): string {
  return `transcript:${transcriptId}:`;
}
