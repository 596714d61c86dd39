import { decodePostings } from '../store/search/search.codec.ts';
import type { SearchIndexRepo } from '../store/search/search.index.repo.ts';
import { TopK } from './search.ivf.ts';

/** BM25's parameters, Lucene's and Elasticsearch's defaults. */
const K1 = 1.2;
const B = 0.75;
/** Indexed terms a prefix stands for at most (the most frequent ones). */
export const PREFIX_EXPANSIONS = 64;

export interface KeywordQuery {
  /** Terms that score (any of them). */
  readonly terms: readonly string[];
  /** Terms every hit must contain (the words of quoted phrases); they score too. */
  readonly required: readonly string[];
  /** Prefixes of indexed terms (`budg*`); each expands to the indexed terms it starts. */
  readonly prefixes: readonly string[];
  /** Terms no hit may contain. */
  readonly excluded: readonly string[];
}

/** The collection as BM25 sees it: live documents and their tokens. */
export interface CollectionStats {
  readonly docs: number;
  readonly tokens: number;
}

export interface Ranked {
  readonly doc: number;
  readonly score: number;
}

/**
 * The documents matching a keyword query, ranked by BM25 (Robertson's idf, as Lucene computes it:
 * ln(1 + (N - df + 0.5) / (df + 0.5))), best first, at most `limit`. Document frequencies count
 * the postings still held by parts, including deleted documents' until a merge drops them (as
 * Lucene's do); `accept` drops documents before they take a place in the ranking.
 */
export async function rankKeyword(
  index: SearchIndexRepo,
  query: KeywordQuery,
  stats: CollectionStats,
  limit: number,
  accept: (doc: number) => boolean = () => true,
): Promise<{ ranked: Ranked[]; expanded: string[] }> {
  const expanded: string[] = [];
  for (const prefix of query.prefixes) {
    for (const { term } of await index.termsWithPrefix(prefix, PREFIX_EXPANSIONS)) expanded.push(term);
  }
  const scoring = new Set([...query.terms, ...query.required, ...expanded]);
  const excluded = new Set(query.excluded);
  // Bit masks track the required terms a document has: the first 30 (a query has far fewer).
  const required = [...new Set(query.required)].slice(0, 30);
  if (scoring.size === 0) return { ranked: [], expanded };
  const rows = await index.postings([...scoring, ...excluded]);
  const df = new Map<string, number>();
  for (const row of rows) df.set(row.term, (df.get(row.term) ?? 0) + row.count);

  const n = Math.max(stats.docs, 1);
  const avgLength = stats.docs > 0 ? Math.max(stats.tokens / stats.docs, 1) : 1;
  const scores = new Map<number, number>();
  const present = new Map<number, number>();
  const banned = new Set<number>();
  for (const row of rows) {
    const term = row.term;
    if (excluded.has(term) && !scoring.has(term)) {
      decodePostings(row.data, (doc) => banned.add(doc));
      continue;
    }
    if (excluded.has(term)) decodePostings(row.data, (doc) => banned.add(doc));
    const freq = df.get(term) ?? 0;
    const idf = Math.log(1 + (Math.max(n, freq) - freq + 0.5) / (freq + 0.5));
    const bit = required.indexOf(term);
    decodePostings(row.data, (doc, tf, length) => {
      const norm = tf + K1 * (1 - B + (B * length) / avgLength);
      scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (K1 + 1)) / norm);
      if (bit >= 0) present.set(doc, (present.get(doc) ?? 0) | (1 << bit));
    });
  }
  const all = (1 << required.length) - 1;
  const top = new TopK(limit);
  for (const [doc, score] of scores) {
    if (banned.has(doc)) continue;
    if (all !== 0 && ((present.get(doc) ?? 0) & all) !== all) continue;
    if (!accept(doc)) continue;
    top.offer(doc, score);
  }
  return { ranked: top.sorted(), expanded };
}
