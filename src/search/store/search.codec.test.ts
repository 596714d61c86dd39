import { describe, expect, it } from 'vitest';
import {
  decodeFloats,
  decodePostings,
  decodeVectors,
  dotQuantized,
  encodeFloats,
  encodePostings,
  encodeVectors,
  type Posting,
  quantize,
  termHash,
} from './search.codec.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function unit(random: () => number, dims: number): Float32Array {
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    v[i] = random() - 0.5;
    norm += (v[i] as number) ** 2;
  }
  for (let i = 0; i < dims; i++) v[i] = (v[i] as number) / Math.sqrt(norm);
  return v;
}

describe('packed postings', () => {
  it('round-trips postings with large gaps, frequencies and lengths', () => {
    const random = seeded(7);
    const postings: Posting[] = [];
    let doc = 0;
    for (let i = 0; i < 5000; i++) {
      doc += 1 + Math.floor(random() * (i % 100 === 0 ? 2 ** 40 : 50));
      postings.push({ doc, tf: 1 + Math.floor(random() * 300), length: Math.floor(random() * 70_000) });
    }
    const back: Posting[] = [];
    decodePostings(encodePostings(postings), (d, tf, length) => back.push({ doc: d, tf, length }));
    expect(back).toEqual(postings);
  });

  it('refuses unsorted postings and reads none from an empty row', () => {
    expect(() =>
      encodePostings([
        { doc: 5, tf: 1, length: 1 },
        { doc: 3, tf: 1, length: 1 },
      ]),
    ).toThrow(RangeError);
    const seen: number[] = [];
    decodePostings(encodePostings([]), (d) => seen.push(d));
    expect(seen).toEqual([]);
  });

  it('fails on a truncated row instead of inventing postings', () => {
    const packed = Buffer.from([0x80]).toString('base64');
    expect(() => decodePostings(packed, () => {})).toThrow(RangeError);
  });
});

describe('packed vectors', () => {
  it('keeps cosine similarities within 1e-2 of the float vectors', () => {
    const random = seeded(11);
    const dims = 384;
    const vectors = Array.from({ length: 50 }, () => unit(random, dims));
    const q = new Int8Array(vectors.length * dims);
    const scales = new Float32Array(vectors.length);
    vectors.forEach((v, j) => {
      scales[j] = quantize(v, q, j * dims);
    });
    const docs = vectors.map((_, j) => 10 + j * 3);
    const block = decodeVectors(encodeVectors({ docs, q, scales, dims }), dims);
    expect(block.docs).toEqual(docs);
    const query = unit(random, dims);
    let worst = 0;
    vectors.forEach((v, j) => {
      let exact = 0;
      for (let i = 0; i < dims; i++) exact += (query[i] as number) * (v[i] as number);
      worst = Math.max(worst, Math.abs(exact - dotQuantized(query, block, j)));
    });
    expect(worst).toBeLessThan(1e-2);
  });

  it('refuses a block whose size disagrees with its count', () => {
    const packed = encodeVectors({ docs: [1], q: new Int8Array(4), scales: new Float32Array([1]), dims: 4 });
    expect(() => decodeVectors(packed, 5)).toThrow(RangeError);
  });

  it('round-trips float vectors exactly', () => {
    const v = new Float32Array([0.5, -1.25, 3e-8, 0]);
    expect(decodeFloats(encodeFloats(v))).toEqual(v);
  });
});

describe('termHash', () => {
  it('is a non-negative int64, stable, and spreads similar terms', () => {
    const hashes = new Set<bigint>();
    for (let i = 0; i < 20_000; i++) {
      const h = termHash(`term${i}`);
      expect(h >= 0n && h < 2n ** 63n).toBe(true);
      hashes.add(h);
    }
    expect(hashes.size).toBe(20_000);
    expect(termHash('budget')).toBe(termHash('budget'));
    expect(termHash('budget')).not.toBe(termHash('budgets'));
  });
});
