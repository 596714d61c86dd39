import { stemmer } from 'stemmer';
import { eng } from 'stopword';

/**
 * Longest normalized word kept, in UTF-16 code units. Longer words (hashes, base64, run-together
 * URLs) are truncated, not dropped, so the same long word in a query still finds them (and a
 * prefix query its beginning); a word that reaches this length is not stemmed (it is no English
 * word, and stemming it would only cost time).
 */
export const MAX_TERM_LENGTH = 64;

const STOP_WORDS: ReadonlySet<string> = new Set(eng);

/** True for a normalized word (see normalizeWord) in stopword's English list. */
export function isStopWord(normalized: string): boolean {
  return STOP_WORDS.has(normalized);
}

const PLAIN_ASCII = /^[A-Za-z0-9]+$/;
const ASCII_LETTERS = /^[a-z]+$/;
// Combining diacritics (after NFD) and invisible format characters (soft hyphen, zero-width
// space, bidi controls, BOM). ZWJ/ZWNJ stay: they change the spelling of Indic and Persian words.
const STRIPPED =
  /[\u0300-\u036f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
// Letters that NFD leaves whole, folded by hand so "straße" meets "strasse" and "Øre" meets "ore".
const LETTER_FOLDS: ReadonlyMap<string, string> = new Map([
  ['ß', 'ss'],
  ['æ', 'ae'],
  ['œ', 'oe'],
  ['ø', 'o'],
  ['ł', 'l'],
  ['đ', 'd'],
  ['ð', 'd'],
  ['þ', 'th'],
  ['ı', 'i'],
  ['ς', 'σ'],
]);
const FOLDED = /[ßæœøłđðþıς]/g;
// U+2018 too: typed for an apostrophe often enough, and UAX #29 keeps it inside words as well.
const APOSTROPHES = /['\u2018\u2019\u02bc]/g;
const POSSESSIVE = /.['\u2018\u2019\u02bc]s$/;
const NUMBER_PUNCTUATION = /[.,\u066c]/;

function foldUnicode(word: string): string {
  // NFKC before lower-casing: compatibility letters (ℌ, full-width Ａ) only get a lower case
  // once mapped; lower-casing can in turn produce combining marks (İ -> i + U+0307), hence NFD.
  return word
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(STRIPPED, '')
    .replace(FOLDED, (c) => LETTER_FOLDS.get(c) ?? c)
    .normalize('NFC');
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0x30 && c <= 0x39) return true;
  return c > 0x7f && /\p{Nd}/u.test(s.charAt(i));
}

// A decimal point stays between digits ("3.5"); every other period (acronyms "U.S") and all
// thousands separators go ("1,000" -> "1000"), so the number is one term however it is grouped.
function dropNumberPunctuation(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c !== '.' && c !== ',' && c !== '\u066c') continue;
    if (c === '.' && i > 0 && isDigitAt(s, i - 1) && isDigitAt(s, i + 1)) continue;
    out += s.slice(from, i);
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

function truncate(s: string): string {
  if (s.length <= MAX_TERM_LENGTH) return s;
  const high = s.charCodeAt(MAX_TERM_LENGTH - 1);
  // Never keep half of a surrogate pair.
  return s.slice(0, high >= 0xd800 && high <= 0xdbff ? MAX_TERM_LENGTH - 1 : MAX_TERM_LENGTH);
}

/**
 * One word's indexed form before stemming: NFKC, lower case, diacritics and invisible format
 * characters removed, a few letters folded (ß -> ss, æ -> ae, ø -> o, ...), a final possessive
 * 's dropped ("BBC's" -> "bbc", and so "it's" -> "it"), other apostrophes removed ("don't" ->
 * "dont", "O'Neill" -> "oneill"), periods removed except between digits, thousands separators
 * removed, then truncated to MAX_TERM_LENGTH. Meant for one word as the analyzer splits them
 * (whitespace and other punctuation are left as they are). Used as is for prefix queries.
 */
export function normalizeWord(word: string): string {
  if (PLAIN_ASCII.test(word)) return truncate(word.toLowerCase());
  let s = foldUnicode(word);
  if (POSSESSIVE.test(s)) s = s.slice(0, -2);
  s = s.replace(APOSTROPHES, '');
  if (NUMBER_PUNCTUATION.test(s)) s = dropNumberPunctuation(s);
  return truncate(s);
}

/**
 * The term of a normalized word: null for a stop word or an empty word, else its Porter stem.
 * Only words of ASCII letters shorter than MAX_TERM_LENGTH are stemmed: the stemmer is
 * English-only, and numbers ("1990s"), other scripts and truncated words stay as they are.
 */
export function termOfNormalized(normalized: string): string | null {
  if (normalized === '' || STOP_WORDS.has(normalized)) return null;
  if (normalized.length >= MAX_TERM_LENGTH || !ASCII_LETTERS.test(normalized)) return normalized;
  return stemmer(normalized);
}

export interface WordForms {
  /** The word as cached: a copy of the caller's string (see `detach`). */
  readonly key: string;
  readonly normalized: string;
  readonly term: string | null;
}

// Two generations of at most GENERATION entries each: lookups promote from the old generation
// into the young one, and a full young generation replaces the old. Recently used words survive
// a turnover without the bookkeeping of a true LRU.
const GENERATION = 25_000;
// Longer words are rare and not worth a slot (and bound the cache's memory).
const MAX_CACHED_LENGTH = MAX_TERM_LENGTH;
let young = new Map<string, WordForms>();
let old = new Map<string, WordForms>();

// V8 substrings of 13+ characters are views on their parent string: a cached segment of a 50 KB
// description would keep the whole description alive. Prepending a character makes a new string
// that the slice then points into instead.
function detach(s: string): string {
  return ` ${s}`.slice(1);
}

function remember(forms: WordForms): void {
  if (young.size >= GENERATION) {
    old = young;
    young = new Map();
  }
  young.set(forms.key, forms);
}

/**
 * The cached forms of a string the analyzer took for one word, if any. Only the analyzer fills
 * the cache (wordForms), so a hit also says the string is a single word.
 */
export function cachedWordForms(word: string): WordForms | undefined {
  const hit = young.get(word);
  if (hit !== undefined) return hit;
  const older = old.get(word);
  if (older !== undefined) remember(older);
  return older;
}

/**
 * Normalized form and term of one word as the analyzer split it, cached (each distinct word is
 * analyzed once per turnover). Not for arbitrary strings: see cachedWordForms.
 */
export function wordForms(word: string): WordForms {
  const hit = cachedWordForms(word);
  if (hit !== undefined) return hit;
  if (word.length > MAX_CACHED_LENGTH) {
    const normalized = normalizeWord(word);
    return { key: word, normalized, term: termOfNormalized(normalized) };
  }
  const key = detach(word);
  const normalized = normalizeWord(key);
  const forms: WordForms = { key, normalized, term: termOfNormalized(normalized) };
  remember(forms);
  return forms;
}

/** The term of one word (normalizeWord, then stemmed); undefined for stop words and empty words. */
export function termOf(word: string): string | undefined {
  // Not through the cache: `word` need not be one word as the analyzer splits text.
  return termOfNormalized(normalizeWord(word)) ?? undefined;
}

/** Empties the word cache (for tests and benchmarks that need cold lookups). */
export function clearWordCache(): void {
  young = new Map();
  old = new Map();
}

/** Number of cached words (bounded by twice the generation size). */
export function wordCacheSize(): number {
  return young.size + old.size;
}
