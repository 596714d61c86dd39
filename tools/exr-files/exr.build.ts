/**
 * Writes small OpenEXR headers byte by byte, for tests of what no fixture has: hostile sizes,
 * unusual flags, every level layout. Only headers and offset tables; no pixels.
 */

const ascii = (s: string) => new TextEncoder().encode(s);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function i32(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) view.setInt32(4 * i, v, true);
  return out;
}

export function u32(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) view.setUint32(4 * i, v, true);
  return out;
}

export function f32(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) view.setFloat32(4 * i, v, true);
  return out;
}

export function u64(...values: number[]): Uint8Array {
  const out = new Uint8Array(8 * values.length);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) view.setBigUint64(8 * i, BigInt(v), true);
  return out;
}

export const byte = (...values: number[]) => new Uint8Array(values);
export const text = ascii;

/** name, type, int32 size, value; `size` overrides the value's length (to lie about it). */
export function attr(name: string, type: string, value: Uint8Array, size = value.length): Uint8Array {
  return concat(ascii(name), byte(0), ascii(type), byte(0), i32(size), value);
}

export function chlist(
  ...channels: { name: string; pixelType?: number; x?: number; y?: number }[]
): Uint8Array {
  return concat(
    ...channels.map((c) =>
      concat(ascii(c.name), byte(0), i32(c.pixelType ?? 1), byte(0, 0, 0, 0), i32(c.x ?? 1, c.y ?? 1)),
    ),
    byte(0),
  );
}

export interface PartSpec {
  width?: number;
  height?: number;
  /** Compression number (default 0, NONE). */
  compression?: number;
  /** tiledesc: x, y, mode byte (levelMode | roundingMode << 4). */
  tiles?: [number, number, number];
  extra?: Uint8Array[];
}

/** The 8 attributes every part needs (and tiles when asked), then `extra`. */
export function partAttributes(spec: PartSpec = {}): Uint8Array {
  const w = spec.width ?? 8;
  const h = spec.height ?? 8;
  return concat(
    attr('channels', 'chlist', chlist({ name: 'Y' })),
    attr('compression', 'compression', byte(spec.compression ?? 0)),
    attr('dataWindow', 'box2i', i32(0, 0, w - 1, h - 1)),
    attr('displayWindow', 'box2i', i32(0, 0, w - 1, h - 1)),
    attr('lineOrder', 'lineOrder', byte(0)),
    attr('pixelAspectRatio', 'float', f32(1)),
    attr('screenWindowCenter', 'v2f', f32(0, 0)),
    attr('screenWindowWidth', 'float', f32(1)),
    ...(spec.tiles
      ? [attr('tiles', 'tiledesc', concat(u32(spec.tiles[0], spec.tiles[1]), byte(spec.tiles[2])))]
      : []),
    ...(spec.extra ?? []),
  );
}

/** magic, version field, one part's attributes and its terminator; then `tail` (tables, ...). */
export function singlePart(attributes: Uint8Array, versionField = 2, tail: Uint8Array = new Uint8Array(0)) {
  return concat(u32(20000630, versionField), attributes, byte(0), tail);
}

/** A multipart file's header: each part's attributes and terminator, then the empty header. */
export function multiPart(parts: Uint8Array[], versionField = 0x1002, tail: Uint8Array = new Uint8Array(0)) {
  return concat(u32(20000630, versionField), ...parts.map((p) => concat(p, byte(0))), byte(0), tail);
}

/** A single-part file whose offset table of `count` entries points at `count` 4-byte chunks. */
export function singlePartFile(attributes: Uint8Array, count: number, versionField = 2): Uint8Array {
  const head = singlePart(attributes, versionField);
  const end = head.length + 8 * count;
  const entries = u64(...Array.from({ length: count }, (_, i) => end + 4 * i));
  return concat(head, entries, new Uint8Array(4 * count));
}
