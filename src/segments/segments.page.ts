import { spellUuid } from '../common/uuid-bytes.ts';
import type { PlainPage } from '../embedded/index/index.ts';
import type { UuidKeyUrls } from '../media/media.types.ts';
import { envelopeOf, formatTimestamp, TimeRange } from '../time/index.ts';
import type { SegmentView } from './segments.mapper.ts';

/** One of the get_urls of a PlainPage's segments: `{url, presigned, label}` of each key. */
export interface PlainUrlKind {
  urls: UuidKeyUrls;
  presigned: boolean;
  label?: string;
}

/** Text a JSON string holds as it is: printable ASCII but the quote and the backslash. */
const JSON_PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The longest text of a bounded timerange: two 64-bit timestamps (sign, 11 + 9 digits) and 4 marks. */
const TIMERANGE_MAX = 2 * 22 + 4;
/** The longest key_frame_count a plain row has (under 254). */
const KEY_FRAMES_MAX = 3;
/** The most a row takes besides its get_urls' items. */
const ROW_MAX =
  '{"object_id":"'.length +
  36 +
  '","timerange":"'.length +
  TIMERANGE_MAX +
  1 +
  ',"key_frame_count":'.length +
  KEY_FRAMES_MAX +
  ',"get_urls":['.length +
  2 +
  1;

/** What a row takes more with its object's timerange (8.2's include_object_timerange). */
const OBJECT_RANGE_MAX = '","object_timerange":"'.length + TIMERANGE_MAX;

const OBJECT_ID = Buffer.from('{"object_id":"', 'latin1');
const TIMERANGE = Buffer.from('","timerange":"', 'latin1');
const OBJECT_TIMERANGE = Buffer.from('","object_timerange":"', 'latin1');
const GET_URLS = Buffer.from(',"get_urls":[', 'latin1');

/** Writes the ASCII `text` at `at`; returns where it ends. */
function ascii(out: Buffer, at: number, text: string): number {
  for (let c = 0; c < text.length; c++) out[at + c] = text.charCodeAt(c);
  return at + text.length;
}

/**
 * One get_urls item of every segment of the page as bytes, `{"url":"<head><uuid><tail><signature>",
 * "presigned":…,"label":"…"}`, with room for the segment's UUID and signature: copied whole for
 * each segment (one native copy), then those two written in.
 */
interface UrlTemplate {
  bytes: Buffer;
  /** Where the UUID goes in `bytes`. */
  uuidAt: number;
  /** Where the signature goes in `bytes` (signatureChars of them). */
  signatureAt: number;
  signatures: Uint8Array;
  signatureChars: number;
}

function urlTemplate(kind: PlainUrlKind): UrlTemplate | undefined {
  const { head, tail, signatures, signatureChars } = kind.urls;
  const label = kind.label;
  if (!JSON_PLAIN.test(head) || !JSON_PLAIN.test(tail) || (label !== undefined && !JSON_PLAIN.test(label)))
    return undefined;
  const open = `{"url":"${head}`;
  const close = `","presigned":${kind.presigned}${label === undefined ? '' : `,"label":"${label}"`}}`;
  const bytes = Buffer.from(`${open}${'-'.repeat(36)}${tail}${' '.repeat(signatureChars)}${close}`, 'latin1');
  const uuidAt = open.length;
  return { bytes, uuidAt, signatureAt: uuidAt + 36 + tail.length, signatures, signatureChars };
}

/**
 * Timerange texts as TimeRange.format writes them, each timestamp formatted once: a Flow's
 * segments are mostly contiguous, so a segment's start is the end before it.
 */
class TimeTexts {
  private lastNs: bigint | undefined;
  private lastText = '';

  range(start: bigint, end: bigint, startInclusive: boolean, endInclusive: boolean): string {
    if (start < end)
      return `${startInclusive ? '[' : '('}${this.stamp(start)}_${this.stamp(end)}${endInclusive ? ']' : ')'}`;
    if (start === end && startInclusive && endInclusive) return `[${this.stamp(start)}]`;
    return TimeRange.fromBounds(start, end, startInclusive, endInclusive).format();
  }

  private stamp(ns: bigint): string {
    if (ns !== this.lastNs) {
      this.lastNs = ns;
      this.lastText = formatTimestamp(ns);
    }
    return this.lastText;
  }
}

/**
 * The envelope of the page's timeranges, from its first and last segments in time: segments do
 * not overlap, so those hold the earliest start and the latest end.
 */
function envelope(page: PlainPage): TimeRange {
  if (page.count === 0) return envelopeOf([]);
  const at = (k: number) =>
    TimeRange.fromBounds(page.start(k), page.end(k), page.startInclusive(k), page.endInclusive(k));
  return envelopeOf([at(0), at(page.count - 1)]);
}

export interface RenderedPage {
  /** The page's JSON text (UTF-8; ASCII, in fact). */
  body: Buffer;
  /** The envelope of the page's timeranges (X-Paging-Timerange). */
  timerange: TimeRange;
}

/**
 * The JSON body of a PlainPage whose segments have the get_urls `kinds`: byte for byte what
 * JSON.stringify writes for the same page made with SegmentRecords, buildMany and
 * segmentDocument, written straight from the page's rows (segments.page.test.ts holds the two
 * to each other). A segments page is what the server answers most, and making 100 records, 200
 * URL strings and 100 documents, then walking them again to serialise them, was most of its
 * cost. Undefined when a text the page would carry needs JSON escaping (a backend's label, say):
 * that page is made the usual way.
 */
export function renderPlainPage(
  page: PlainPage,
  kinds: readonly PlainUrlKind[],
  view: SegmentView = {},
): RenderedPage | undefined {
  const templates: UrlTemplate[] = [];
  for (const kind of kinds) {
    const template = urlTemplate(kind);
    if (template === undefined) return undefined;
    templates.push(template);
  }
  const times = new TimeTexts();
  // A plain row has no ts_offset and no object timerange of its own: its object's timerange is
  // its timerange (segmentObjectTimerange), written twice.
  const objectRange = view.objectTimerange === true;
  let perRow = ROW_MAX + (objectRange ? OBJECT_RANGE_MAX : 0);
  for (const t of templates) perRow += t.bytes.length + 1;
  const out = Buffer.allocUnsafe(2 + perRow * page.count);
  const ids = page.objectIds;
  let at = 0;
  out[at++] = 91; // '['
  for (let k = 0; k < page.count; k++) {
    if (k > 0) out[at++] = 44; // ','
    out.set(OBJECT_ID, at);
    // The UUID's text is written once, here, and copied into each URL.
    const idAt = at + OBJECT_ID.length;
    spellUuid(out, idAt, ids, 16 * k);
    at += OBJECT_ID.length + 36;
    out.set(TIMERANGE, at);
    at += TIMERANGE.length;
    const range = times.range(page.start(k), page.end(k), page.startInclusive(k), page.endInclusive(k));
    const rangeAt = at;
    at = ascii(out, at, range);
    if (objectRange) {
      // The same text again: one native copy of the bytes just written, not a second walk of it.
      out.set(OBJECT_TIMERANGE, at);
      at += OBJECT_TIMERANGE.length;
      out.copyWithin(at, rangeAt, rangeAt + range.length);
      at += range.length;
    }
    out[at++] = 34; // '"'
    const keyFrames = page.keyFrameCount(k);
    if (keyFrames >= 0) at = ascii(out, at, `,"key_frame_count":${keyFrames}`);
    out.set(GET_URLS, at);
    at += GET_URLS.length;
    for (let u = 0; u < templates.length; u++) {
      const t = templates[u] as UrlTemplate;
      if (u > 0) out[at++] = 44;
      out.set(t.bytes, at);
      out.copyWithin(at + t.uuidAt, idAt, idAt + 36);
      const { signatures, signatureChars } = t;
      const to = at + t.signatureAt - k * signatureChars;
      for (let c = k * signatureChars; c < (k + 1) * signatureChars; c++)
        out[to + c] = signatures[c] as number;
      at += t.bytes.length;
    }
    out[at++] = 93; // ']'
    out[at++] = 125; // '}'
  }
  out[at++] = 93;
  // A typed array drops writes past its end: a wrong bound would cut the body, never overflow.
  if (at > out.length) throw new Error(`segments page of ${at} bytes overran its ${out.length}`);
  return { body: out.subarray(0, at), timerange: envelope(page) };
}
