/** The named references WebVTT and SRT files use; any other name is left as written. */
export const CUE_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['nbsp', '\u00a0'],
  ['lrm', '\u200e'],
  ['rlm', '\u200f'],
]);

/** XML's predefined entities: a DOCTYPE's own entities are never expanded. */
export const XML_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

// Longer than any name in the tables, so a longer run of letters cannot be one of them.
const MAX_NAME = 8;
const REPLACEMENT = '\ufffd';

export interface Reference {
  readonly value: string;
  /** Characters the reference spans in the source; 1 for an '&' that starts none (kept as is). */
  readonly length: number;
}

const LONE_AMP: Reference = { value: '&', length: 1 };

/**
 * The character reference at `text[at]` (an '&'): `&name;` from `named`, `&#123;` or `&#x1F;`.
 * References need their ';'. Code points that cannot be characters (0, surrogates, beyond
 * U+10FFFF) decode to U+FFFD as HTML does. Reads a bounded number of characters except for the
 * digits of a numeric reference, which it consumes whole, so scanning stays linear.
 */
export function readReference(text: string, at: number, named: ReadonlyMap<string, string>): Reference {
  if (text.charCodeAt(at + 1) === 0x23 /* # */) return readNumeric(text, at);
  let i = at + 1;
  while (i < text.length && i - at <= MAX_NAME && isAlnum(text.charCodeAt(i))) i++;
  if (i === at + 1 || text.charCodeAt(i) !== 0x3b /* ; */) return LONE_AMP;
  const value = named.get(text.slice(at + 1, i));
  return value === undefined ? LONE_AMP : { value, length: i + 1 - at };
}

function readNumeric(text: string, at: number): Reference {
  const hex = (text.charCodeAt(at + 2) | 0x20) === 0x78; /* x or X */
  const first = at + (hex ? 3 : 2);
  let i = first;
  while (i < text.length && (hex ? isHex(text.charCodeAt(i)) : isDigit(text.charCodeAt(i)))) i++;
  if (i === first || text.charCodeAt(i) !== 0x3b) return LONE_AMP;
  const digits = text.slice(first, i);
  // Eight digits already exceed U+10FFFF in either base; longer runs need no parsing.
  const code = digits.length > 8 ? -1 : Number.parseInt(digits, hex ? 16 : 10);
  const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
  return { value: valid ? String.fromCodePoint(code) : REPLACEMENT, length: i + 1 - at };
}

/** `text` with every reference `readReference` knows decoded. */
export function decodeReferences(text: string, named: ReadonlyMap<string, string>): string {
  let at = text.indexOf('&');
  if (at === -1) return text;
  let out = '';
  let from = 0;
  while (at !== -1) {
    const ref = readReference(text, at, named);
    out += text.slice(from, at) + ref.value;
    from = at + ref.length;
    at = text.indexOf('&', from);
  }
  return out + text.slice(from);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

function isAlnum(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}
