import type { PostingsRow, SearchIndexRepo } from '../store/search.index.repo.ts';
import { decodeTerm } from './search.postings.ts';
import { type Ranked, scoredList, topK } from './search.topk.ts';

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

export type { Ranked };

/**
 * The documents matching a keyword query, ranked by BM25 (Robertson's idf, as Lucene computes it:
 * ln(1 + (N - df + 0.5) / (df + 0.5))), best first, at most `limit`. Document frequencies count
 * the postings still held by parts, including deleted documents' until a merge drops them (as
 * Lucene's do); `accept` drops documents before they take a place in the ranking.
 *
 * A document's score adds its terms' contributions in the order of the query's scoring terms
 * (free terms, phrase words, prefix expansions). The postings are decoded into lists whose
 * postings carry their contribution, and the top `limit` are found with safe skipping
 * (search.topk.ts): the result is the one scoring every posting would give, ties included (lower
 * document numbers first).
 */
export async function rankKeyword(
  index: Pick<SearchIndexRepo, 'postings' | 'termsWithPrefix'>,
  query: KeywordQuery,
  stats: CollectionStats,
  limit: number,
  accept: (doc: number) => boolean = () => true,
): Promise<{ ranked: Ranked[]; expanded: string[] }> {
  const expanded: string[] = [];
  for (const prefix of query.prefixes) {
    for (const { term } of await index.termsWithPrefix(prefix, PREFIX_EXPANSIONS)) expanded.push(term);
  }
  const scoring = [...new Set([...query.terms, ...query.required, ...expanded])];
  const excluded = [...new Set(query.excluded)];
  // Only the first 30 required terms are enforced (a query has far fewer).
  const required = [...new Set(query.required)].slice(0, 30);
  if (scoring.length === 0) return { ranked: [], expanded };
  const byTerm = new Map<string, PostingsRow[]>();
  for (const row of await index.postings([...new Set([...scoring, ...excluded])])) {
    const list = byTerm.get(row.term);
    if (list === undefined) byTerm.set(row.term, [row]);
    else list.push(row);
  }

  const n = Math.max(stats.docs, 1);
  const avgLength = stats.docs > 0 ? Math.max(stats.tokens / stats.docs, 1) : 1;
  const lists = scoring.map((term) => {
    const rows = byTerm.get(term) ?? [];
    const df = rows.reduce((sum, r) => sum + r.count, 0);
    const idf = Math.log(1 + (Math.max(n, df) - df + 0.5) / (df + 0.5));
    const { docs, scores } = decodeTerm(
      rows,
      (tf, length) => (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / avgLength)),
    );
    return scoredList(docs, scores);
  });
  const ranked = topK({
    lists,
    required: required.map((term) => scoring.indexOf(term)),
    excluded: excluded.map((term) => decodeTerm(byTerm.get(term) ?? []).docs),
    k: limit,
    accept,
  });
  return { ranked, expanded };
}
