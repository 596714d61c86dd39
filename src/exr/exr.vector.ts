import { COMPRESSIONS as ALL_COMPRESSIONS } from './parser/exr.enums.ts';
import type { ExrHeader, ExrPartSummary } from './parser/exr.types.ts';

/**
 * The metadata vector of a file, for "files like this one": 384 float32, deterministic (the
 * same header always gives the same vector, on any machine), made of six blocks that each
 * describe one aspect and are scaled so that the cosine similarity of two vectors is a weighted
 * mean of the blocks' own cosines:
 *
 * | dims    | block        | weight² | what                                                      |
 * |---------|--------------|---------|-----------------------------------------------------------|
 * | 0-31    | structure    | 0.25    | scalars: log sizes, aspect, counts, deep/tiled/views, ... |
 * | 32-63   | compression  | 0.15    | share of parts per compression (one dimension each)       |
 * | 64-127  | channel set  | 0.20    | channel names hashed (FNV-1a) into 64 buckets             |
 * | 128-191 | pixel types  | 0.10    | (channel component, pixel type) pairs hashed into 64      |
 * | 192-319 | layers       | 0.15    | layer, part and view names hashed into 128 buckets        |
 * | 320-383 | resolution   | 0.15    | each part's `WxH` hashed into 64 buckets                  |
 *
 * Each block is made unit length, times the square root of its weight; a block with nothing in
 * it (no layers) takes a bucket of its own for "none", so two files without layers agree there.
 * The whole vector is then unit length. Identical headers score 1; files differing only in
 * compression score 0.85; in resolution, about 0.85 less what the size scalars move.
 * Layout name: `tams-exr-v1` (stored with each vector; another layout is never compared).
 */
export const VECTOR_LAYOUT = 'tams-exr-v1';
export const VECTOR_DIMS = 384;

const BLOCKS = {
  structure: { at: 0, size: 32, weight: 0.25 },
  compression: { at: 32, size: 32, weight: 0.15 },
  channels: { at: 64, size: 64, weight: 0.2 },
  pixelTypes: { at: 128, size: 64, weight: 0.1 },
  layers: { at: 192, size: 128, weight: 0.15 },
  resolution: { at: 320, size: 64, weight: 0.15 },
} as const;

/**
 * Compression numbers 0-13 (NONE ... ZSTD) take their own dimension; others share the last. The
 * layout is frozen at these 14: a compression added to the enum later shares the last dimension
 * until a new layout is named.
 */
const COMPRESSIONS: readonly string[] = ALL_COMPRESSIONS.slice(0, 14);

export function metadataVector(header: ExrHeader): Float32Array {
  const parts = header.parts.map((p) => p.summary);
  const out = new Float64Array(VECTOR_DIMS);
  const block = (name: keyof typeof BLOCKS, values: Float64Array) => {
    const { at, weight } = BLOCKS[name];
    const norm = length(values);
    if (norm === 0) return;
    const scale = Math.sqrt(weight) / norm;
    for (let i = 0; i < values.length; i++) out[at + i] = (values[i] as number) * scale;
  };
  block('structure', structure(header, parts));
  block('compression', compressionShares(parts));
  block('channels', hashed(BLOCKS.channels.size, channelNames(parts)));
  block(
    'pixelTypes',
    hashed(
      BLOCKS.pixelTypes.size,
      parts.flatMap((p) => p.channels.map((c) => `${componentOf(c.name)}:${String(c.pixelType)}`)),
    ),
  );
  block('layers', hashed(BLOCKS.layers.size, layerNames(parts)));
  block(
    'resolution',
    hashed(
      BLOCKS.resolution.size,
      parts.map((p) => `${p.width ?? '?'}x${p.height ?? '?'}`),
    ),
  );
  const norm = length(out);
  const vector = new Float32Array(VECTOR_DIMS);
  if (norm > 0) for (let i = 0; i < VECTOR_DIMS; i++) vector[i] = (out[i] as number) / norm;
  return vector;
}

/** Euclidean length, summed in index order (so the same on every machine). */
function length(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] as number) * (values[i] as number);
  return Math.sqrt(sum);
}

function structure(header: ExrHeader, parts: readonly ExrPartSummary[]): Float64Array {
  const v = new Float64Array(BLOCKS.structure.size);
  const first = parts[0];
  const log = (n: number | undefined, scale: number) =>
    n === undefined || n <= 0 ? 0 : Math.log2(n) / scale;
  const share = (test: (p: ExrPartSummary) => boolean) =>
    parts.length === 0 ? 0 : parts.filter(test).length / parts.length;
  const channels = parts.flatMap((p) => p.channels);
  const channelShare = (test: (c: (typeof channels)[number]) => boolean) =>
    channels.length === 0 ? 0 : channels.filter(test).length / channels.length;
  v[0] = log(first?.width, 16);
  v[1] = log(first?.height, 16);
  // Guarded against what a reversed window or a NaN aspect would make NaN (the whole block with it).
  v[2] =
    first?.width !== undefined && first.height !== undefined && first.width > 0 && first.height > 0
      ? Math.min(1, Math.max(0, (Math.log2(first.width / first.height) + 4) / 8))
      : 0;
  v[3] = log(first?.displayWidth, 16);
  v[4] = log(first?.displayHeight, 16);
  v[5] = log(parts.length + 1, 12);
  v[6] = log(channels.length + 1, 17);
  v[7] = share((p) => p.deep);
  v[8] = share((p) => p.tiled);
  v[9] = share((p) => p.view !== undefined || p.multiView !== undefined);
  v[10] = share(
    (p) =>
      p.dataWindow !== undefined &&
      p.displayWindow !== undefined &&
      JSON.stringify(p.dataWindow) !== JSON.stringify(p.displayWindow),
  );
  v[11] = log(new Set(layerNames(parts)).size + 1, 12);
  v[12] = channelShare((c) => c.pixelType === 'HALF');
  v[13] = channelShare((c) => c.pixelType === 'FLOAT');
  v[14] = channelShare((c) => c.pixelType === 'UINT');
  v[15] = channelShare((c) => c.xSampling !== 1 || c.ySampling !== 1);
  v[16] = share((p) => p.tiles?.levelMode === 'MIPMAP_LEVELS');
  v[17] = share((p) => p.tiles?.levelMode === 'RIPMAP_LEVELS');
  v[18] = share((p) => p.lineOrder === 'DECREASING_Y');
  v[19] = share((p) => p.lineOrder === 'RANDOM_Y');
  v[20] = header.version.longNames ? 1 : 0;
  v[21] = log(first?.tiles?.xSize, 16);
  v[22] = log(first?.tiles?.ySize, 16);
  const aspect = first?.pixelAspectRatio;
  v[23] = aspect === undefined || Number.isNaN(aspect) ? 0 : Math.min(1, aspect / 4);
  // 24-31: kept 0 for later features (a new layout name if they are used).
  return v;
}

function compressionShares(parts: readonly ExrPartSummary[]): Float64Array {
  const v = new Float64Array(BLOCKS.compression.size);
  for (const p of parts) {
    if (p.compression === undefined) continue;
    const known = COMPRESSIONS.indexOf(String(p.compression));
    v[known >= 0 ? known : COMPRESSIONS.length] = (v[known >= 0 ? known : COMPRESSIONS.length] ?? 0) + 1;
  }
  return v;
}

function channelNames(parts: readonly ExrPartSummary[]): string[] {
  return parts.flatMap((p) => p.channels.map((c) => c.name));
}

/** Layers of the channel names, part names and views (`∅` for none, see above). */
function layerNames(parts: readonly ExrPartSummary[]): string[] {
  const names = new Set<string>();
  for (const p of parts) {
    for (const c of p.channels) {
      const dot = c.name.lastIndexOf('.');
      if (dot > 0) names.add(`layer:${c.name.slice(0, dot)}`);
    }
    if (p.name !== undefined) names.add(`part:${p.name}`);
    if (p.view !== undefined) names.add(`view:${p.view}`);
    for (const view of p.multiView ?? []) names.add(`view:${view}`);
  }
  return [...names];
}

function componentOf(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Counts of `names` in `size` buckets by FNV-1a of their UTF-8; an empty list counts `∅`. */
function hashed(size: number, names: readonly string[]): Float64Array {
  const v = new Float64Array(size);
  for (const name of names.length === 0 ? ['∅'] : names) {
    const bucket = fnv1a(name) % size;
    v[bucket] = (v[bucket] ?? 0) + 1;
  }
  return v;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The vector as stored: its float32s little-endian, base64. */
export function encodeVector(v: Float32Array): string {
  const bytes = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => {
    bytes.writeFloatLE(x, i * 4);
  });
  return bytes.toString('base64');
}

/** A stored vector; undefined when it is not one of VECTOR_DIMS floats. */
export function decodeVector(text: string): Float32Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== VECTOR_DIMS * 4) return undefined;
  const v = new Float32Array(VECTOR_DIMS);
  for (let i = 0; i < VECTOR_DIMS; i++) v[i] = bytes.readFloatLE(i * 4);
  return v;
}

/** Cosine similarity of two unit vectors. */
export function similarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot;
}
