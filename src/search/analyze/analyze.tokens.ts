import { cachedWordForms, type WordForms, wordForms } from './analyze.normalize.ts';
import { isScannable, scanWords } from './analyze.scan.ts';

export interface Token {
  /** The indexed form: normalizeWord, then Porter-stemmed (see termOfNormalized). */
  readonly term: string;
  /** Index of the word among all words of the text, stop words included. */
  readonly position: number;
  /** UTF-16 offsets of the word in the original text. */
  readonly start: number;
  readonly end: number;
}

/**
 * Called for every word, stop words included (term null). Positions count every word, so a
 * stop word leaves a gap of one in the positions of the tokens around it.
 */
export type WordVisitor = (
  normalized: string,
  term: string | null,
  position: number,
  start: number,
  end: number,
) => void;

/** Called for every indexed word (stop words left out). */
export type TokenVisitor = (term: string, position: number, start: number, end: number) => void;

// A fixed locale: segmentation must not depend on the machine's default locale, or documents
// indexed on one server would not meet queries analyzed on another.
const SEGMENTER = new Intl.Segmenter('en', { granularity: 'word' });

// A word-like segment made of letters, digits, marks and apostrophes only is one word (most of
// them). Anything else in it (periods, commas, colons, underscores, narrow no-break spaces: what
// UAX #29 lets inside a word) goes through Walk.split.
const SIMPLE_SEGMENT = /^[\p{L}\p{N}\p{M}'\u2018\u2019\uff07]+$/u;
const WORD_CHAR = /[\p{L}\p{N}\p{M}\p{Cf}'\u2018\u2019\uff07]/u;
const DIGIT = /\p{Nd}/u;
const ACRONYM = /^\p{L}(?:[.\u2024\ufe52\uff0e]\p{L})+$/u;
const PERIODS = '.\u2024\ufe52\uff0e';
const NUMBER_SEPARATORS = ',\ufe50\uff0c\u066c';

function isDigitCode(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0x30 && c <= 0x39) return true;
  if (c < 0x80 || Number.isNaN(c)) return false;
  return DIGIT.test(String.fromCodePoint(s.codePointAt(i) ?? 0));
}

function digitBefore(s: string, i: number): boolean {
  if (i === 0) return false;
  const low = s.charCodeAt(i - 1);
  return isDigitCode(s, low >= 0xdc00 && low <= 0xdfff && i >= 2 ? i - 2 : i - 1);
}

class Walk {
  position = 0;
  constructor(
    private readonly visit: WordVisitor | null,
    private readonly tokens: Token[] | null,
  ) {}

  segment(segment: string, start: number): void {
    const cached = cachedWordForms(segment);
    if (cached !== undefined) this.emit(cached, start, start + segment.length);
    else if (SIMPLE_SEGMENT.test(segment) || ACRONYM.test(segment)) {
      this.emit(wordForms(segment), start, start + segment.length);
    } else this.split(segment, start);
  }

  /**
   * A word-like segment that is not simple splits into words at every character that is not a
   * letter, digit, mark, format character or apostrophe, except that a period or comma between
   * two digits stays inside a number ("3.5", "1,000"). So "bbc.co.uk" is three words, "foo_bar"
   * two, "10:30" two; single-letter acronyms ("U.S.A") were kept whole by the caller.
   */
  private split(segment: string, base: number): void {
    let from = -1;
    for (let i = 0; i < segment.length; ) {
      const width = (segment.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
      const ch = width === 1 ? segment.charAt(i) : segment.slice(i, i + 2);
      const inWord =
        WORD_CHAR.test(ch) ||
        ((PERIODS.includes(ch) || NUMBER_SEPARATORS.includes(ch)) &&
          digitBefore(segment, i) &&
          isDigitCode(segment, i + 1));
      if (inWord) {
        if (from < 0) from = i;
      } else if (from >= 0) {
        this.emit(wordForms(segment.slice(from, i)), base + from, base + i);
        from = -1;
      }
      i += width;
    }
    if (from >= 0) this.emit(wordForms(segment.slice(from)), base + from, base + segment.length);
  }

  private emit(forms: WordForms, start: number, end: number): void {
    // A word of nothing but format characters or apostrophes is no word: it takes no position.
    if (forms.normalized === '') return;
    const position = this.position++;
    if (this.visit !== null) this.visit(forms.normalized, forms.term, position, start, end);
    if (this.tokens !== null && forms.term !== null) {
      this.tokens.push({ term: forms.term, position, start, end });
    }
  }
}

function walk(text: string, visit: WordVisitor | null, tokens: Token[] | null): number {
  const w = new Walk(visit, tokens);
  if (isScannable(text)) scanWords(text, (start, end) => w.segment(text.slice(start, end), start));
  else {
    for (const s of SEGMENTER.segment(text)) if (s.isWordLike) w.segment(s.segment, s.index);
  }
  return w.position;
}

/**
 * The analysis with every text going through Intl.Segmenter: the reference the fast path of
 * analyze is tested against.
 */
export function analyzeBySegmenter(text: string): Token[] {
  const tokens: Token[] = [];
  const w = new Walk(null, tokens);
  for (const s of SEGMENTER.segment(text)) if (s.isWordLike) w.segment(s.segment, s.index);
  return tokens;
}

/** Visits every word of `text`, stop words included; returns the number of words (positions). */
export function forEachWord(text: string, visit: WordVisitor): number {
  return walk(text, visit, null);
}

/**
 * Visits every indexed word of `text` without building Token objects (for indexers); returns
 * the number of words, stop words included (the next free position).
 */
export function forEachToken(text: string, visit: TokenVisitor): number {
  return walk(
    text,
    (_normalized, term, position, start, end) => {
      if (term !== null) visit(term, position, start, end);
    },
    null,
  );
}

/**
 * The indexed words of `text`, in order: positions strictly increase (a stop word leaves a gap),
 * offsets point into `text` itself whatever normalization did to the word's length. Documents
 * and queries go through the same analysis.
 */
export function analyze(text: string): Token[] {
  const tokens: Token[] = [];
  walk(text, null, tokens);
  return tokens;
}
