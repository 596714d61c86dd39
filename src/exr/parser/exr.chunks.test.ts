import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeChunkLayout, levelSize } from './exr.chunks.ts';
import { COMPRESSIONS } from './exr.enums.ts';
import type { ExrLevelMode, ExrTileDesc } from './exr.types.ts';

const window = (w: number, h: number, x = 0, y = 0) => ({
  xMin: x,
  yMin: y,
  xMax: x + w - 1,
  yMax: y + h - 1,
});
const tiles = (size: number, levelMode: ExrLevelMode, up = false): ExrTileDesc => ({
  xSize: size,
  ySize: size,
  levelMode,
  roundingMode: up ? 'ROUND_UP' : 'ROUND_DOWN',
});
const tiled = (w: number, h: number, t: ExrTileDesc) =>
  computeChunkLayout({ type: 'tiledimage', dataWindow: window(w, h), tiles: t });

/** Levels by halving again and again (an independent statement of the level rules). */
function bruteForce(w: number, h: number, t: ExrTileDesc): number {
  const half = (n: number) =>
    Math.max(1, t.roundingMode === 'ROUND_UP' ? Math.ceil(n / 2) : Math.floor(n / 2));
  const sizes = (n: number) => {
    const out = [n];
    while ((out.at(-1) ?? 1) > 1) out.push(half(out.at(-1) ?? 1));
    return out;
  };
  const across = (n: number, tile: number) => Math.ceil(n / tile);
  if (t.levelMode === 'ONE_LEVEL') return across(w, t.xSize) * across(h, t.ySize);
  const xs = sizes(w);
  const ys = sizes(h);
  if (t.levelMode === 'RIPMAP_LEVELS') {
    return xs.reduce(
      (sum, x) => sum + ys.reduce((s, y) => s + across(x, t.xSize) * across(y, t.ySize), 0),
      0,
    );
  }
  let count = 0;
  for (let l = 0; l < Math.max(xs.length, ys.length); l++) {
    count += across(xs[l] ?? 1, t.xSize) * across(ys[l] ?? 1, t.ySize);
  }
  return count;
}

describe('chunk counts of scanline parts', () => {
  it('divides the data window by the lines per chunk of each compression', () => {
    const counts = COMPRESSIONS.map(
      (compression) =>
        computeChunkLayout({ type: 'scanlineimage', dataWindow: window(64, 48), compression }).computed,
    );
    expect(Object.fromEntries(COMPRESSIONS.map((c, i) => [c, counts[i]]))).toEqual({
      NONE: 48,
      RLE: 48,
      ZIPS: 48,
      ZIP: 3,
      PIZ: 2,
      PXR24: 3,
      B44: 2,
      B44A: 2,
      DWAA: 2,
      DWAB: 1,
      HTJ2K256: 1,
      HTJ2K32: 2,
      LJ2K: undefined,
      ZSTD: 48,
    });
  });

  it('counts from the data window wherever it starts, deep scanline parts too', () => {
    const layout = computeChunkLayout({
      type: 'deepscanline',
      dataWindow: window(3, 33, -5, -20),
      compression: 'ZIP',
    });
    expect(layout).toEqual({ computed: 3, linesPerChunk: 16 });
  });

  it('says why there is no count', () => {
    const base = { type: 'scanlineimage' as const, dataWindow: window(8, 8), compression: 'NONE' as const };
    expect(computeChunkLayout({ ...base, compression: 12 }).problem).toContain('compression 12');
    expect(
      computeChunkLayout({ ...base, dataWindow: { xMin: 0, yMin: 5, xMax: 7, yMax: 4 } }).problem,
    ).toContain('empty');
    expect(computeChunkLayout({ ...base, dataWindow: undefined }).problem).toContain('dataWindow');
    expect(computeChunkLayout({ ...base, type: 'unknown' }).problem).toContain('type');
    expect(computeChunkLayout({ ...base, type: 'tiledimage' }).problem).toContain('tiles');
    const all = { xMin: -2147483648, yMin: -2147483648, xMax: 2147483647, yMax: 2147483647 };
    const huge = computeChunkLayout({ ...base, dataWindow: all });
    expect(huge.computed).toBeUndefined();
    expect(huge.problem).toContain('int32');
    expect(computeChunkLayout({ ...base, dataWindow: { ...all, yMin: 0, yMax: 2147483646 } }).computed).toBe(
      2147483647,
    );
  });
});

describe('chunk counts of tiled parts', () => {
  it('counts the levels of the samples (64x48, 16x16 tiles)', () => {
    expect(tiled(64, 48, tiles(16, 'ONE_LEVEL')).computed).toBe(12);
    expect(tiled(64, 48, tiles(16, 'MIPMAP_LEVELS'))).toEqual({ computed: 21, levels: { x: 7, y: 7 } });
    expect(tiled(64, 48, tiles(16, 'MIPMAP_LEVELS', true))).toEqual({ computed: 21, levels: { x: 7, y: 7 } });
    expect(tiled(64, 48, tiles(16, 'RIPMAP_LEVELS'))).toEqual({ computed: 99, levels: { x: 7, y: 6 } });
    expect(tiled(64, 48, tiles(16, 'RIPMAP_LEVELS', true))).toEqual({
      computed: 110,
      levels: { x: 7, y: 7 },
    });
  });

  it('rounds odd level sizes down or up', () => {
    expect(tiled(65, 33, tiles(16, 'MIPMAP_LEVELS'))).toEqual({ computed: 22, levels: { x: 7, y: 7 } });
    expect(tiled(65, 33, tiles(16, 'MIPMAP_LEVELS', true))).toEqual({ computed: 28, levels: { x: 8, y: 8 } });
    expect([0, 1, 2, 3, 6, 7].map((l) => levelSize(65, l, false))).toEqual([65, 32, 16, 8, 1, 1]);
    expect([0, 1, 2, 3, 6, 7].map((l) => levelSize(65, l, true))).toEqual([65, 33, 17, 9, 2, 1]);
  });

  it('agrees with halving level by level, for any size, tile and mode', () => {
    const mode = fc.constantFrom<ExrLevelMode>('ONE_LEVEL', 'MIPMAP_LEVELS', 'RIPMAP_LEVELS');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        mode,
        fc.boolean(),
        (w, h, x, y, levelMode, up) => {
          const t: ExrTileDesc = { ...tiles(1, levelMode, up), xSize: x, ySize: y };
          expect(tiled(w, h, t).computed).toBe(bruteForce(w, h, t));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('has no count for a zero tile size', () => {
    expect(tiled(8, 8, { ...tiles(16, 'ONE_LEVEL'), ySize: 0 }).problem).toContain('tile size');
  });
});
