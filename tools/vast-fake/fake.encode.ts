/**
 * The fake's QueryData response body, byte for byte what the codec's encoder
 * (wire.response.ts `queryResponseFrames`, options `end` only) lays out, written straight into one
 * buffer. That encoder builds, for every column of every sub-split, an Arrow JS record batch and a
 * stream writer (a schema, a batch, EOS): ~50 µs a column, which made encoding a 100-row page cost
 * the fake more than the query. Here the schema and EOS messages are encoded once per field (by the
 * codec itself) and the record batch message is written as Arrow JS writes it: the same
 * flatbuffers calls in the same order, the buffers of wire.values.ts `buildColumn` in the order and
 * alignment of its VectorAssembler. test/vast/fake/fake.encode.test.ts compares the two on random data.
 *
 * One buffer, not a frame per write: a socket write per frame (3 per column) cost the fake as much
 * again in system calls.
 */
import { Builder } from 'flatbuffers';
import { COMPLETED_STREAM_ID } from '../../src/db/engines/vast/wire/wire.frames.ts';
import { splitMessages } from '../../src/db/engines/vast/wire/wire.ipc.ts';
import { columnStream, type ResponseStream } from '../../src/db/engines/vast/wire/wire.response.ts';
import type { WireField, WireRow, WireValue } from '../../src/db/engines/vast/wire/wire.types.ts';
import { DEFAULT_FAILURE_CODE, failureFrame } from './fake.failure.ts';
import { leafMessages } from './fake.leaves.ts';
import { type FakeField, isArrowColumn } from './fake.types.ts';

/** Arrow's MetadataVersion.V5 and MessageHeader.RecordBatch. */
const V5 = 4;
const RECORD_BATCH = 3;
const utf8 = new TextEncoder();

/** A growing output buffer. */
class Out {
  buf = new Uint8Array(64 * 1024);
  view = new DataView(this.buf.buffer);
  at = 0;

  room(n: number): void {
    if (this.at + n <= this.buf.byteLength) return;
    const next = new Uint8Array(Math.max(this.buf.byteLength * 2, this.at + n));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.at, v, true);
    this.at += 4;
  }
  frame(streamId: number, nextRowId: bigint): void {
    this.room(12);
    this.view.setUint32(this.at, streamId, true);
    this.view.setBigUint64(this.at + 4, nextRowId, true);
    this.at += 12;
  }
  /** Bytes, then zeros up to `padded` bytes in all (the buffer starts zeroed; it is never reused). */
  bytes(b: Uint8Array, padded = b.byteLength): void {
    this.room(padded);
    this.buf.set(b, this.at);
    this.at += padded;
  }
}

const pad8 = (n: number) => (n + 7) & ~7;
const asBytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The schema and EOS messages of a column's IPC stream (null: no column, a count), by field. */
const framing = new Map<string, { schema: Uint8Array; eos: Uint8Array }>();
function framingOf(field: WireField | null): { schema: Uint8Array; eos: Uint8Array } {
  const key = field === null ? '' : `${field.type}:${field.nullable}:${field.name}`;
  let f = framing.get(key);
  if (f === undefined) {
    const messages = splitMessages(columnStream(field, [], 1));
    f = {
      schema: (messages[0] as { bytes: Uint8Array }).bytes.slice(),
      eos: (messages[messages.length - 1] as { bytes: Uint8Array }).bytes.slice(),
    };
    framing.set(key, f);
  }
  return f;
}

/** A column's buffers as buildColumn fills them, without the validity bitmap. */
function valueBuffers(field: WireField, values: readonly WireValue[], nulls: number): Uint8Array[] {
  const n = values.length;
  switch (field.type) {
    case 'utf8': {
      const offsets = new Int32Array(n + 1);
      const parts: Uint8Array[] = new Array(n);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        const b = typeof v === 'string' ? utf8.encode(v) : new Uint8Array(0);
        parts[i] = b;
        total += b.byteLength;
        offsets[i + 1] = total;
      }
      const data = new Uint8Array(total);
      for (let i = 0; i < n; i++) data.set(parts[i] as Uint8Array, offsets[i] as number);
      return [asBytes(offsets), data];
    }
    case 'bool': {
      const data = new Uint8Array((n + 7) >> 3);
      if (nulls < n)
        for (let i = 0; i < n; i++)
          if (values[i] === true) data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7));
      return [data];
    }
    case 'int32':
    case 'float64': {
      const data = field.type === 'int32' ? new Int32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) if (values[i] !== null) data[i] = values[i] as number;
      return [asBytes(data)];
    }
    default: {
      const data = field.type === 'uint64' ? new BigUint64Array(n) : new BigInt64Array(n);
      for (let i = 0; i < n; i++) if (values[i] !== null) data[i] = values[i] as bigint;
      return [asBytes(data)];
    }
  }
}

const builder = new Builder(1024);

/** The RecordBatch message's flatbuffer, built with Arrow JS's calls (ipc/metadata/message). */
function batchMetadata(length: number, nulls: number, regions: readonly number[], body: number): Uint8Array {
  const b = builder;
  b.clear();
  const withColumn = regions.length > 0;
  b.startVector(16, withColumn ? 1 : 0, 8);
  if (withColumn) {
    b.prep(8, 16);
    b.writeInt64(BigInt(nulls));
    b.writeInt64(BigInt(length));
  }
  const nodes = b.endVector();
  b.startVector(16, regions.length, 8);
  // Regions from the last, each written as (length, offset) backwards.
  let end = body;
  for (let i = regions.length - 1; i >= 0; i--) {
    const size = regions[i] as number;
    end -= size;
    b.prep(8, 16);
    b.writeInt64(BigInt(size));
    b.writeInt64(BigInt(end));
  }
  const buffers = b.endVector();
  b.startObject(5);
  b.addFieldInt64(0, BigInt(length), 0n);
  b.addFieldOffset(1, nodes, 0);
  b.addFieldOffset(2, buffers, 0);
  const header = b.endObject();
  b.startObject(5);
  b.addFieldInt16(0, V5, 0);
  b.addFieldOffset(2, header, 0);
  b.addFieldInt8(1, RECORD_BATCH, 0);
  b.addFieldInt64(3, BigInt(body), 0n);
  b.finish(b.endObject());
  return b.asUint8Array();
}

/** One encapsulated record batch message of one column (or of none: a count of `rows`). */
function writeBatch(out: Out, field: WireField | null, rows: readonly WireRow[] | number): void {
  const count = typeof rows === 'number' ? rows : rows.length;
  let buffers: Uint8Array[] = [];
  let nulls = 0;
  if (field !== null && typeof rows !== 'number') {
    const values = rows.map((r) => r[field.name] ?? null);
    const validity = new Uint8Array((count + 7) >> 3);
    for (let i = 0; i < count; i++) {
      if (values[i] === null) nulls++;
      else validity[i >> 3] = (validity[i >> 3] as number) | (1 << (i & 7));
    }
    buffers = [nulls > 0 ? validity : new Uint8Array(0), ...valueBuffers(field, values, nulls)];
  }
  const regions = buffers.map((b) => pad8(b.byteLength));
  const body = regions.reduce((a, b) => a + b, 0);
  const meta = batchMetadata(count, nulls, regions, body);
  const aligned = pad8(meta.byteLength + 8);
  out.u32(0xffffffff);
  out.u32(aligned - 8);
  out.bytes(meta, aligned - 8);
  for (let i = 0; i < buffers.length; i++) out.bytes(buffers[i] as Uint8Array, regions[i]);
}

/**
 * The whole QueryData response body; `failureCode` goes into the failure frame (fake.failure.ts).
 * A column of a type the engine does not write goes through Arrow JS (fake.leaves.ts), a stream
 * per leaf.
 */
export function encodeResponse(
  fields: readonly FakeField[],
  streams: readonly ResponseStream[],
  end: 'completed' | 'failed' | 'none',
  failureCode = DEFAULT_FAILURE_CODE,
): Uint8Array {
  const out = new Out();
  const columns: (FakeField | null)[] = fields.length > 0 ? [...fields] : [null];
  for (const stream of streams) {
    for (const batch of stream.batches) {
      for (const field of columns) {
        if (field !== null && isArrowColumn(field)) {
          const rows = typeof batch.rows === 'number' ? [] : batch.rows;
          for (const m of leafMessages(field, rows)) {
            out.frame(stream.streamId, batch.nextRowId);
            out.bytes(m);
          }
          continue;
        }
        const { schema, eos } = framingOf(field);
        out.frame(stream.streamId, batch.nextRowId);
        out.bytes(schema);
        out.frame(stream.streamId, batch.nextRowId);
        writeBatch(out, field, batch.rows);
        out.frame(stream.streamId, batch.nextRowId);
        out.bytes(eos);
      }
    }
  }
  if (end === 'completed') out.u32(COMPLETED_STREAM_ID);
  else if (end === 'failed') out.bytes(failureFrame(failureCode));
  return out.buf.subarray(0, out.at);
}
