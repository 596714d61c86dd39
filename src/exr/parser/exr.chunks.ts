import { LINES_PER_CHUNK } from './exr.enums.ts';
import type { ExrBox2, ExrCompression, ExrPartType, ExrTileDesc } from './exr.types.ts';

/** What the header says about a part's chunks, or why it says nothing. */
export interface ChunkLayout {
  computed?: number;
  linesPerChunk?: number;
  levels?: { x: number; y: number };
  problem?: string;
}

export interface ChunkInputs {
  type: ExrPartType | 'unknown';
  dataWindow?: ExrBox2;
  compression?: ExrCompression;
  tiles?: ExrTileDesc;
}

/** The libraries keep chunk counts in an int32; a header asking for more is unusable. */
const MAX_CHUNKS = 0x7fff_ffff;

function log2(x: number, roundUp: boolean): number {
  let y = 0;
  let rest = false;
  for (let v = x; v > 1; v = Math.floor(v / 2)) {
    if (v % 2 === 1) rest = true;
    y += 1;
  }
  return roundUp && rest ? y + 1 : y;
}

/** A level's size in pixels: the full size halved `level` times, rounded down or up, at least 1. */
export function levelSize(size: number, level: number, roundUp: boolean): number {
  const scale = 2 ** level;
  const floor = Math.floor(size / scale);
  return Math.max(1, roundUp && floor * scale < size ? floor + 1 : floor);
}

function tilesAcross(size: number, levels: number, tile: number, roundUp: boolean): number[] {
  return Array.from({ length: levels }, (_, l) => Math.ceil(levelSize(size, l, roundUp) / tile));
}

/**
 * Tiles in every level: one level; mipmap levels (both axes halved together, as many levels as
 * the larger axis needs); ripmap levels (each axis halved on its own, every pair of levels).
 */
function tiledLayout(w: number, h: number, tiles: ExrTileDesc): ChunkLayout {
  if (tiles.xSize < 1 || tiles.ySize < 1) return { problem: `tile size ${tiles.xSize}x${tiles.ySize}` };
  const up = tiles.roundingMode === 'ROUND_UP';
  if (tiles.levelMode === 'ONE_LEVEL') {
    return { computed: Math.ceil(w / tiles.xSize) * Math.ceil(h / tiles.ySize), levels: { x: 1, y: 1 } };
  }
  if (tiles.levelMode === 'MIPMAP_LEVELS') {
    const n = log2(Math.max(w, h), up) + 1;
    const xs = tilesAcross(w, n, tiles.xSize, up);
    const ys = tilesAcross(h, n, tiles.ySize, up);
    return { computed: xs.reduce((sum, x, l) => sum + x * (ys[l] ?? 0), 0), levels: { x: n, y: n } };
  }
  const nx = log2(w, up) + 1;
  const ny = log2(h, up) + 1;
  const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
  const computed = sum(tilesAcross(w, nx, tiles.xSize, up)) * sum(tilesAcross(h, ny, tiles.ySize, up));
  return { computed, levels: { x: nx, y: ny } };
}

/** The chunk count the library computes from the header (its own check on chunkCount). */
export function computeChunkLayout({ type, dataWindow, compression, tiles }: ChunkInputs): ChunkLayout {
  if (type === 'unknown') return { problem: 'the part type is unknown' };
  if (dataWindow === undefined) return { problem: 'there is no dataWindow' };
  const w = dataWindow.xMax - dataWindow.xMin + 1;
  const h = dataWindow.yMax - dataWindow.yMin + 1;
  if (w < 1 || h < 1) return { problem: `the dataWindow is empty (${w}x${h})` };
  let layout: ChunkLayout;
  if (type === 'tiledimage' || type === 'deeptile') {
    if (tiles === undefined) return { problem: 'a tiled part without tiles' };
    layout = tiledLayout(w, h, tiles);
  } else {
    if (compression === undefined) return { problem: 'there is no compression' };
    const linesPerChunk = typeof compression === 'string' ? LINES_PER_CHUNK[compression] : undefined;
    if (linesPerChunk === undefined) return { problem: `compression ${compression} is unknown` };
    layout = { computed: Math.ceil(h / linesPerChunk), linesPerChunk };
  }
  if (layout.computed !== undefined && layout.computed > MAX_CHUNKS) {
    return {
      ...layout,
      computed: undefined,
      problem: `${layout.computed} chunks are more than an int32 holds`,
    };
  }
  return layout;
}
