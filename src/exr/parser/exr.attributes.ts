import {
  decodeChlist,
  decodeFloatVector,
  decodeOpaque,
  decodePreview,
  decodeString,
  decodeStringVector,
} from './exr.attributes.lists.ts';
import {
  COMPRESSIONS,
  DEEP_IMAGE_STATES,
  ENVMAPS,
  LEVEL_MODES,
  LINE_ORDERS,
  named,
  ROUNDING_MODES,
} from './exr.enums.ts';
import { ExrReader } from './exr.reader.ts';
import { decodeTimecode } from './exr.timecode.ts';
import type {
  ExrAttributeValues,
  ExrBox2,
  ExrKnownType,
  ExrOpaqueValue,
  ExrTileDesc,
  ExrV2,
  ExrV3,
} from './exr.types.ts';
import { type ValueContext, valueError } from './exr.value.ts';

type Decoder<T extends ExrKnownType> = (r: ExrReader, ctx: ValueContext) => ExrAttributeValues[T];
type Decoders = { [T in ExrKnownType]: { size?: number; decode: Decoder<T> } };

const box = (read: () => number): ExrBox2 => ({ xMin: read(), yMin: read(), xMax: read(), yMax: read() });
const v2 = (read: () => number): ExrV2 => [read(), read()];
const v3 = (read: () => number): ExrV3 => [read(), read(), read()];
const many = (n: number, read: () => number) => Array.from({ length: n }, read);

function tiledesc(r: ExrReader, ctx: ValueContext): ExrTileDesc {
  const xSize = r.u32();
  const ySize = r.u32();
  const modes = r.u8();
  const levelMode = LEVEL_MODES[modes & 0x0f];
  const roundingMode = ROUNDING_MODES[modes >> 4];
  // Both libraries refuse these: a level layout nobody can lay out chunks for.
  if (levelMode === undefined) throw valueError(ctx, 'BAD_VALUE', r.pos - 1, `level mode ${modes & 0x0f}`);
  if (roundingMode === undefined)
    throw valueError(ctx, 'BAD_VALUE', r.pos - 1, `rounding mode ${modes >> 4}`);
  return { xSize, ySize, levelMode, roundingMode };
}

/** Every type of the specification: its fixed size (when it has one) and how to read it. */
const DECODERS: Decoders = {
  box2i: { size: 16, decode: (r) => box(() => r.i32()) },
  box2f: { size: 16, decode: (r) => box(() => r.f32()) },
  chlist: { decode: decodeChlist },
  chromaticities: {
    size: 32,
    decode: (r) => ({
      redX: r.f32(),
      redY: r.f32(),
      greenX: r.f32(),
      greenY: r.f32(),
      blueX: r.f32(),
      blueY: r.f32(),
      whiteX: r.f32(),
      whiteY: r.f32(),
    }),
  },
  compression: { size: 1, decode: (r) => named(COMPRESSIONS, r.u8()) },
  double: { size: 8, decode: (r) => r.f64() },
  envmap: { size: 1, decode: (r) => named(ENVMAPS, r.u8()) },
  float: { size: 4, decode: (r) => r.f32() },
  floatvector: { decode: decodeFloatVector },
  int: { size: 4, decode: (r) => r.i32() },
  keycode: {
    size: 28,
    decode: (r) => ({
      filmMfcCode: r.i32(),
      filmType: r.i32(),
      prefix: r.i32(),
      count: r.i32(),
      perfOffset: r.i32(),
      perfsPerFrame: r.i32(),
      perfsPerCount: r.i32(),
    }),
  },
  lineOrder: { size: 1, decode: (r) => named(LINE_ORDERS, r.u8()) },
  m33f: { size: 36, decode: (r) => many(9, () => r.f32()) },
  m33d: { size: 72, decode: (r) => many(9, () => r.f64()) },
  m44f: { size: 64, decode: (r) => many(16, () => r.f32()) },
  m44d: { size: 128, decode: (r) => many(16, () => r.f64()) },
  preview: { decode: decodePreview },
  rational: { size: 8, decode: (r) => ({ numerator: r.i32(), denominator: r.u32() }) },
  string: { decode: (r) => decodeString(r) },
  stringvector: { decode: decodeStringVector },
  tiledesc: { size: 9, decode: tiledesc },
  timecode: { size: 8, decode: (r) => decodeTimecode(r.u32(), r.u32()) },
  v2i: { size: 8, decode: (r) => v2(() => r.i32()) },
  v2f: { size: 8, decode: (r) => v2(() => r.f32()) },
  v2d: { size: 16, decode: (r) => v2(() => r.f64()) },
  v3i: { size: 12, decode: (r) => v3(() => r.i32()) },
  v3f: { size: 12, decode: (r) => v3(() => r.f32()) },
  v3d: { size: 24, decode: (r) => v3(() => r.f64()) },
  deepImageState: { size: 1, decode: (r) => named(DEEP_IMAGE_STATES, r.u8()) },
};

export function isKnownType(type: string): type is ExrKnownType {
  return Object.hasOwn(DECODERS, type);
}

/**
 * Decodes one attribute's value from `bytes` (the whole buffer; the value is at ctx.start, ctx.size
 * bytes long). A size that does not fit the type fails with BAD_SIZE at the value's offset.
 */
export function decodeValue(
  bytes: Uint8Array,
  ctx: ValueContext,
): ExrAttributeValues[ExrKnownType] | ExrOpaqueValue {
  const r = new ExrReader(bytes, ctx.start, ctx.start + ctx.size, (at, wanted) => {
    throw valueError(
      ctx,
      'BAD_SIZE',
      at,
      `needs ${wanted} bytes here, past the end of its ${ctx.size}-byte value`,
    );
  });
  if (!isKnownType(ctx.type)) return decodeOpaque(r);
  const decoder: { size?: number; decode: Decoder<ExrKnownType> } = DECODERS[ctx.type];
  if (decoder.size !== undefined && decoder.size !== ctx.size) {
    throw valueError(ctx, 'BAD_SIZE', ctx.start, `size ${ctx.size}, expected ${decoder.size}`);
  }
  return decoder.decode(r, ctx);
}
