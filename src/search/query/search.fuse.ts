import type { Ranked } from './search.keyword.ts';

/**
 * Reciprocal rank fusion's constant. Cormack et al. use 60; a smaller one lets the first ranks of
 * each list count for more, which on the evaluation set (BENCHMARKS.md, "Media search") gave the
 * better fusions at every weighting tried.
 */
export const RRF_K = 5;

/**
 * How much each ranking counts in hybrid search. A query written with lexical operators (quoted
 * phrases, prefixes, exclusions) says the words matter: the keyword ranking leads. Otherwise the
 * semantic ranking does: keyword matches of a question phrased in other words than the media's
 * are mostly noise, while semantic search also finds what shares the words. Chosen on half of
 * the evaluation set's queries and checked on the other half (BENCHMARKS.md).
 */
export function fusionWeights(lexical: boolean): { keyword: number; semantic: number } {
  return lexical ? { keyword: 1, semantic: 0.5 } : { keyword: 1, semantic: 4 };
}

/** Reciprocal rank fusion: each list gives weight / (k + rank) to its documents (rank from 1). */
export function fuseRrf(
  lists: readonly { ranked: readonly Ranked[]; weight: number }[],
  k = RRF_K,
): Ranked[] {
  const scores = new Map<number, number>();
  for (const { ranked, weight } of lists) {
    ranked.forEach((r, i) => {
      scores.set(r.doc, (scores.get(r.doc) ?? 0) + weight / (k + i + 1));
    });
  }
  return sorted(scores);
}

/** Documents of each list a weighted fusion looks at, and scales its scores over. */
const WEIGHTED_DEPTH = 50;

/**
 * A weighted sum of each ranking's scores scaled to [0, 1] over its best WEIGHTED_DEPTH (min-max),
 * `weight` the semantic part: BM25 and cosine similarity have no common scale, and a min-max of
 * the head keeps the tail of either list from flattening the other's differences.
 */
export function fuseWeighted(
  keyword: readonly Ranked[],
  semantic: readonly Ranked[],
  weight: number,
): Ranked[] {
  const scores = new Map<number, number>();
  const add = (list: readonly Ranked[], w: number) => {
    const head = list.slice(0, WEIGHTED_DEPTH);
    const hi = head[0]?.score ?? 0;
    const lo = head.at(-1)?.score ?? 0;
    for (const r of head) {
      const scaled = hi > lo ? (r.score - lo) / (hi - lo) : 1;
      scores.set(r.doc, (scores.get(r.doc) ?? 0) + w * scaled);
    }
  };
  add(keyword, 1 - weight);
  add(semantic, weight);
  return sorted(scores);
}

function sorted(scores: ReadonlyMap<number, number>): Ranked[] {
  return [...scores]
    .map(([doc, score]) => ({ doc, score }))
    .sort((a, b) => b.score - a.score || a.doc - b.doc);
}
