/** Deeper than any TTML document nests (tt > body > div > p > span is five). */
export const MAX_XML_DEPTH = 100;
/**
 * The parsed trees cost about 1.5 kB per element in all; this bounds them near 300 MB. A feature
 * film's TTML has a few thousand elements, word-timed captions of a three-hour event some 50,000.
 */
export const MAX_XML_ELEMENTS = 200_000;

export interface GuardFailure {
  readonly index: number;
  readonly reason: string;
}

/**
 * One forward scan over the markup, before the XML parser builds anything: refuses documents
 * nested deeper than MAX_XML_DEPTH or with more than MAX_XML_ELEMENTS elements, at the element
 * that crosses the line. Malformed markup is left to the validator (the scan just stops).
 */
export function guardXml(text: string): GuardFailure | undefined {
  let depth = 0;
  let elements = 0;
  let i = text.indexOf('<');
  while (i !== -1) {
    let end: number;
    if (text.startsWith('</', i)) {
      depth--;
      end = text.indexOf('>', i);
    } else if (text.startsWith('<!--', i)) {
      end = endOf(text, '-->', i + 4);
    } else if (text.startsWith('<![CDATA[', i)) {
      end = endOf(text, ']]>', i + 9);
    } else if (text.startsWith('<!', i)) {
      end = declarationEnd(text, i);
    } else if (text.startsWith('<?', i)) {
      end = endOf(text, '?>', i + 2);
    } else {
      end = tagEnd(text, i);
      if (end !== -1 && text.charCodeAt(end - 1) !== 0x2f /* / */ && ++depth > MAX_XML_DEPTH) {
        return { index: i, reason: `elements nested deeper than ${MAX_XML_DEPTH}` };
      }
      if (++elements > MAX_XML_ELEMENTS)
        return { index: i, reason: `more than ${MAX_XML_ELEMENTS} elements` };
    }
    if (end === -1) return undefined;
    i = text.indexOf('<', end + 1);
  }
  return undefined;
}

/** Index of the last character of `close` found from `from`, or -1. */
function endOf(text: string, close: string, from: number): number {
  const at = text.indexOf(close, from);
  return at === -1 ? -1 : at + close.length - 1;
}

/** The '>' closing a start tag, skipping quoted attribute values (they may hold '>'). */
function tagEnd(text: string, i: number): number {
  for (let k = i + 1; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x3e /* > */) return k;
    if (c === 0x22 || c === 0x27) {
      k = text.indexOf(text.charAt(k), k + 1);
      if (k === -1) return -1;
    }
  }
  return -1;
}

/** The '>' closing a DOCTYPE, past its internal subset and the quoted literals in it. */
function declarationEnd(text: string, i: number): number {
  let subset = false;
  for (let k = i + 2; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x22 || c === 0x27) {
      k = text.indexOf(text.charAt(k), k + 1);
      if (k === -1) return -1;
    } else if (c === 0x5b /* [ */) {
      subset = true;
    } else if (c === 0x5d /* ] */) {
      subset = false;
    } else if (c === 0x3e && !subset) {
      return k;
    }
  }
  return -1;
}
