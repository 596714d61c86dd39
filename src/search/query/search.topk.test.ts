/**
 * Top-k with safe skipping against scoring every posting: the same documents, the same scores to
 * the bit and the same tie order, on random lists (fast-check), with required and excluded
 * lists, a filter, small and large k; and the skipping does skip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Ranked, type ScoredList, scoredList, type TopKStats, topK, WINDOW } from './search.topk.ts';

interface Case {
  lists: { doc: number; score: number }[][];
  required: number[];
  excluded: number[][];
  k: number;
  /** Documents `accept` refuses (every `refuse`-th). */
  refuse: number;
}

/** Every posting scored, added up list by list in query order, then sorted (the reference). */
function exhaustive(c: Case): Ranked[] {
  const totals = new Map<number, number>();
  const held = new Map<number, Set<number>>();
  c.lists.forEach((list, t) => {
    for (const p of list) {
      totals.set(p.doc, (totals.get(p.doc) ?? 0) + p.score);
      const set = held.get(p.doc) ?? new Set<number>();
      set.add(t);
      held.set(p.doc, set);
    }
  });
  const banned = new Set(c.excluded.flat());
  return [...totals]
    .filter(([doc]) => !banned.has(doc) && accept(c)(doc))
    .filter(([doc]) => c.required.every((t) => held.get(doc)?.has(t)))
    .map(([doc, score]) => ({ doc, score }))
    .sort((a, b) => b.score - a.score || a.doc - b.doc)
    .slice(0, c.k);
}

const accept = (c: Case) => (doc: number) => c.refuse === 0 || doc % c.refuse !== 0;

function run(c: Case, stats?: TopKStats): Ranked[] {
  const lists: ScoredList[] = c.lists.map((l) =>
    scoredList(Float64Array.from(l.map((p) => p.doc)), Float64Array.from(l.map((p) => p.score))),
  );
  return topK(
    {
      lists,
      required: c.required,
      excluded: c.excluded.map((e) => Float64Array.from(e)),
      k: c.k,
      accept: accept(c),
    },
    stats,
  );
}

/**
 * A list: distinct increasing documents out of `universe`, each with a contribution. Contributions
 * come from a few values half the time (many exact ties between documents), else from a range.
 */
function list(universe: number, maxLength: number) {
  return fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 1, max: universe }), { maxLength }),
      fc.boolean(),
      fc.double({ min: 0.05, max: 8, noNaN: true }),
    )
    .chain(([docs, tied, scale]) =>
      fc
        .array(tied ? fc.constantFrom(0.5, 1, 1.5) : fc.double({ min: 0.01, max: 1, noNaN: true }), {
          minLength: docs.length,
          maxLength: docs.length,
        })
        .map((scores) =>
          docs
            .sort((a, b) => a - b)
            .map((doc, i) => ({ doc, score: tied ? (scores[i] as number) : (scores[i] as number) * scale })),
        ),
    );
}

function cases(universe: number, maxLength: number): fc.Arbitrary<Case> {
  return fc.integer({ min: 1, max: 7 }).chain((terms) =>
    fc.record({
      lists: fc.array(list(universe, maxLength), { minLength: terms, maxLength: terms }),
      required: fc.uniqueArray(fc.integer({ min: 0, max: terms - 1 }), { maxLength: 2 }),
      excluded: fc.array(fc.uniqueArray(fc.integer({ min: 1, max: universe }), { maxLength: 40 }), {
        maxLength: 2,
      }),
      k: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 400 })),
      refuse: fc.constantFrom(0, 0, 3, 7),
    }),
  );
}

function normalize(c: Case): Case {
  return { ...c, excluded: c.excluded.map((e) => [...e].sort((a, b) => a - b)) };
}

describe('top-k with block-max skipping', () => {
  it('equals scoring every posting: documents, scores and ties (small lists)', () => {
    fc.assert(
      fc.property(cases(60, 40), (raw) => {
        const c = normalize(raw);
        expect(run(c)).toEqual(exhaustive(c));
      }),
      { numRuns: 2000, seed: 21 },
    );
  });

  it('equals scoring every posting on lists spanning many blocks', () => {
    fc.assert(
      fc.property(cases(5000, 1500), (raw) => {
        const c = normalize(raw);
        expect(run(c)).toEqual(exhaustive(c));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('equals scoring every posting when windows differ in level (skips happen)', () => {
    // Contributions scaled per window of documents: some windows' blocks cannot reach θ.
    const hot = (doc: number, heat: number) => (Math.floor(doc / WINDOW) * 7919 + heat) % 5 === 0;
    const total: TopKStats = { candidates: 0, skips: 0 };
    fc.assert(
      fc.property(cases(WINDOW * 12, 1200), fc.integer({ min: 0, max: 4 }), (raw, heat) => {
        const c = normalize({
          ...raw,
          lists: raw.lists.map((l) =>
            l.map((p) => ({ doc: p.doc, score: hot(p.doc, heat) ? p.score * 40 : p.score })),
          ),
        });
        expect(run(c, total)).toEqual(exhaustive(c));
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(total.skips).toBeGreaterThan(20);
  });

  it('keeps exact ties in document order across the k-th place', () => {
    // Every document scores 1: the top k are the k lowest numbers, whatever is skipped.
    const lists = [0, 1, 2].map((t) =>
      Array.from({ length: 3000 }, (_, i) => ({ doc: i * 3 + t + 1, score: 1 })),
    );
    const c: Case = { lists, required: [], excluded: [], k: 50, refuse: 0 };
    expect(run(c)).toEqual(exhaustive(c));
    expect(run(c).map((r) => r.doc)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('passes over windows whose block maxima cannot reach the k-th score', () => {
    // Two lists over ten windows of documents; only the first window's postings score high.
    const n = WINDOW * 10;
    const lists = [0, 1].map((t) =>
      Array.from({ length: n / 2 }, (_, i) => ({
        doc: 2 * i + 1 + t,
        score: i < 50 ? 3 + (i % 4) / 10 : 0.2 + (i % 5) / 100,
      })),
    );
    const c: Case = { lists, required: [], excluded: [], k: 5, refuse: 0 };
    const stats: TopKStats = { candidates: 0, skips: 0 };
    expect(run(c, stats)).toEqual(exhaustive(c));
    expect(stats.skips).toBeGreaterThanOrEqual(9);
    expect(stats.candidates).toBeLessThanOrEqual(WINDOW);
    // Reversed, the high documents come last: nothing can be skipped, and the answer is the same.
    const reversed = lists.map((l) => l.map((p) => ({ doc: n + 1 - p.doc, score: p.score })).reverse());
    const r: Case = { ...c, lists: reversed };
    const after: TopKStats = { candidates: 0, skips: 0 };
    expect(run(r, after)).toEqual(exhaustive(r));
    expect(after.skips).toBe(0);
  });

  it('drops required-term candidates whose bound cannot reach the k-th score', () => {
    // Every document holds the required term; the first ten score high, an optional term adds little.
    const required = Array.from({ length: 5000 }, (_, i) => ({ doc: i + 1, score: i < 10 ? 5 : 1 }));
    const optional = Array.from({ length: 2500 }, (_, i) => ({ doc: 2 * i + 1, score: 0.5 }));
    const c: Case = { lists: [optional, required], required: [1], excluded: [], k: 5, refuse: 0 };
    const stats: TopKStats = { candidates: 0, skips: 0 };
    expect(run(c, stats)).toEqual(exhaustive(c));
    expect(stats.skips).toBeGreaterThan(4900);
    expect(stats.candidates).toBeLessThan(100);
  });

  it('intersects required lists, and finds nothing when one is empty', () => {
    const a = Array.from({ length: 500 }, (_, i) => ({ doc: i * 2 + 1, score: 1 + (i % 3) }));
    const b = Array.from({ length: 500 }, (_, i) => ({ doc: i * 3 + 1, score: 2 }));
    const c: Case = { lists: [a, b], required: [0, 1], excluded: [[7, 13]], k: 20, refuse: 0 };
    expect(run(c)).toEqual(exhaustive(c));
    expect(run(c).every((r) => (r.doc - 1) % 6 === 0 && r.doc !== 7 && r.doc !== 13)).toBe(true);
    expect(run({ ...c, lists: [a, []] })).toEqual([]);
  });

  it('returns nothing for k = 0 or no lists', () => {
    expect(run({ lists: [[{ doc: 1, score: 1 }]], required: [], excluded: [], k: 0, refuse: 0 })).toEqual([]);
    expect(run({ lists: [], required: [], excluded: [], k: 5, refuse: 0 })).toEqual([]);
  });
});
