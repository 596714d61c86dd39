import { forEachWord } from './analyze.tokens.ts';

export interface PhraseQuery {
  /**
   * Analyzed terms in order, null where a stop word sat: "state of the art" is
   * ['state', null, null, 'art'] and matches only with exactly two stop words between. Never
   * starts or ends with null, and has at least two terms (a one-term phrase is a plain term).
   */
  readonly terms: readonly (string | null)[];
}

export interface ParsedQuery {
  /** Analyzed terms of the free words (deduplicated, in order). */
  readonly terms: readonly string[];
  /** Quoted phrases, and words joined by connectors without spaces ("state-of-the-art"). */
  readonly phrases: readonly PhraseQuery[];
  /** Normalized, unstemmed prefixes of words ending in '*' ("budg*"), at least 2 characters. */
  readonly prefixes: readonly string[];
  /** Analyzed terms of -word exclusions: a document holding any of them is left out. */
  readonly excluded: readonly string[];
  /** Every normalized word typed, stop words included, deduplicated (for highlighting). */
  readonly words: readonly string[];
}

/**
 * How the caller uses a ParsedQuery: a document matches when it holds every term of
 * requiredTerms (the free terms and the terms of every phrase), every phrase (matchesPhrase on
 * its tokens), a word starting with each prefix, and none of the excluded terms. BM25 scores the
 * required terms. With no term, phrase or prefix (isEmptyQuery) there is nothing to search for:
 * answer 400, even if there are exclusions.
 */
export function requiredTerms(query: ParsedQuery): string[] {
  const all = new Set(query.terms);
  for (const phrase of query.phrases) for (const term of phrase.terms) if (term !== null) all.add(term);
  return [...all];
}

/** True when the query asks for nothing (empty, only stop words, only exclusions). */
export function isEmptyQuery(query: ParsedQuery): boolean {
  return query.terms.length === 0 && query.phrases.length === 0 && query.prefixes.length === 0;
}

/** Shortest prefix accepted, in UTF-16 code units of its normalized form. */
export const MIN_PREFIX_LENGTH = 2;

// ASCII, typographic and full-width double quotes all open and close a phrase.
const QUOTES = '"\u201c\u201d\u201e\uff02';
// Punctuation that joins words into one (state-of-the-art, bbc.co.uk, 10:30, and/or): words
// joined so in a query must be adjacent in the document. Other punctuation only separates.
const CONNECTORS = '-\u2010\u2011._/:@\u00b7\uff0e';
const SPACE = /\s/;

// A loop, not /\*+$/: that regex backtracks quadratically on a long run of stars followed by a
// character.
function trimStars(text: string): string {
  let end = text.length;
  while (end > 0 && text.charAt(end - 1) === '*') end--;
  return text.slice(0, end);
}

interface Word {
  readonly normalized: string;
  readonly term: string | null;
  readonly start: number;
  readonly end: number;
}

function wordsOf(text: string): Word[] {
  const words: Word[] = [];
  forEachWord(text, (normalized, term, _position, start, end) => {
    words.push({ normalized, term, start, end });
  });
  return words;
}

class QueryBuilder {
  private readonly terms = new Set<string>();
  private readonly phrases = new Map<string, PhraseQuery>();
  private readonly prefixes = new Set<string>();
  private readonly excluded = new Set<string>();
  private readonly words = new Set<string>();

  /** A quoted phrase: its words are adjacent whatever separates them. */
  phrase(text: string): void {
    const words = wordsOf(text);
    for (const w of words) this.words.add(w.normalized);
    this.addPhrase(words.map((w) => w.term));
  }

  /** A run of text without spaces or quotes, outside quotes. */
  chunk(text: string, followsSpace: boolean): void {
    if (followsSpace && text.length > 1 && text.startsWith('-')) {
      this.exclusion(text);
      return;
    }
    let body = text;
    let prefix: Word | undefined;
    if (text.endsWith('*')) {
      body = trimStars(text);
      const words = wordsOf(body);
      prefix = words.pop();
      this.free(body, words);
    } else this.free(body, wordsOf(body));
    // A trailing '*' glued to the previous word only if nothing but the word precedes it.
    if (prefix !== undefined && prefix.end === body.length && prefix.normalized.length >= MIN_PREFIX_LENGTH) {
      this.prefixes.add(prefix.normalized);
      this.words.add(prefix.normalized);
    }
  }

  // Only a single word is excluded: "-state-of-the-art" asks to leave out a phrase, which is
  // not supported, and is ignored rather than searched for.
  private exclusion(text: string): void {
    let from = 0;
    while (text.charAt(from) === '-') from++;
    const words = wordsOf(trimStars(text.slice(from)));
    const only = words[0];
    if (words.length === 1 && only !== undefined && only.term !== null) this.excluded.add(only.term);
  }

  // Consecutive words joined by one connector character form an implicit phrase; the rest are
  // free terms. Words that touch (CJK, which has no spaces) stay free terms: a Chinese query is
  // a list of words, not a phrase.
  private free(text: string, words: readonly Word[]): void {
    let group: Word[] = [];
    const flush = (): void => {
      if (group.length === 1) {
        const term = group[0]?.term;
        if (term != null) this.terms.add(term);
      } else if (group.length > 1) this.addPhrase(group.map((w) => w.term));
      group = [];
    };
    for (const w of words) {
      this.words.add(w.normalized);
      const last = group[group.length - 1];
      const joined =
        last !== undefined && w.start === last.end + 1 && CONNECTORS.includes(text.charAt(last.end));
      if (!joined) flush();
      group.push(w);
    }
    flush();
  }

  private addPhrase(terms: readonly (string | null)[]): void {
    let first = 0;
    let last = terms.length - 1;
    while (first <= last && terms[first] == null) first++;
    while (last >= first && terms[last] == null) last--;
    if (first > last) return;
    const trimmed = terms.slice(first, last + 1);
    if (trimmed.length === 1) {
      const only = trimmed[0];
      if (only != null) this.terms.add(only);
      return;
    }
    // NUL cannot occur in a term (it is not a word character), so the key is unambiguous.
    const key = trimmed.map((t) => t ?? '').join('\0');
    if (!this.phrases.has(key)) this.phrases.set(key, { terms: trimmed });
  }

  build(): ParsedQuery {
    const empty = this.terms.size === 0 && this.phrases.size === 0 && this.prefixes.size === 0;
    return {
      terms: [...this.terms],
      phrases: [...this.phrases.values()],
      prefixes: [...this.prefixes],
      excluded: [...this.excluded],
      words: empty ? [] : [...this.words],
    };
  }
}

/**
 * Parses a search box query:
 * - `"…"` is a phrase (curly and full-width double quotes too); a quote left open is closed at
 *   the end; quotes do not nest: each quote character opens or closes. A phrase of stop words
 *   only is dropped, stop words at its ends are trimmed, a phrase of one term is a term.
 * - Outside quotes, text splits at whitespace and quotes into chunks, each analyzed like a
 *   document. Words joined by a connector (- . _ / : @) form an implicit phrase.
 * - A chunk ending in `*` makes its last word a prefix (normalized, not stemmed, at least
 *   MIN_PREFIX_LENGTH long, else dropped); `*` alone or inside a word or phrase is punctuation.
 * - A chunk starting with `-` after whitespace (or at the start) excludes its word if it is a
 *   single word that is not a stop word; otherwise the chunk is ignored. `-"phrase"` is
 *   ignored too (phrase exclusion is not supported).
 * - Everything else (+, parentheses, AND/OR) is punctuation or words: "or"/"and" are stop words.
 * Work is linear in the length of `q`.
 */
export function parseQuery(q: string): ParsedQuery {
  const builder = new QueryBuilder();
  const n = q.length;
  let i = 0;
  let excludeNextPhrase = false;
  while (i < n) {
    const c = q.charAt(i);
    if (QUOTES.includes(c)) {
      let j = i + 1;
      while (j < n && !QUOTES.includes(q.charAt(j))) j++;
      if (!excludeNextPhrase) builder.phrase(q.slice(i + 1, j));
      excludeNextPhrase = false;
      i = j + 1;
      continue;
    }
    excludeNextPhrase = false;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && !SPACE.test(q.charAt(j)) && !QUOTES.includes(q.charAt(j))) j++;
    const chunk = q.slice(i, j);
    const followsSpace = i === 0 || SPACE.test(q.charAt(i - 1));
    if (chunk === '-' && followsSpace && j < n) excludeNextPhrase = true;
    else builder.chunk(chunk, followsSpace);
    i = j;
  }
  return builder.build();
}
