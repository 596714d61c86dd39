/** The decoded-rows cache: a byte budget, least recently used out first, copies kept. */
import { describe, expect, it } from 'vitest';
import type { VectorBlock } from '../store/search.codec.ts';
import { VectorCache } from './search.vcache.ts';

function block(vectors: number, dims = 100): VectorBlock {
  return {
    docs: Array.from({ length: vectors }, (_, i) => i + 1),
    q: new Int8Array(vectors * dims).fill(3),
    scales: new Float32Array(vectors).fill(1),
    dims,
  };
}

describe('VectorCache', () => {
  it('keeps blocks within its budget, dropping the least recently used', () => {
    // A block of 10 vectors of 100 dims: 1,000 + 40 + 80 + 96 = 1,216 bytes.
    const cache = new VectorCache(3 * 1216);
    cache.set('a', block(10));
    cache.set('b', block(10));
    cache.set('c', block(10));
    expect(cache.bytes).toBe(3 * 1216);
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('d', block(10));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.docs).toHaveLength(10);
    expect(cache.size).toBe(3);
  });

  it('skips a block larger than the budget, and keeps copies (not views of a decoded buffer)', () => {
    const cache = new VectorCache(2000);
    cache.set('big', block(100));
    expect(cache.size).toBe(0);
    const original = block(5);
    cache.set('x', original);
    original.q.fill(9);
    original.docs[0] = 99;
    expect(cache.get('x')?.q[0]).toBe(3);
    expect(cache.get('x')?.docs[0]).toBe(1);
  });

  it('says what fits without dropping anything, and empties', () => {
    const cache = new VectorCache(2 * 1216);
    cache.set('a', block(10));
    expect(cache.fits(VectorCache.bytesOf(block(10)))).toBe(true);
    cache.set('b', block(10));
    expect(cache.fits(1)).toBe(false);
    expect(cache.has('a')).toBe(true);
    cache.clear();
    expect([cache.size, cache.bytes, cache.has('a')]).toEqual([0, 0, false]);
  });
});
