/**
 * UAX #29 word boundaries for texts written with a small alphabet (ASCII, Latin-1 letters and
 * the typographic punctuation of English subtitles), where the rules reduce to a few cases.
 * Intl.Segmenter spends most of the analyzer's time building a segment object per word; this
 * scan finds the same word-like segments several times faster. Any other character sends the
 * whole text to Intl.Segmenter (analyze.tokens.ts). analyze.scan.test.ts checks that both give
 * the same words on random texts over this alphabet.
 */

// Outside the alphabet: C1 controls, the Latin-1 signs that UAX #29 takes for letters or Format
// (ª µ º ¸ and the soft hyphen), and everything above U+00FF but a handful of characters that
// are Other to it (dashes, quotes, ellipsis, bullet, euro, musical note) and the two MidNumLet
// quotation marks. The middle dot is MidLetter.
const SCANNABLE =
  /^[\0-\x7f\u00a0-\u00a9\u00ab\u00ac\u00ae-\u00b4\u00b6\u00b7\u00b9\u00bb-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac\u266a]*$/;

/** True when scanWords finds exactly the word-like segments that Intl.Segmenter would. */
export function isScannable(text: string): boolean {
  return SCANNABLE.test(text);
}

const OTHER = 0;
const LETTER = 1;
const NUMERIC = 2;
const EXTEND_NUM_LET = 3;
const MID_LETTER = 4;
const MID_NUM_LET = 5;
const MID_NUM = 6;

function wordBreakClass(c: number): number {
  if (c >= 0x61 ? c <= 0x7a : c >= 0x41 && c <= 0x5a) return LETTER;
  if (c >= 0x30 && c <= 0x39) return NUMERIC;
  if (c >= 0xc0 && c <= 0xff) return c === 0xd7 || c === 0xf7 ? OTHER : LETTER;
  switch (c) {
    case 0x5f:
      return EXTEND_NUM_LET;
    case 0x3a:
    case 0xb7:
      return MID_LETTER;
    case 0x2e:
    case 0x27:
    case 0x2018:
    case 0x2019:
      return MID_NUM_LET;
    case 0x2c:
    case 0x3b:
      return MID_NUM;
    default:
      return OTHER;
  }
}

/**
 * Calls `segment` with the [start, end) of each word-like segment of a scannable text, in
 * order. Rules WB5 to WB13b: letters, digits and underscores join; a MidLetter or MidNumLet
 * joins two letters, a MidNum or MidNumLet two digits. A segment of underscores only is left
 * out (ICU calls some of them word-like, but they hold no word).
 */
export function scanWords(text: string, segment: (start: number, end: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const first = wordBreakClass(text.charCodeAt(i));
    if (first !== LETTER && first !== NUMERIC && first !== EXTEND_NUM_LET) {
      i++;
      continue;
    }
    const start = i;
    let wordLike = first !== EXTEND_NUM_LET;
    let j = i + 1;
    while (j < n) {
      const k = wordBreakClass(text.charCodeAt(j));
      if (k === LETTER || k === NUMERIC || k === EXTEND_NUM_LET) {
        if (k !== EXTEND_NUM_LET) wordLike = true;
        j++;
        continue;
      }
      if (k === OTHER || j + 1 >= n) break;
      const before = wordBreakClass(text.charCodeAt(j - 1));
      const after = wordBreakClass(text.charCodeAt(j + 1));
      const joinsLetters = before === LETTER && after === LETTER && k !== MID_NUM;
      const joinsDigits = before === NUMERIC && after === NUMERIC && k !== MID_LETTER;
      if (!joinsLetters && !joinsDigits) break;
      j += 2;
    }
    if (wordLike) segment(start, j);
    i = j;
  }
}
