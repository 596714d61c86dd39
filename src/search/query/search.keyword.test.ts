/**
 * rankKeyword against exhaustive BM25 (every posting scored into a map, term at a time, as the
 * ranking did before it skipped): random corpora in several parts whose rows come chunked and in
 * any order, random queries of free terms, phrase words (required), prefixes and exclusions. The
 * same documents, scores to the bit and ties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePostings, encodePostings, type Posting } from '../store/search.codec.ts';
import type { PostingsRow } from '../store/search.index.repo.ts';
import { type KeywordQuery, PREFIX_EXPANSIONS, type Ranked, rankKeyword } from './search.keyword.ts';

const K1 = 1.2;
const B = 0.75;

/** An in-memory index: the rows of every part, handed out in a shuffled order. */
class MemoryIndex {
  constructor(readonly rows: PostingsRow[]) {}

  async postings(terms: readonly string[]): Promise<PostingsRow[]> {
    const wanted = new Set(terms);
    return this.rows.filter((r) => wanted.has(r.term));
  }

  async termsWithPrefix(prefix: string, limit: number): Promise<{ term: string; count: number }[]> {
    const counts = new Map<string, number>();
    for (const r of this.rows)
      if (r.term.startsWith(prefix)) counts.set(r.term, (counts.get(r.term) ?? 0) + r.count);
    return [...counts]
      .map(([term, count]) => ({ term, count }))
      .sort((a, b) => b.count - a.count || (a.term < b.term ? -1 : 1))
      .slice(0, limit);
  }
}

/** The ranking as it was: every posting into a map, term by term in the query's order. */
async function exhaustive(index: MemoryIndex, q: KeywordQuery, docs: number, tokens: number, k: number) {
  const expanded: string[] = [];
  for (const p of q.prefixes)
    for (const { term } of await index.termsWithPrefix(p, PREFIX_EXPANSIONS)) expanded.push(term);
  const scoring = [...new Set([...q.terms, ...q.required, ...expanded])];
  const required = [...new Set(q.required)].slice(0, 30);
  const n = Math.max(docs, 1);
  const avg = docs > 0 ? Math.max(tokens / docs, 1) : 1;
  const scores = new Map<number, number>();
  const present = new Map<number, Set<string>>();
  const banned = new Set<number>();
  const rowsOf = (term: string) => index.rows.filter((r) => r.term === term);
  for (const term of q.excluded)
    for (const r of rowsOf(term)) decodePostings(r.data, (doc) => banned.add(doc));
  for (const term of scoring) {
    const rows = rowsOf(term);
    const df = rows.reduce((s, r) => s + r.count, 0);
    const idf = Math.log(1 + (Math.max(n, df) - df + 0.5) / (df + 0.5));
    for (const r of rows) {
      decodePostings(r.data, (doc, tf, length) => {
        const norm = tf + K1 * (1 - B + (B * length) / avg);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (K1 + 1)) / norm);
        const set = present.get(doc) ?? new Set<string>();
        set.add(term);
        present.set(doc, set);
      });
    }
  }
  const ranked: Ranked[] = [...scores]
    .filter(([doc]) => !banned.has(doc) && required.every((t) => present.get(doc)?.has(t)))
    .map(([doc, score]) => ({ doc, score }))
    .sort((a, b) => b.score - a.score || a.doc - b.doc)
    .slice(0, k);
  return { ranked, expanded };
}

const WORDS = [
  'alpha',
  'alder',
  'alps',
  'beta',
  'bet',
  'gamma',
  'delta',
  'deli',
  'epsilon',
  'zeta',
  'eta',
  'theta',
];

/** Documents of Zipf-like words; parts of consecutive documents; rows of at most `chunk` postings. */
function corpus(seed: number, size: number, parts: number, chunk: number) {
  let s = seed >>> 0 || 1;
  const random = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const rows: PostingsRow[] = [];
  let tokens = 0;
  const per = Math.ceil(size / parts);
  for (let part = 0; part < parts; part++) {
    const byTerm = new Map<string, Posting[]>();
    for (let doc = part * per + 1; doc <= Math.min(size, (part + 1) * per); doc++) {
      const length = 1 + Math.floor(random() * 14);
      tokens += length;
      const counts = new Map<string, number>();
      for (let i = 0; i < length; i++) {
        const w = WORDS[Math.floor(WORDS.length * random() ** 2)] as string;
        counts.set(w, (counts.get(w) ?? 0) + 1);
      }
      for (const [term, tf] of counts) {
        const list = byTerm.get(term) ?? [];
        list.push({ doc, tf, length });
        byTerm.set(term, list);
      }
    }
    for (const [term, list] of byTerm) {
      for (let i = 0, c = 0; i < list.length; i += chunk, c++) {
        const slice = list.slice(i, i + chunk);
        rows.push({ part: parts - part, term, chunk: c, count: slice.length, data: encodePostings(slice) });
      }
    }
  }
  // Rows in any order (engines return them so: parts merged later come last).
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j] as PostingsRow, rows[i] as PostingsRow];
  }
  return { index: new MemoryIndex(rows), docs: size, tokens };
}

const word = fc.constantFrom(...WORDS, 'absent');
const queries = fc.record({
  terms: fc.uniqueArray(word, { maxLength: 4 }),
  required: fc.uniqueArray(word, { maxLength: 2 }),
  prefixes: fc.uniqueArray(fc.constantFrom('al', 'de', 'be', 'zz'), { maxLength: 1 }),
  excluded: fc.uniqueArray(word, { maxLength: 1 }),
});

describe('rankKeyword with safe skipping', () => {
  it('equals exhaustive BM25 on random corpora and queries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(7, 64, 1000),
        fc.constantFrom(1, 10, 100, 1000),
        queries,
        async (seed, size, parts, chunk, k, query) => {
          const { index, docs, tokens } = corpus(seed, size, parts, chunk);
          // Statistics a little off the postings' (deleted documents keep theirs until a merge).
          const stats = { docs: docs - (seed % 3), tokens: tokens - (seed % 5) };
          const got = await rankKeyword(index, query, stats, k);
          const want = await exhaustive(index, query, stats.docs, stats.tokens, k);
          expect(got.expanded).toEqual(want.expanded);
          expect(got.ranked).toEqual(want.ranked);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('filters with accept only documents that would rank', async () => {
    const { index, docs, tokens } = corpus(5, 2000, 3, 100);
    const asked: number[] = [];
    const got = await rankKeyword(
      index,
      { terms: ['alpha', 'beta'], required: [], prefixes: [], excluded: [] },
      { docs, tokens },
      10,
      (doc) => {
        asked.push(doc);
        return doc % 2 === 0;
      },
    );
    expect(got.ranked.every((r) => r.doc % 2 === 0)).toBe(true);
    expect(got.ranked).toHaveLength(10);
    expect(asked.length).toBeLessThan(500);
  });
});
