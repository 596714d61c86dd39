import { named, PIXEL_TYPES } from './exr.enums.ts';
import { type ExrReader, utf8 } from './exr.reader.ts';
import type { ExrChannel, ExrOpaqueValue, ExrPreview } from './exr.types.ts';
import { spend, type ValueContext, valueError } from './exr.value.ts';

/** Kept inline up to these sizes; past them only the length (a header must stay cheap to store). */
export const PREVIEW_PIXELS_KEPT = 16_384;
export const OPAQUE_BYTES_KEPT = 65_536;

const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Channels until an empty name; bytes after that terminator are ignored, as the C core does. */
export function decodeChlist(r: ExrReader, ctx: ValueContext): ExrChannel[] {
  const channels: ExrChannel[] = [];
  for (;;) {
    const at = r.pos;
    const name = r.name(ctx.maxName, 'channel name');
    if (name === '') return channels;
    spend(ctx, at, 'channels', 1);
    const pixelType = named(PIXEL_TYPES, r.i32());
    const pLinear = r.u8();
    r.take(3); // reserved
    channels.push({ name, pixelType, pLinear, xSampling: r.i32(), ySampling: r.i32() });
  }
}

/** The bytes themselves: the File Layout's "length, then chars" is not what writers store. */
export function decodeString(r: ExrReader): string {
  return utf8(r.take(r.remaining));
}

export function decodeStringVector(r: ExrReader, ctx: ValueContext): string[] {
  const out: string[] = [];
  while (r.remaining > 0) {
    const at = r.pos;
    const length = r.i32();
    if (length < 0) throw valueError(ctx, 'BAD_VALUE', at, `negative string length ${length}`);
    spend(ctx, at, 'vectorItems', 1);
    out.push(utf8(r.take(length)));
  }
  return out;
}

export function decodeFloatVector(r: ExrReader, ctx: ValueContext): number[] {
  if (ctx.size % 4 !== 0) {
    throw valueError(ctx, 'BAD_SIZE', ctx.start, `size ${ctx.size} is not a multiple of 4`);
  }
  spend(ctx, ctx.start, 'vectorItems', ctx.size / 4);
  return Array.from({ length: ctx.size / 4 }, () => r.f32());
}

export function decodePreview(r: ExrReader, ctx: ValueContext): ExrPreview {
  const width = r.u32();
  const height = r.u32();
  const rgbaBytes = width * height * 4;
  if (ctx.size !== 8 + rgbaBytes) {
    throw valueError(
      ctx,
      'BAD_SIZE',
      ctx.start,
      `size ${ctx.size} does not hold ${width}x${height} RGBA pixels`,
    );
  }
  const pixels = r.take(rgbaBytes);
  return rgbaBytes <= PREVIEW_PIXELS_KEPT
    ? { width, height, rgbaBytes, rgba: base64(pixels) }
    : { width, height, rgbaBytes };
}

export function decodeOpaque(r: ExrReader): ExrOpaqueValue {
  const bytes = r.take(r.remaining);
  return bytes.length <= OPAQUE_BYTES_KEPT
    ? { bytes: bytes.length, base64: base64(bytes) }
    : { bytes: bytes.length };
}
