import { describe, expect, it } from 'vitest';
import { sampleBytes, samplesGate } from '../../tools/exr-files/exr.samples.ts';
import { decodeVector, encodeVector, metadataVector, similarity, VECTOR_DIMS } from './exr.vector.ts';
import { parseExrBytes } from './parser/exr.parse.ts';

const gate = samplesGate();
const vectorOf = (name: string) => metadataVector(parseExrBytes(sampleBytes(gate.dir, name)));

describe.skipIf(gate.skip)(`the metadata vector${gate.note}`, () => {
  it('is 384 unit-length floats, the same for the same header, and survives its encoding', () => {
    const v = vectorOf('multipart_3parts');
    expect(v).toHaveLength(VECTOR_DIMS);
    expect(similarity(v, v)).toBeCloseTo(1, 6);
    expect([...vectorOf('multipart_3parts')]).toEqual([...v]);
    expect([...(decodeVector(encodeVector(v)) ?? [])]).toEqual([...v]);
    expect(decodeVector('AAAA')).toBeUndefined();
  });

  it('scores aspects by their weights: compression alone moves 0.15', () => {
    const zip = vectorOf('scanline_rgba_half_zip');
    expect(similarity(zip, vectorOf('scanline_rgba_half_piz'))).toBeCloseTo(0.85, 5);
    expect(similarity(zip, vectorOf('scanline_rgba_half_dwab'))).toBeCloseTo(0.85, 5);
    // Other images score lower than the same image in another compression.
    for (const other of [
      'multipart_3parts',
      'deep_scanline_zips',
      'tiled_onelevel_16x16_zip',
      'mixed_types_layers',
    ]) {
      expect(similarity(zip, vectorOf(other)), other).toBeLessThan(0.85);
    }
  });
});
