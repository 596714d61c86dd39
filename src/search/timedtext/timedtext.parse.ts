import { parseSrt } from './srt.parse.ts';
import { decodeText } from './timedtext.decode.ts';
import { charsetOf, hintedKind, sniffFormat, type TimedTextHint } from './timedtext.sniff.ts';
import {
  TIMED_TEXT_LIMITS,
  type TimedText,
  TimedTextError,
  type TimedTextFormat,
} from './timedtext.types.ts';
import { parseTtml } from './ttml.parse.ts';
import { parseWebVtt } from './webvtt.parse.ts';

export type { TimedTextHint } from './timedtext.sniff.ts';

const PARSERS: Record<TimedTextFormat, (text: string) => TimedText> = {
  webvtt: parseWebVtt,
  srt: parseSrt,
  ttml: parseTtml,
};

/**
 * Whether a content type or codec names timed text the parsers may read: WebVTT, SRT, TTML, or
 * generic XML (which is TTML when its root is tt, known only once read).
 */
export function timedTextKind(hint: TimedTextHint): boolean {
  return hintedKind(hint) !== undefined;
}

/**
 * Parses a timed-text object. Bytes over TIMED_TEXT_LIMITS.maxBytes are refused unread. The text
 * is decoded by BOM, then the content type's charset, then UTF-8 (see decodeText). The format is
 * what the content shows when it shows one (a WEBVTT signature, a tt root, an SRT timing line),
 * since stores label objects loosely; otherwise what the hint names. Generic XML that is not
 * TTML, and content no hint or sniffing identifies, are refused.
 */
export function parseTimedText(bytes: Uint8Array, hint?: TimedTextHint): TimedText {
  const max = TIMED_TEXT_LIMITS.maxBytes;
  if (bytes.byteLength > max) throw new TimedTextError(undefined, `byte ${max}`, `larger than ${max} bytes`);
  const text = decodeText(bytes, charsetOf(hint?.contentType));
  const hinted = hintedKind(hint);
  const format = sniffFormat(text) ?? (hinted === 'xml' ? undefined : hinted);
  if (format === undefined) {
    const reason = hinted === 'xml' ? 'XML whose root is not a TTML tt element' : 'not WebVTT, SRT or TTML';
    throw new TimedTextError(undefined, 'byte 0', reason);
  }
  return PARSERS[format](text);
}
