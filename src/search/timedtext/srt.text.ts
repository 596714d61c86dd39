import { CUE_ENTITIES, readReference } from './timedtext.entities.ts';
import { tidyText } from './timedtext.sink.ts';

// The formatting tags SRT players honour; other '<...>' is text ("<3", "<inaudible>").
const TAGS = new Set(['i', 'b', 'u', 's', 'font']);

/**
 * SRT cue text as plain text: `<i> <b> <u> <s> <font ...>` tags (and their end tags) and ASS
 * override blocks (`{\an8}`, `{\i1}`) removed, character references decoded. One pass, so a
 * decoded `&lt;i&gt;` stays text. An unclosed tag or block is kept as text.
 */
export function plainSrtText(text: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  // The next '>' and '}' at or after i, found once and reused so scanning stays linear.
  let gt = -2;
  let brace = -2;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let skipTo = -1;
    if (c === 0x3c /* < */ && isKnownTag(text, i)) {
      if (gt !== -1 && gt < i) gt = text.indexOf('>', i);
      skipTo = gt;
    } else if (c === 0x7b /* { */ && text.charCodeAt(i + 1) === 0x5c /* \ */) {
      if (brace !== -1 && brace < i) brace = text.indexOf('}', i);
      skipTo = brace;
    } else if (c === 0x26 /* & */) {
      const ref = readReference(text, i, CUE_ENTITIES);
      out += text.slice(from, i) + ref.value;
      i += ref.length;
      from = i;
      continue;
    }
    if (skipTo === -1) {
      i++;
      continue;
    }
    out += text.slice(from, i);
    i = skipTo + 1;
    from = i;
  }
  return tidyText(out + text.slice(from));
}

/** `<name` or `</name` with a known name, then '>', '/' or whitespace. */
function isKnownTag(text: string, at: number): boolean {
  let i = at + 1;
  if (text.charCodeAt(i) === 0x2f /* / */) i++;
  const from = i;
  while (i < text.length && i - from <= 4 && /[A-Za-z]/.test(text.charAt(i))) i++;
  if (!TAGS.has(text.slice(from, i).toLowerCase())) return false;
  const next = text.charAt(i);
  return next === '>' || next === '/' || next === ' ' || next === '\t' || next === '\n';
}
