import { describe, expect, it } from 'vitest';
import { fuseRrf, fuseWeighted, fusionWeights, RRF_K } from './search.fuse.ts';

const list = (...docs: number[]) => docs.map((doc, i) => ({ doc, score: 10 - i }));

describe('rank fusion', () => {
  it('adds weight / (k + rank) per list, ties broken by document number', () => {
    const fused = fuseRrf([
      { ranked: list(1, 2, 3), weight: 1 },
      { ranked: list(3, 4), weight: 2 },
    ]);
    const expected = new Map([
      [1, 1 / (RRF_K + 1)],
      [2, 1 / (RRF_K + 2)],
      [3, 1 / (RRF_K + 3) + 2 / (RRF_K + 1)],
      [4, 2 / (RRF_K + 2)],
    ]);
    expect(fused.map((r) => r.doc)).toEqual([3, 4, 1, 2]);
    for (const r of fused) expect(r.score).toBeCloseTo(expected.get(r.doc) ?? -1, 12);
    expect(
      fuseRrf([
        { ranked: list(7, 5), weight: 1 },
        { ranked: list(5, 7), weight: 1 },
      ]).map((r) => r.doc),
    ).toEqual([5, 7]);
  });

  it('lets the keyword ranking lead only for queries with lexical operators', () => {
    expect(fusionWeights(true).keyword).toBeGreaterThan(fusionWeights(true).semantic);
    expect(fusionWeights(false).semantic).toBeGreaterThan(fusionWeights(false).keyword);
  });

  it('weighs min-max scaled scores; weight 1 keeps the semantic order, 0 the keyword order', () => {
    const keyword = [
      { doc: 1, score: 12 },
      { doc: 2, score: 3 },
      { doc: 3, score: 2 },
    ];
    const semantic = [
      { doc: 3, score: 0.8 },
      { doc: 2, score: 0.5 },
      { doc: 4, score: 0.1 },
    ];
    expect(
      fuseWeighted(keyword, semantic, 1)
        .slice(0, 2)
        .map((r) => r.doc),
    ).toEqual([3, 2]);
    expect(
      fuseWeighted(keyword, semantic, 0)
        .slice(0, 3)
        .map((r) => r.doc),
    ).toEqual([1, 2, 3]);
    const half = new Map(fuseWeighted(keyword, semantic, 0.5).map((r) => [r.doc, r.score]));
    expect(half.get(2)).toBeCloseTo(0.5 * (1 / 10) + 0.5 * (0.4 / 0.7), 12);
  });
});
