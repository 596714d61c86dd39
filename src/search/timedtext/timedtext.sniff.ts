import { parseSrtTimings } from './srt.parse.ts';
import type { TimedTextFormat } from './timedtext.types.ts';

/** What a content type or TAMS codec says about an object. */
export interface TimedTextHint {
  readonly contentType?: string | undefined;
  readonly codec?: string | undefined;
}

/** 'xml': generic XML, timed text only when its root is TTML's tt. */
export type HintedKind = TimedTextFormat | 'xml';

const MEDIA_TYPES = new Map<string, HintedKind>([
  ['text/vtt', 'webvtt'],
  ['text/webvtt', 'webvtt'],
  ['application/x-subrip', 'srt'],
  ['text/srt', 'srt'],
  ['application/srt', 'srt'],
  ['application/ttml+xml', 'ttml'],
  ['application/ttaf+xml', 'ttml'],
  ['application/xml', 'xml'],
  ['text/xml', 'xml'],
]);

/** The kind the hint names: the content type first, then the codec (a MIME type in TAMS). */
export function hintedKind(hint: TimedTextHint | undefined): HintedKind | undefined {
  for (const value of [hint?.contentType, hint?.codec]) {
    const kind = value === undefined ? undefined : MEDIA_TYPES.get(mediaType(value));
    if (kind !== undefined) return kind;
  }
  return undefined;
}

/** The `charset` parameter of a content type. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([\w.:-]{1,40})"?/i.exec(contentType ?? '');
  return match?.[1];
}

function mediaType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** How far into the text sniffing looks: a prolog, a WebVTT header or a first few SRT cues. */
const SNIFF_CHARS = 64 * 1024;
const SNIFF_LINES = 40;

/**
 * The format the content itself shows, if any: the WEBVTT signature, an XML document whose root
 * element's local name is tt (its namespace is the TTML parser's to check), or an SRT timing line
 * among the first lines.
 */
export function sniffFormat(text: string): TimedTextFormat | undefined {
  const head = text.slice(text.charCodeAt(0) === 0xfeff ? 1 : 0, SNIFF_CHARS);
  if (/^WEBVTT(?:$|[ \t\r\n])/.test(head)) return 'webvtt';
  const start = head.search(/\S/);
  if (start !== -1 && head.charAt(start) === '<') return rootName(head, start) === 'tt' ? 'ttml' : undefined;
  const lines = head.split(/\r\n|\r|\n/, SNIFF_LINES);
  return lines.some((line) => line.includes('-->') && parseSrtTimings(line) !== undefined)
    ? 'srt'
    : undefined;
}

/** The local name of the root element, past the XML declaration, comments, PIs and a DOCTYPE. */
function rootName(head: string, from: number): string | undefined {
  let i = from;
  while (i !== -1 && i < head.length) {
    if (head.startsWith('<?', i)) i = after(head, '?>', i);
    else if (head.startsWith('<!--', i)) i = after(head, '-->', i);
    else if (head.startsWith('<!', i)) i = afterDoctype(head, i);
    else if (head.charAt(i) === '<') {
      const name = /^<([^\s/>]{1,200})/.exec(head.slice(i, i + 202))?.[1];
      return name?.slice(name.indexOf(':') + 1);
    } else if (/\s/.test(head.charAt(i))) i++;
    else return undefined;
  }
  return undefined;
}

function after(head: string, close: string, from: number): number {
  const at = head.indexOf(close, from);
  return at === -1 ? -1 : at + close.length;
}

function afterDoctype(head: string, from: number): number {
  const subset = head.indexOf('[', from);
  const gt = head.indexOf('>', from);
  if (subset === -1 || (gt !== -1 && gt < subset)) return gt === -1 ? -1 : gt + 1;
  const close = head.indexOf(']', subset);
  return close === -1 ? -1 : after(head, '>', close);
}
