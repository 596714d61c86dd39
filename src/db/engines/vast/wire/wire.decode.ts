import { FieldNode } from 'apache-arrow/fb/field-node';
import { Message as FbMessage } from 'apache-arrow/fb/message';
import { MessageHeader } from 'apache-arrow/fb/message-header';
import { RecordBatch as FbRecordBatch } from 'apache-arrow/fb/record-batch';
import { ByteBuffer } from 'flatbuffers';
import { WireFormatError } from './wire.errors.ts';
import { readPrefix } from './wire.ipc.ts';
import type { DecodedField } from './wire.schema.ts';
import type { WireField, WireType, WireValue } from './wire.types.ts';

/** Decoded columns of an IPC stream (see wire.rows.ts `decodeColumns`). */
export interface FlatColumns {
  readonly columns: WireValue[][];
  readonly numRows: number;
}

// Fatal, as the general path decodes (wire.values.ts): bad UTF-8 is an error, never U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Buffers per column in a record batch: validity, then offsets and data (utf8) or values. */
function bufferCount(type: WireType): number {
  return type === 'utf8' ? 3 : 2;
}

/**
 * Decodes the record batches of an IPC stream whose fields all have wire types (flat columns:
 * one field node and 2-3 buffers each) by reading the `RecordBatch` flatbuffers and the buffers
 * directly. Answers null where it does not apply (a foreign field, a dictionary batch, a
 * compressed body), for the general path (apache-arrow's reader) to take over.
 *
 * Why: VAST answers a query with one IPC stream per column, and apache-arrow's `tableFromIPC`
 * costs tens of microseconds to set up per stream, which for answers of a few rows was most of
 * the server's CPU per VAST round trip (BENCHMARKS.md, "VAST engine on the fake").
 */
export function decodeFlatColumns(
  body: Uint8Array,
  fields: readonly DecodedField[],
  schemaEnd: number,
): FlatColumns | null {
  if (fields.some((f) => f.type === 'foreign')) return null;
  const wire = fields as readonly WireField[];
  const columns: WireValue[][] = wire.map(() => []);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let numRows = 0;
  let offset = schemaEnd;
  while (offset < body.byteLength) {
    const prefix = readPrefix(view, offset, body.byteLength - offset);
    if (!prefix) throw new WireFormatError('IPC stream ends inside a message prefix');
    offset += prefix.prefixLength;
    if (prefix.metadataLength === 0) break;
    const metaEnd = offset + prefix.metadataLength;
    if (metaEnd > body.byteLength) throw new WireFormatError('IPC stream ends inside message metadata');
    let message: FbMessage;
    let batch: FbRecordBatch | null;
    let bodyLength: number;
    try {
      message = FbMessage.getRootAsMessage(new ByteBuffer(body.subarray(offset, metaEnd)));
      bodyLength = Number(message.bodyLength());
      const kind = message.headerType();
      if (kind === MessageHeader.DictionaryBatch) return null;
      if (kind !== MessageHeader.RecordBatch) throw new WireFormatError(`unexpected IPC message ${kind}`);
      batch = message.header(new FbRecordBatch()) as FbRecordBatch | null;
    } catch (cause) {
      if (cause instanceof WireFormatError) throw cause;
      throw new WireFormatError('unreadable IPC message metadata', { cause });
    }
    if (batch === null || batch.compression() !== null) return null;
    const start = metaEnd;
    const end = start + bodyLength;
    if (!Number.isSafeInteger(bodyLength) || bodyLength < 0 || end > body.byteLength) {
      throw new WireFormatError('IPC stream ends inside a message body');
    }
    const rows = Number(batch.length());
    if (batch.nodesLength() !== wire.length)
      throw new WireFormatError('record batch does not match its schema');
    const expected = wire.reduce((n, f) => n + bufferCount(f.type), 0);
    if (batch.buffersLength() !== expected)
      throw new WireFormatError('record batch does not match its schema');
    let b = 0;
    const node = new FieldNode();
    for (const [i, f] of wire.entries()) {
      batch.nodes(i, node);
      if (Number(node.length()) !== rows)
        throw new WireFormatError(`column ${f.name}: length differs from the batch's`);
      const buffer = (k: number) => {
        const ref = batch.buffers(b + k);
        const at = Number(ref?.offset() ?? 0n);
        const len = Number(ref?.length() ?? 0n);
        if (at < 0 || len < 0 || at + len > bodyLength)
          throw new WireFormatError(`column ${f.name}: buffer out of range`);
        return { at: start + at, len };
      };
      const validity = Number(node.nullCount()) === 0 ? null : buffer(0);
      readColumn(
        f,
        rows,
        view,
        body,
        validity,
        buffer(1),
        f.type === 'utf8' ? buffer(2) : null,
        columns[i] as WireValue[],
      );
      b += bufferCount(f.type);
    }
    numRows += rows;
    offset = end;
  }
  return { columns, numRows };
}

type Span = { at: number; len: number };

function readColumn(
  f: WireField,
  rows: number,
  view: DataView,
  body: Uint8Array,
  validity: Span | null,
  values: Span,
  data: Span | null,
  out: WireValue[],
): void {
  const valid = (r: number) =>
    validity === null ||
    validity.len === 0 ||
    ((body[validity.at + (r >> 3)] as number) & (1 << (r & 7))) !== 0;
  if (validity !== null && validity.len > 0 && validity.len * 8 < rows) {
    throw new WireFormatError(`column ${f.name}: validity bitmap too short`);
  }
  const width = f.type === 'utf8' || f.type === 'int32' ? 4 : f.type === 'bool' ? 0 : 8;
  const need = f.type === 'utf8' ? 4 * (rows + 1) : f.type === 'bool' ? Math.ceil(rows / 8) : width * rows;
  if (values.len < need) throw new WireFormatError(`column ${f.name}: values buffer too short`);
  const v = values.at;
  for (let r = 0; r < rows; r++) {
    if (!valid(r)) {
      out.push(null);
      continue;
    }
    switch (f.type) {
      case 'utf8': {
        const d = data as Span;
        const from = view.getInt32(v + 4 * r, true);
        const to = view.getInt32(v + 4 * r + 4, true);
        if (from < 0 || to < from || to > d.len)
          throw new WireFormatError(`column ${f.name}: bad string offsets`);
        try {
          out.push(utf8.decode(body.subarray(d.at + from, d.at + to)));
        } catch (cause) {
          throw new WireFormatError(`column ${f.name}: invalid UTF-8`, { cause });
        }
        break;
      }
      case 'bool':
        out.push(((body[v + (r >> 3)] as number) & (1 << (r & 7))) !== 0);
        break;
      case 'int32':
        out.push(view.getInt32(v + 4 * r, true));
        break;
      case 'float64':
        out.push(view.getFloat64(v + 8 * r, true));
        break;
      case 'uint64':
        out.push(view.getBigUint64(v + 8 * r, true));
        break;
      default:
        // int64 and timestamp_us: signed 64-bit.
        out.push(view.getBigInt64(v + 8 * r, true));
    }
  }
}
