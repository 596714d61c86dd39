import { isAscii } from 'node:buffer';
import {
  HEADER_DICTIONARY_BATCH,
  HEADER_RECORD_BATCH,
  RecordBatchInfo,
  readMessage,
} from './wire.arrowfb.ts';
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

/** What `decodeMessage` found: the offset after a record batch, the end of the stream, or a
 * message the direct path does not read (for the general path). */
const EOS = -1;
const FALL_BACK = -2;

/**
 * Decodes the record batches of an IPC stream whose fields all have wire types (flat columns:
 * one field node and 2-3 buffers each) by reading the `RecordBatch` flatbuffers
 * (wire.arrowfb.ts) and the buffers directly. Answers null where it does not apply (a foreign
 * field, a dictionary batch, a compressed body), for the general path (apache-arrow's reader) to
 * take over.
 *
 * Why: VAST answers a query with one IPC stream per column, and apache-arrow's `tableFromIPC`
 * costs tens of microseconds to set up per stream, which for answers of a few rows was most of
 * the server's CPU per VAST round trip (docs/benchmarks-history.md, "VAST engine on the fake").
 */
export function decodeFlatColumns(
  body: Uint8Array,
  fields: readonly DecodedField[],
  schemaEnd: number,
): FlatColumns | null {
  const decoder = FlatDecoder.of(fields);
  if (decoder === null) return null;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let offset = schemaEnd;
  while (offset < body.byteLength) {
    const next = decoder.decodeMessage(body, view, offset);
    if (next === EOS) break;
    if (next === FALL_BACK) return null;
    offset = next;
  }
  return decoder.result();
}

/**
 * The same from the stream's messages one by one (each an encapsulated message: prefix,
 * metadata, body), the schema message left out: the QueryData parser hands over the messages of
 * a column stream as its frames carried them, without joining them.
 */
export function decodeFlatMessages(
  messages: readonly Uint8Array[],
  fields: readonly DecodedField[],
): FlatColumns | null {
  const decoder = FlatDecoder.of(fields);
  if (decoder === null) return null;
  for (const m of messages) {
    const next = decoder.decodeMessage(m, new DataView(m.buffer, m.byteOffset, m.byteLength), 0);
    if (next === EOS) break;
    if (next === FALL_BACK) return null;
  }
  return decoder.result();
}

class FlatDecoder {
  private readonly columns: WireValue[][];
  private numRows = 0;
  private readonly buffers: number;

  private constructor(private readonly wire: readonly WireField[]) {
    this.columns = wire.map(() => []);
    this.buffers = wire.reduce((n, f) => n + bufferCount(f.type), 0);
  }

  static of(fields: readonly DecodedField[]): FlatDecoder | null {
    for (const f of fields) if (f.type === 'foreign') return null;
    return new FlatDecoder(fields as readonly WireField[]);
  }

  result(): FlatColumns {
    return { columns: this.columns, numRows: this.numRows };
  }

  /** Decodes the message at `offset` of `body`: the offset after it, EOS, or FALL_BACK. */
  decodeMessage(body: Uint8Array, view: DataView, offset: number): number {
    const prefix = readPrefix(view, offset, body.byteLength - offset);
    if (!prefix) throw new WireFormatError('IPC stream ends inside a message prefix');
    offset += prefix.prefixLength;
    if (prefix.metadataLength === 0) return EOS;
    const metaEnd = offset + prefix.metadataLength;
    if (metaEnd > body.byteLength) throw new WireFormatError('IPC stream ends inside message metadata');
    const message = readMessage(view, offset, metaEnd);
    if (message.headerType === HEADER_DICTIONARY_BATCH) return FALL_BACK;
    if (message.headerType !== HEADER_RECORD_BATCH)
      throw new WireFormatError(`unexpected IPC message ${message.headerType}`);
    if (message.header === 0) return FALL_BACK;
    const batch = new RecordBatchInfo(view, offset, metaEnd, message.header);
    if (batch.compressed) return FALL_BACK;
    const bodyLength = message.bodyLength;
    const start = metaEnd;
    const end = start + bodyLength;
    if (!(bodyLength >= 0 && end <= body.byteLength)) {
      throw new WireFormatError('IPC stream ends inside a message body');
    }
    const rows = batch.length;
    const wire = this.wire;
    if (batch.nodeCount !== wire.length) throw new WireFormatError('record batch does not match its schema');
    if (batch.bufferCount !== this.buffers)
      throw new WireFormatError('record batch does not match its schema');
    let b = 0;
    for (let i = 0; i < wire.length; i++) {
      const f = wire[i] as WireField;
      if (batch.nodeLength(i) !== rows)
        throw new WireFormatError(`column ${f.name}: length differs from the batch's`);
      const validity = batch.nodeNullCount(i) === 0 ? null : span(batch, b, start, bodyLength, f);
      const values = span(batch, b + 1, start, bodyLength, f);
      const data = f.type === 'utf8' ? span(batch, b + 2, start, bodyLength, f) : null;
      readColumn(f, rows, view, body, validity, values, data, this.columns[i] as WireValue[]);
      b += bufferCount(f.type);
    }
    this.numRows += rows;
    return end;
  }
}

interface Span {
  readonly at: number;
  readonly len: number;
}

/** Buffer `k` of the batch, as a span of `body` (checked to lie inside the message's body). */
function span(batch: RecordBatchInfo, k: number, start: number, bodyLength: number, f: WireField): Span {
  const at = batch.bufferOffset(k);
  const len = batch.bufferLength(k);
  if (!(at >= 0 && len >= 0 && at + len <= bodyLength))
    throw new WireFormatError(`column ${f.name}: buffer out of range`);
  return { at: start + at, len };
}

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
  // A validity buffer of no bytes means no nulls, as a null count of 0 does.
  const bits = validity === null || validity.len === 0 ? -1 : validity.at;
  if (bits >= 0 && (validity as Span).len * 8 < rows) {
    throw new WireFormatError(`column ${f.name}: validity bitmap too short`);
  }
  const type = f.type;
  const width = type === 'utf8' || type === 'int32' ? 4 : type === 'bool' ? 0 : 8;
  const need = type === 'utf8' ? 4 * (rows + 1) : type === 'bool' ? Math.ceil(rows / 8) : width * rows;
  if (values.len < need) throw new WireFormatError(`column ${f.name}: values buffer too short`);
  const v = values.at;
  if (type === 'utf8') {
    readStrings(f, rows, view, body, bits, v, data as Span, out);
    return;
  }
  for (let r = 0; r < rows; r++) {
    if (bits >= 0 && ((body[bits + (r >> 3)] as number) & (1 << (r & 7))) === 0) {
      out.push(null);
      continue;
    }
    switch (type) {
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

/**
 * The strings of a utf8 column. When its data buffer is all ASCII (ids, paths, JSON of plain
 * text: the usual case), it is turned into one string at once and each value is a substring of
 * it, instead of a TextDecoder call per value; otherwise each value is decoded, and checked, alone.
 */
function readStrings(
  f: WireField,
  rows: number,
  view: DataView,
  body: Uint8Array,
  bits: number,
  v: number,
  d: Span,
  out: WireValue[],
): void {
  const bytes = body.subarray(d.at, d.at + d.len);
  const ascii = isAscii(bytes)
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
    : null;
  for (let r = 0; r < rows; r++) {
    if (bits >= 0 && ((body[bits + (r >> 3)] as number) & (1 << (r & 7))) === 0) {
      out.push(null);
      continue;
    }
    const from = view.getInt32(v + 4 * r, true);
    const to = view.getInt32(v + 4 * r + 4, true);
    if (from < 0 || to < from || to > d.len)
      throw new WireFormatError(`column ${f.name}: bad string offsets`);
    if (ascii !== null) {
      out.push(ascii.substring(from, to));
      continue;
    }
    try {
      out.push(utf8.decode(bytes.subarray(from, to)));
    } catch (cause) {
      throw new WireFormatError(`column ${f.name}: invalid UTF-8`, { cause });
    }
  }
}
