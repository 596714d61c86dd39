import { Message } from 'apache-arrow';
import { BufferRegion, FieldNode, RecordBatch as RecordBatchMeta } from 'apache-arrow/ipc/metadata/message';
import { encodeSchemaMessage } from './wire.schema.ts';
import type { WireField, WireRow, WireValue } from './wire.types.ts';
import { bigIntOf, checkColumn } from './wire.values.ts';

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

/** Bytes of each of a column's buffers, in the order apache-arrow's VectorAssembler lays them out. */
function bufferSizes(type: WireField['type'], rows: number, nullCount: number, utf8Bytes: number): number[] {
  // No validity bitmap (an empty buffer) without nulls.
  const validity = nullCount > 0 ? (rows + 7) >> 3 : 0;
  switch (type) {
    case 'utf8':
      return [validity, 4 * (rows + 1), utf8Bytes];
    case 'bool':
      return [validity, (rows + 7) >> 3];
    case 'int32':
      return [validity, 4 * rows];
    default:
      return [validity, 8 * rows];
  }
}

/**
 * The IPC stream body of `rows` with the columns `fields`. The values are checked first
 * (checkColumn: WireValueError, as before), then written once, straight into the body: every
 * buffer starts on a multiple of 8 bytes and its padding stays zero, as the writer pads them.
 */
export function encodeRows(fields: readonly WireField[], rows: readonly WireRow[]): Uint8Array {
  const n = rows.length;
  const columns = fields.map((f) => {
    const values: WireValue[] = new Array(n);
    for (let r = 0; r < n; r++) values[r] = (rows[r] as WireRow)[f.name] ?? null;
    return { field: f, values, check: checkColumn(f, values) };
  });
  const nodes: FieldNode[] = [];
  const regions: BufferRegion[] = [];
  let bodyLength = 0;
  for (const c of columns) {
    nodes.push(new FieldNode(n, c.check.nullCount));
    for (const size of bufferSizes(c.field.type, n, c.check.nullCount, c.check.utf8Bytes)) {
      regions.push(new BufferRegion(bodyLength, pad8(size)));
      bodyLength += pad8(size);
    }
  }
  const meta = Message.encode(
    Message.from(new RecordBatchMeta(n, nodes, regions, null), bodyLength),
  ) as Uint8Array;
  const schema = schemaMessage(fields);
  const metaSize = pad8(meta.byteLength + 8);
  const bodyStart = schema.byteLength + metaSize;
  const out = Buffer.alloc(bodyStart + bodyLength + EOS_BYTES);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(schema, 0);
  view.setUint32(schema.byteLength, CONTINUATION, true);
  view.setInt32(schema.byteLength + 4, metaSize - 8, true);
  out.set(meta, schema.byteLength + 8);
  let region = 0;
  for (const { field, values, check } of columns) {
    const validity = regions[region++] as BufferRegion;
    if (check.nullCount > 0) {
      const at = bodyStart + validity.offset;
      for (let r = 0; r < n; r++)
        if (values[r] !== null) out[at + (r >> 3)] = (out[at + (r >> 3)] as number) | (1 << (r & 7));
    }
    const first = bodyStart + (regions[region++] as BufferRegion).offset;
    if (field.type === 'utf8') {
      const data = bodyStart + (regions[region++] as BufferRegion).offset;
      let written = 0;
      for (let r = 0; r < n; r++) {
        const v = values[r];
        if (typeof v === 'string' && v !== '') written += out.write(v, data + written, 'utf8');
        view.setInt32(first + 4 * (r + 1), written, true);
      }
      continue;
    }
    writeValues(field.type, values, out, view, first);
  }
  view.setUint32(bodyStart + bodyLength, CONTINUATION, true);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The values of a fixed-width column (checked), nulls left as zeros. */
function writeValues(
  type: WireField['type'],
  values: readonly WireValue[],
  out: Buffer,
  view: DataView,
  at: number,
): void {
  const n = values.length;
  for (let r = 0; r < n; r++) {
    const v = values[r] ?? null;
    if (v === null) continue;
    switch (type) {
      case 'bool':
        if (v === true) out[at + (r >> 3)] = (out[at + (r >> 3)] as number) | (1 << (r & 7));
        break;
      case 'int32':
        view.setInt32(at + 4 * r, v as number, true);
        break;
      case 'float64':
        view.setFloat64(at + 8 * r, v as number, true);
        break;
      case 'uint64':
        view.setBigUint64(at + 8 * r, bigIntOf(v), true);
        break;
      default:
        view.setBigInt64(at + 8 * r, bigIntOf(v), true);
    }
  }
}
