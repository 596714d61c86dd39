import { Message } from 'apache-arrow';
import { BufferRegion, FieldNode, RecordBatch as RecordBatchMeta } from 'apache-arrow/ipc/metadata/message';
import { encodeSchemaMessage } from './wire.schema.ts';
import type { WireField, WireRow } from './wire.types.ts';
import { type ColumnBuffers, columnBuffers } from './wire.values.ts';

/**
 * Rows -> the Arrow IPC stream of an insert, update or delete body (schema message, one record
 * batch, end-of-stream), written straight from the columns' buffers: the bytes apache-arrow's
 * `RecordBatchStreamWriter` writes for the same rows (wire.encode.test.ts compares them on
 * thousands of generated bodies), without its Table, Data and visitor machinery, which cost
 * ~200 µs per body however few its rows (a single-segment POST sends several). The schema message
 * is made once per field list, by apache-arrow.
 */

const CONTINUATION = 0xffffffff;
const EOS_BYTES = 8;
const schemaMessages = new Map<string, Uint8Array>();
const SCHEMA_CACHE = 256;

function schemaMessage(fields: readonly WireField[]): Uint8Array {
  let key = '';
  for (const f of fields) key += `${f.name}\u0000${f.type}\u0000${f.nullable ? 1 : 0}\u0000`;
  let bytes = schemaMessages.get(key);
  if (bytes === undefined) {
    bytes = encodeSchemaMessage(fields);
    if (schemaMessages.size >= SCHEMA_CACHE) schemaMessages.clear();
    schemaMessages.set(key, bytes);
  }
  return bytes;
}

const pad8 = (n: number) => (n + 7) & ~7;

/**
 * The buffers of a column in the order apache-arrow's VectorAssembler lays them out: validity
 * (none without nulls), then offsets and data, or values. Each is padded to 8 bytes in the body
 * (the writer pads every buffer: the bitmaps' own padding makes no difference).
 */
function assemble(c: ColumnBuffers): Uint8Array[] {
  const validity = c.validity ?? new Uint8Array(0);
  if (c.offsets !== undefined) return [validity, bytes(c.offsets), bytes(c.data)];
  return [validity, bytes(c.data)];
}

function bytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The IPC stream body of `rows` with the columns `fields` (the values are checked: WireValueError). */
export function encodeRows(fields: readonly WireField[], rows: readonly WireRow[]): Uint8Array {
  const columns = fields.map((f) => {
    const values = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) values[r] = (rows[r] as WireRow)[f.name] ?? null;
    return columnBuffers(f, values);
  });
  const nodes: FieldNode[] = [];
  const regions: BufferRegion[] = [];
  const buffers: Uint8Array[] = [];
  let bodyLength = 0;
  for (const c of columns) {
    nodes.push(new FieldNode(c.length, c.nullCount));
    for (const b of assemble(c)) {
      regions.push(new BufferRegion(bodyLength, pad8(b.byteLength)));
      buffers.push(b);
      bodyLength += pad8(b.byteLength);
    }
  }
  const meta = Message.encode(
    Message.from(new RecordBatchMeta(rows.length, nodes, regions, null), bodyLength),
  ) as Uint8Array;
  const schema = schemaMessage(fields);
  const metaSize = pad8(meta.byteLength + 8);
  const out = new Uint8Array(schema.byteLength + metaSize + bodyLength + EOS_BYTES);
  const view = new DataView(out.buffer);
  out.set(schema, 0);
  let at = schema.byteLength;
  view.setUint32(at, CONTINUATION, true);
  view.setInt32(at + 4, metaSize - 8, true);
  out.set(meta, at + 8);
  at += metaSize;
  for (const b of buffers) {
    out.set(b, at);
    at += pad8(b.byteLength);
  }
  view.setUint32(at, CONTINUATION, true);
  return out;
}
