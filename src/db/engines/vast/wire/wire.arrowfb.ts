import { WireFormatError } from './wire.errors.ts';

/**
 * Reads the two Arrow `Message` flatbuffers every answer is made of (Arrow's format/Message.fbs:
 * `Message{version, header_type, header, bodyLength}` and `RecordBatch{length, nodes, buffers,
 * compression}`) straight from the bytes, with every offset checked against the metadata's
 * bounds. apache-arrow's generated classes read the same fields, but allocate a ByteBuffer and
 * an object per table, struct and int64 read (BigInts): per column stream of an answer that was
 * several microseconds, and an answer of a page has dozens. wire.arrowfb.test.ts reads
 * thousands of generated messages both ways and compares.
 */

/** `MessageHeader` union discriminants. */
export const HEADER_SCHEMA = 1;
export const HEADER_DICTIONARY_BATCH = 2;
export const HEADER_RECORD_BATCH = 3;

export interface MessageInfo {
  readonly headerType: number;
  /** The body length (a safe integer; NaN when it is not one). */
  readonly bodyLength: number;
  /** Absolute position of the header table in the view, 0 when absent. */
  readonly header: number;
}

/** A flatbuffer of `end - start` bytes at `start` of `view`, read with bounds checks. */
class Fb {
  constructor(
    readonly view: DataView,
    readonly start: number,
    readonly end: number,
  ) {}

  check(at: number, n: number): void {
    if (at < this.start || at + n > this.end)
      throw new WireFormatError('Arrow message metadata out of bounds');
  }

  u8(at: number): number {
    this.check(at, 1);
    return this.view.getUint8(at);
  }

  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, true);
  }

  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, true);
  }

  /** An int64 as a number: exact when safe, NaN otherwise (callers refuse it). */
  i64(at: number): number {
    this.check(at, 8);
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getInt32(at + 4, true);
    if (hi >= 0x200000 || hi < -0x200000) return Number.NaN;
    return hi * 0x100000000 + lo;
  }

  /** Position of what the offset at `at` points to. */
  indirect(at: number): number {
    return at + this.u32(at);
  }

  /** Where field `id` of the table at `table` is, or 0 when absent (its default applies). */
  field(table: number, id: number): number {
    this.check(table, 4);
    const vtable = table - this.view.getInt32(table, true);
    const size = this.u16(vtable);
    const slot = 4 + 2 * id;
    if (slot + 2 > size) return 0;
    const off = this.u16(vtable + slot);
    return off === 0 ? 0 : table + off;
  }
}

/** The header type, body length and header table of a `Message` flatbuffer. */
export function readMessage(view: DataView, start: number, end: number): MessageInfo {
  const fb = new Fb(view, start, end);
  const root = fb.indirect(start);
  const typeAt = fb.field(root, 1);
  const headerAt = fb.field(root, 2);
  const lengthAt = fb.field(root, 3);
  return {
    headerType: typeAt === 0 ? 0 : fb.u8(typeAt),
    bodyLength: lengthAt === 0 ? 0 : fb.i64(lengthAt),
    header: headerAt === 0 ? 0 : fb.indirect(headerAt),
  };
}

/** The `RecordBatch` table of a message (MessageInfo.header); int64s as numbers (NaN if unsafe). */
export class RecordBatchInfo {
  readonly length: number;
  readonly nodeCount: number;
  readonly bufferCount: number;
  readonly compressed: boolean;
  private readonly fb: Fb;
  private readonly nodes: number;
  private readonly buffers: number;

  constructor(view: DataView, start: number, end: number, table: number) {
    const fb = new Fb(view, start, end);
    this.fb = fb;
    const lengthAt = fb.field(table, 0);
    this.length = lengthAt === 0 ? 0 : fb.i64(lengthAt);
    [this.nodes, this.nodeCount] = structs(fb, table, 1);
    [this.buffers, this.bufferCount] = structs(fb, table, 2);
    this.compressed = fb.field(table, 3) !== 0;
  }

  nodeLength(i: number): number {
    return this.fb.i64(this.nodes + 16 * i);
  }

  nodeNullCount(i: number): number {
    return this.fb.i64(this.nodes + 16 * i + 8);
  }

  bufferOffset(i: number): number {
    return this.fb.i64(this.buffers + 16 * i);
  }

  bufferLength(i: number): number {
    return this.fb.i64(this.buffers + 16 * i + 8);
  }
}

/** A vector of 16-byte structs (FieldNode, Buffer) in field `id`: its first struct and count. */
function structs(fb: Fb, table: number, id: number): [number, number] {
  const at = fb.field(table, id);
  if (at === 0) return [0, 0];
  const vector = fb.indirect(at);
  const count = fb.u32(vector);
  fb.check(vector + 4, count * 16);
  return [vector + 4, count];
}
