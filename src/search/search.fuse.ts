import type { Ranked } from './search.keyword.ts';

/** Reciprocal rank fusion's constant (Cormack et al.: 60 works across collections). */
export const RRF_K = 60;

/** Reciprocal rank fusion: each list gives 1 / (k + rank) to its documents (rank from 1). */
export function fuseRrf(lists: readonly (readonly Ranked[])[], k = RRF_K): Ranked[] {
  const scores = new Map<number, number>();
  for (const list of lists) {
    list.forEach((r, i) => {
      scores.set(r.doc, (scores.get(r.doc) ?? 0) + 1 / (k + i + 1));
    });
  }
  return sorted(scores);
}

/**
 * A weighted sum: the keyword score scaled by the best keyword score (so both lie in [0, 1]) and
 * the cosine similarity (clamped at 0), `weight` the semantic part.
 */
export function fuseWeighted(
  keyword: readonly Ranked[],
  semantic: readonly Ranked[],
  weight: number,
): Ranked[] {
  const best = keyword[0]?.score ?? 0;
  const scores = new Map<number, number>();
  if (best > 0) for (const r of keyword) scores.set(r.doc, (1 - weight) * (r.score / best));
  for (const r of semantic) scores.set(r.doc, (scores.get(r.doc) ?? 0) + weight * Math.max(0, r.score));
  return sorted(scores);
}

function sorted(scores: ReadonlyMap<number, number>): Ranked[] {
  return [...scores]
    .map(([doc, score]) => ({ doc, score }))
    .sort((a, b) => b.score - a.score || a.doc - b.doc);
}
