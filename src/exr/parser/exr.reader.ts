import { ExrParseError } from './exr.errors.ts';

/** Called with where a read started and how many bytes it wanted, when they are not there. */
export type ShortRead = (at: number, wanted: number) => never;

/**
 * Thrown (only) while parsing a prefix of a file whose rest can still be fetched: the async entry
 * catches it, reads up to `end` and parses again. Never leaves src/exr.
 */
export class NeedMoreBytes extends Error {
  constructor(readonly end: number) {
    super(`need the file's bytes up to ${end}`);
  }
}

const UTF8 = new TextDecoder('utf-8');

export function utf8(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

/**
 * A little-endian cursor over `bytes` (offset 0 of `bytes` is offset 0 of the file, so `pos` is a
 * file offset) that may not pass `end`: what happens then is the owner's call (`short`), so the
 * same cursor reads the header (truncation) and one attribute's value (a size that lies).
 */
export class ExrReader {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
    private readonly short: ShortRead,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (n > this.end - this.pos) this.short(this.pos, n);
  }

  peek(): number {
    this.need(1);
    return this.bytes[this.pos] ?? 0;
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** An unsigned 64-bit integer as a number: exact below 2^53, approximate above. */
  u64(): number {
    const lo = this.u32();
    return this.u32() * 0x1_0000_0000 + lo;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * A null-terminated name of at most `max` bytes (the terminator not counted), as UTF-8. Longer
   * is refused where the terminator should have been, as the library refuses it.
   */
  name(max: number, what: string): string {
    const start = this.pos;
    const window = Math.min(this.end, start + max + 1);
    const nul = this.bytes.subarray(start, window).indexOf(0);
    if (nul === -1) {
      if (window - start > max) {
        throw new ExrParseError('NAME_TOO_LONG', start, `${what} longer than ${max} bytes`);
      }
      return this.short(start, window - start + 1);
    }
    const text = utf8(this.bytes.subarray(start, start + nul));
    this.pos = start + nul + 1;
    return text;
  }
}
