/** The SIMD scorer against the JavaScript dot product it stands in for. */
import { describe, expect, it } from 'vitest';
import { seeded } from '../../../test/support/search/search.index.testkit.ts';
import { dotQuantized, quantize, type VectorBlock } from '../store/search.codec.ts';
import { Int8Scorer } from './search.simd.ts';

function block(random: () => number, n: number, dims: number): VectorBlock {
  const q = new Int8Array(n * dims);
  const scales = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const v = Float32Array.from({ length: dims }, () => random() - 0.5);
    scales[j] = quantize(v, q, j * dims);
  }
  return { docs: Array.from({ length: n }, (_, j) => j + 1), q, scales, dims };
}

describe('Int8Scorer', () => {
  it('scores as dotQuantized does, block after block of any size', () => {
    const random = seeded(4);
    const dims = 384;
    const scorer = Int8Scorer.for(dims);
    expect(scorer).toBeDefined();
    const query = Float32Array.from({ length: dims }, () => random() - 0.5);
    scorer?.setQuery(query);
    for (const n of [1, 7, 300, 2000, 5]) {
      const b = block(random, n, dims);
      const out = new Float64Array(n);
      scorer?.score(b, out);
      for (let j = 0; j < n; j++) expect(out[j]).toBeCloseTo(dotQuantized(query, b, j), 3);
    }
  });

  it('keeps wide vectors within int32, and declines widths that are not multiples of 16', () => {
    const scorer = Int8Scorer.for(1536);
    const query = Float32Array.from({ length: 1536 }, () => 1);
    scorer?.setQuery(query);
    const b = block(() => 0.9, 3, 1536);
    const out = new Float64Array(3);
    scorer?.score(b, out);
    expect(out[0]).toBeCloseTo(dotQuantized(query, b, 0), 2);
    expect(Int8Scorer.for(100)).toBeUndefined();
  });
});
