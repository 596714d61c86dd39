/**
 * The hand reader of Arrow's Message and RecordBatch flatbuffers (wire.arrowfb.ts) against
 * apache-arrow's generated classes: the same header type, body length, row count, field nodes,
 * buffers and compression flag for every message of thousands of streams written by
 * apache-arrow (with nulls, without, and without rows: absent fields read as their defaults) and
 * of the bodies pyarrow wrote (the SDK's fixtures: C++ flatbuffers, another layout); and an error,
 * never a wrong answer, for metadata cut short or pointing outside itself.
 */
import { RecordBatchStreamWriter, tableFromIPC } from 'apache-arrow';
import { FieldNode } from 'apache-arrow/fb/field-node';
import { Message as FbMessage } from 'apache-arrow/fb/message';
import { MessageHeader } from 'apache-arrow/fb/message-header';
import { RecordBatch as FbRecordBatch } from 'apache-arrow/fb/record-batch';
import { ByteBuffer } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { hex, loadFixture } from '../../../../../test/support/db/engines/vast/wire/fixtures/fixtures.ts';
import { prng as random } from '../../../../../test/support/time/time.testkit.ts';
import { RecordBatchInfo, readMessage } from './wire.arrowfb.ts';
import { encodeRows } from './wire.encode.ts';
import { WireFormatError } from './wire.errors.ts';
import type { WireField, WireRow, WireType } from './wire.types.ts';

/** Each message's metadata flatbuffer in a stream, found with apache-arrow's reader of lengths. */
function metadataOf(stream: Uint8Array): Uint8Array[] {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + 8 <= stream.byteLength) {
    const length = view.getInt32(at + 4, true);
    if (length === 0) break;
    const meta = stream.subarray(at + 8, at + 8 + length);
    out.push(meta);
    const body = Number(FbMessage.getRootAsMessage(new ByteBuffer(meta)).bodyLength());
    at += 8 + length + body;
  }
  return out;
}

function library(meta: Uint8Array) {
  const m = FbMessage.getRootAsMessage(new ByteBuffer(meta));
  const out = {
    headerType: m.headerType() as number,
    bodyLength: Number(m.bodyLength()),
    batch: null as unknown,
  };
  if (m.headerType() !== MessageHeader.RecordBatch) return out;
  const b = m.header(new FbRecordBatch()) as FbRecordBatch;
  const node = new FieldNode();
  out.batch = {
    length: Number(b.length()),
    nodes: Array.from({ length: b.nodesLength() }, (_, i) => {
      b.nodes(i, node);
      return [Number(node.length()), Number(node.nullCount())];
    }),
    buffers: Array.from({ length: b.buffersLength() }, (_, i) => {
      const r = b.buffers(i);
      return [Number(r?.offset()), Number(r?.length())];
    }),
    compressed: b.compression() !== null,
  };
  return out;
}

function ours(meta: Uint8Array) {
  const view = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  const m = readMessage(view, 0, meta.byteLength);
  const out = { headerType: m.headerType, bodyLength: m.bodyLength, batch: null as unknown };
  if (m.headerType !== MessageHeader.RecordBatch) return out;
  const b = new RecordBatchInfo(view, 0, meta.byteLength, m.header);
  out.batch = {
    length: b.length,
    nodes: Array.from({ length: b.nodeCount }, (_, i) => [b.nodeLength(i), b.nodeNullCount(i)]),
    buffers: Array.from({ length: b.bufferCount }, (_, i) => [b.bufferOffset(i), b.bufferLength(i)]),
    compressed: b.compressed,
  };
  return out;
}

const TYPES: WireType[] = ['utf8', 'int64', 'int32', 'float64', 'bool', 'timestamp_us', 'uint64'];
const sample = (type: WireType, i: number) =>
  type === 'utf8'
    ? `v${i}`
    : type === 'bool'
      ? i % 2 === 0
      : type === 'int32' || type === 'float64'
        ? i
        : BigInt(i);

/** A stream of several batches of random columns (some with nulls, some batches empty). */
function generated(rnd: () => number): Uint8Array {
  const fields: WireField[] = Array.from({ length: 1 + Math.floor(rnd() * 6) }, (_, i) => ({
    name: `c${i}`,
    type: TYPES[Math.floor(rnd() * TYPES.length)] as WireType,
    nullable: true,
  }));
  const part = () => {
    const n = [0, 1, 5, 9, 70][Math.floor(rnd() * 5)] as number;
    const rows: WireRow[] = Array.from({ length: n }, (_, i) =>
      Object.fromEntries(fields.map((f) => [f.name, rnd() < 0.3 ? null : sample(f.type, i)])),
    );
    return tableFromIPC(encodeRows(fields, rows)).batches;
  };
  const batches = Array.from({ length: 1 + Math.floor(rnd() * 3) }, part).flat();
  return RecordBatchStreamWriter.writeAll(batches).toUint8Array(true);
}

interface Bodies {
  rows: { hex: string }[];
  schemas: { hex: string }[];
}

describe('readMessage and RecordBatchInfo against apache-arrow', () => {
  it('read every message of thousands of apache-arrow streams as the library does', () => {
    const rnd = random(11);
    let messages = 0;
    for (let i = 0; i < 1500; i++) {
      for (const meta of metadataOf(generated(rnd))) {
        expect(ours(meta)).toEqual(library(meta));
        messages++;
      }
    }
    expect(messages).toBeGreaterThan(4000);
  });

  it("read pyarrow's messages (the SDK's bodies) as the library does", () => {
    const bodies = loadFixture<Bodies>('sdk-bodies.json');
    const metas = [...bodies.rows, ...bodies.schemas].flatMap((b) => metadataOf(hex(b.hex)));
    expect(metas.length).toBeGreaterThan(6);
    for (const meta of metas) expect(ours(meta)).toEqual(library(meta));
  });

  it('refuse metadata cut short or pointing outside itself', () => {
    const [, batch] = metadataOf(generated(random(3))) as [Uint8Array, Uint8Array];
    for (let n = 0; n < batch.byteLength - 1; n += 3) {
      const cut = batch.slice(0, n);
      expect(() => ours(cut), `cut at ${n}`).toThrow(WireFormatError);
    }
    const wild = batch.slice();
    new DataView(wild.buffer).setUint32(0, 0x7ffffff0, true);
    expect(() => ours(wild)).toThrow(WireFormatError);
  });
});
