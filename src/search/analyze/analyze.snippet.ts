import { phraseSpans } from './analyze.phrase.ts';
import { type ParsedQuery, type PhraseQuery, requiredTerms } from './analyze.query.ts';
import { forEachWord, type Token } from './analyze.tokens.ts';

/** What counts as a hit word. */
export interface Matcher {
  /** Analyzed terms (Token.term). */
  readonly terms: ReadonlySet<string>;
  /** Normalized prefixes: a word whose normalized form starts with one is a hit. */
  readonly prefixes: readonly string[];
  /** Each occurrence is one hit, highlighted from its first word to its last. */
  readonly phrases: readonly PhraseQuery[];
}

export interface Snippet {
  /** A window of the original text, cut at word boundaries, with '…' where cut. */
  readonly text: string;
  /** [start, end) offsets into `text` of the highlighted words and phrases, ascending, disjoint. */
  readonly highlights: readonly (readonly [number, number])[];
  /** `text` HTML-escaped, each highlight wrapped in <mark>…</mark>. */
  readonly html: string;
}

export interface SnippetOptions {
  /** Longest `text`, '…' included, in UTF-16 code units; at least MIN_SNIPPET_CHARS. */
  readonly maxChars?: number;
}

export const DEFAULT_SNIPPET_CHARS = 160;
export const MIN_SNIPPET_CHARS = 16;
const ELLIPSIS = '…';

/** The matcher of a parsed query: its required terms (phrase terms included), prefixes, phrases. */
export function matcherOf(query: ParsedQuery): Matcher {
  return { terms: new Set(requiredTerms(query)), prefixes: query.prefixes, phrases: query.phrases };
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

interface Hit {
  readonly start: number;
  readonly end: number;
  /** What the hit counts for: a term, or a phrase (by index). */
  readonly key: string;
}

function findHits(text: string, match: Matcher): Hit[] {
  const tokens: Token[] = [];
  const hits: Hit[] = [];
  const prefixes = match.prefixes.filter((p) => p !== '');
  forEachWord(text, (normalized, term, position, start, end) => {
    if (term === null) return;
    tokens.push({ term, position, start, end });
    if (match.terms.has(term) || prefixes.some((p) => normalized.startsWith(p)))
      hits.push({ start, end, key: term });
  });
  match.phrases.forEach((phrase, i) => {
    // NUL cannot start a term: phrase keys never collide with term keys.
    for (const [start, end] of phraseSpans(tokens, phrase)) hits.push({ start, end, key: `\0${i}` });
  });
  return hits.sort((a, b) => a.start - b.start || b.end - a.end);
}

/**
 * The run of hits hits[first..last] that fits in `budget` characters with the most distinct
 * keys, then the most hits, then the earliest. Linear: a sliding window over hits sorted by
 * start. A single hit longer than the budget is a run of its own.
 */
function bestRun(hits: readonly Hit[], budget: number): { first: number; last: number } {
  const counts = new Map<string, number>();
  let best = { first: 0, last: 0, distinct: 0, total: 0 };
  let last = -1;
  for (let first = 0; first < hits.length; first++) {
    const head = hits[first] as Hit;
    if (last < first) last = first - 1;
    while (last + 1 < hits.length) {
      const next = hits[last + 1] as Hit;
      if (last + 1 > first && next.end > head.start + budget) break;
      last++;
      counts.set(next.key, (counts.get(next.key) ?? 0) + 1);
    }
    const total = last - first + 1;
    if (counts.size > best.distinct || (counts.size === best.distinct && total > best.total)) {
      best = { first, last, distinct: counts.size, total };
    }
    const left = (counts.get(head.key) ?? 0) - 1;
    if (left > 0) counts.set(head.key, left);
    else counts.delete(head.key);
  }
  return best;
}

const WHITESPACE = /\s/;

function isHighSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff;
}

const SEGMENTER = new Intl.Segmenter('en', { granularity: 'word' });

/**
 * Moves [from, to) onto word boundaries, inside: `from` forward to the start of a word, `to`
 * back to the end of one, without giving up [keepFrom, keepTo). Falls back to a cut inside a word
 * (never inside a surrogate pair) when a single word fills the window.
 */
function snapToWords(
  text: string,
  from: number,
  to: number,
  keepFrom: number,
  keepTo: number,
): [number, number] {
  const segments = SEGMENTER.segment(text);
  let start = from;
  if (start > 0) {
    const seg = segments.containing(start);
    if (seg !== undefined && seg.index < start) {
      const after = seg.index + seg.segment.length;
      start = Math.min(after, keepFrom);
      if (start >= to) start = from;
    }
    while (start < keepFrom && WHITESPACE.test(text.charAt(start))) start++;
  }
  let end = to;
  if (end < text.length) {
    const seg = segments.containing(end);
    if (seg !== undefined && seg.index < end) {
      end = Math.max(seg.index, keepTo);
      if (end <= start) end = to;
    }
    if (isHighSurrogate(text, end - 1)) end--;
    while (end > keepTo && end > start && WHITESPACE.test(text.charAt(end - 1))) end--;
  }
  return [start, end];
}

function render(text: string, from: number, to: number, hits: readonly Hit[]): Snippet {
  const lead = from > 0 && text.slice(0, from).trim() !== '' ? ELLIPSIS : '';
  const tail = to < text.length && text.slice(to).trim() !== '' ? ELLIPSIS : '';
  const body = text.slice(from, to);
  const shift = lead.length - from;
  const highlights: [number, number][] = [];
  for (const hit of hits) {
    const start = Math.max(hit.start, from);
    const end = Math.min(hit.end, to);
    if (start >= end) continue;
    const previous = highlights[highlights.length - 1];
    if (previous !== undefined && start + shift <= previous[1])
      previous[1] = Math.max(previous[1], end + shift);
    else highlights.push([start + shift, end + shift]);
  }
  const out = lead + body + tail;
  let html = '';
  let at = 0;
  for (const [start, end] of highlights) {
    html += `${escapeHtml(out.slice(at, start))}<mark>${escapeHtml(out.slice(start, end))}</mark>`;
    at = end;
  }
  html += escapeHtml(out.slice(at));
  return { text: out, highlights, html };
}

/**
 * A window of `text` around its hits for `match`: the window of at most maxChars (default 160,
 * '…' included) with the most distinct matched terms, then the most hits, then the earliest,
 * with about as much context before the hits as after, cut at word boundaries. A text of at
 * most maxChars comes whole; a text without hits gives its beginning and no highlights.
 * Overlapping hits (a term inside a phrase) make one highlight.
 */
export function snippet(text: string, match: Matcher, options?: SnippetOptions): Snippet {
  const maxChars = Math.max(MIN_SNIPPET_CHARS, Math.floor(options?.maxChars ?? DEFAULT_SNIPPET_CHARS));
  const hits = findHits(text, match);
  if (text.length <= maxChars) return render(text, 0, text.length, hits);
  // Room for an ellipsis at each end.
  const budget = maxChars - 2 * ELLIPSIS.length;
  if (hits.length === 0) {
    const [from, to] = snapToWords(text, 0, budget, 0, 0);
    return render(text, from, to, hits);
  }
  const run = bestRun(hits, budget);
  const first = hits[run.first] as Hit;
  let keepTo = first.end;
  for (let i = run.first; i <= run.last; i++) keepTo = Math.max(keepTo, (hits[i] as Hit).end);
  keepTo = Math.min(keepTo, first.start + budget);
  const slack = budget - (keepTo - first.start);
  let from = Math.max(0, first.start - Math.floor(slack / 2));
  const to = Math.min(text.length, from + budget);
  from = Math.max(0, to - budget);
  if (isHighSurrogate(text, from - 1)) from++;
  const [start, end] = snapToWords(text, from, to, first.start, keepTo);
  return render(text, start, end, hits);
}
