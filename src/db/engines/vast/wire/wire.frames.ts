import { decodeFlatMessages } from './wire.decode.ts';
import { WireFormatError } from './wire.errors.ts';
import { CONTINUATION, concatBytes, type MessageKind, readMetaAt, readPrefix } from './wire.ipc.ts';
import { type DecodedColumns, decodeWithArrow } from './wire.rows.ts';
import { type DecodedField, decodeSchemaMetadata, isWireField } from './wire.schema.ts';
import type { WireField, WireRow, WireValue } from './wire.types.ts';

/**
 * The QueryData response (SDK `_iter_query_data_response_columns`, `parse_query_data_response`):
 * frames of `u32 LE stream_id`, then (except for the three marker ids) `u64 LE next_row_id` and
 * exactly one encapsulated Arrow IPC message. Per stream id the messages make a sequence of
 * per-column IPC streams (schema, batches, EOS); once every column of the response schema has
 * arrived, in order, they make one batch of rows, and a new cycle may begin on that stream id.
 *
 * As tolerant as VAST's own clients, and no more: the body may end without the completion frame
 * once no column stream or batch is left open (the SDK stops at the end of the stream there); a
 * timestamp column may come as a Timestamp of another unit or zone, and its 64-bit values are
 * then read as the unit asked for, as both the SDK (`pa.Array.from_buffers` with the requested
 * type) and the Java client (`BaseQueryDataResponseParser` skips the check for timestamps and
 * loads the buffers into the requested vectors) read them. Any other type than asked is refused.
 */

export const KEEP_ALIVE_STREAM_ID = 0xffffffff;
export const COMPLETED_STREAM_ID = 0xfffffffe;
export const FAILED_STREAM_ID = 0xfffffffd;
/** The `next_row_id` that says a sub-split is finished (`TABULAR_INVALID_ROW_ID`, (1<<48)-1). */
export const ROW_ID_DONE = 0xffffffffffffn;
const FRAME_HEADER = 12;

export interface QueryBatch {
  /** The sub-split the batch came from. */
  readonly streamId: number;
  /** The cursor to resume this sub-split from (`tabular-start-row-id-{id}`); ROW_ID_DONE when done. */
  readonly nextRowId: bigint;
  readonly numRows: number;
  readonly fields: readonly WireField[];
  /** Values per field, in `fields` order (no columns at all for an empty projection). */
  readonly columns: readonly (readonly WireValue[])[];
}

/** The rows of a batch as objects keyed by field name. */
export function batchRows(batch: QueryBatch): WireRow[] {
  const rows: WireRow[] = new Array(batch.numRows);
  for (let r = 0; r < batch.numRows; r++) {
    const row: WireRow = {};
    batch.fields.forEach((f, c) => {
      row[f.name] = (batch.columns[c] as readonly WireValue[])[r] ?? null;
    });
    rows[r] = row;
  }
  return rows;
}

/** What followed the failure marker: VAST's error code and the length it announced. */
export interface QueryFailure {
  /** `u64 LE` error code; undefined when the body ended before it. */
  readonly code?: bigint;
  /** `u32 LE` length after the code (VAST's clients expect 0 and read no message). */
  readonly length?: number;
  /** The first bytes announced by a non-zero length, as text, when they came in the same chunk. */
  readonly message?: string;
}

/**
 * The server ended the response with the failure frame (SDK `QueryDataInternalError`): the
 * marker, then (vastdb 2.1, the Java client) a `u64` error code and a `u32` length.
 */
export class QueryDataFailedError extends Error {
  override readonly name = 'QueryDataFailedError';
  constructor(
    /** Batches completed in the same `push` before the failure frame (already in `cursors`). */
    readonly batches: readonly QueryBatch[],
    readonly failure: QueryFailure = {},
  ) {
    const code = failure.code === undefined ? '' : ` (error code ${failure.code})`;
    const more = failure.message ? `: ${failure.message}` : '';
    super(`VAST reported a server-side failure in the QueryData response${code}${more}`);
  }
}

/** The failure frame's fields after the marker at `at`, as far as `buf` holds them. */
function readFailure(buf: Uint8Array, view: DataView, at: number): QueryFailure {
  const end = buf.byteLength;
  if (end - at < 8) return {};
  const code = view.getBigUint64(at, true);
  if (end - at < 12) return { code };
  const length = view.getUint32(at + 8, true);
  if (length === 0) return { code, length };
  const shown = buf.subarray(at + 12, Math.min(end, at + 12 + Math.min(length, 1024)));
  return {
    code,
    length,
    message: Buffer.from(shown)
      .toString('utf8')
      .replace(/[^\x20-\x7e]/g, '?'),
  };
}

/** The body is not a well-formed response, or stopped before its end. */
export class QueryResponseError extends WireFormatError {
  override readonly name = 'QueryResponseError';
}

interface StreamState {
  /** Messages of the column stream being received (schema first); empty between column streams. */
  messages: Uint8Array[];
  /** A column stream of the current batch has ended (even one with no column, as the SDK counts). */
  begun: boolean;
  fields: WireField[];
  columns: WireValue[][];
  numRows: number;
}

/**
 * A column stream's messages (schema, batches, EOS, as their frames carried them) decoded into
 * columns: the record batches read directly (wire.decode.ts), or, for what that path does not
 * read, apache-arrow's reader on the messages joined.
 */
function decodeColumnStream(
  messages: readonly Uint8Array[],
  asked: (i: number) => WireField | undefined,
): DecodedColumns {
  const schema = messages[0] as Uint8Array;
  const view = new DataView(schema.buffer, schema.byteOffset, schema.byteLength);
  const prefix = readPrefix(view, 0, schema.byteLength);
  if (!prefix || prefix.metadataLength === 0) throw new WireFormatError('no schema message');
  const start = prefix.prefixLength;
  if (start + prefix.metadataLength > schema.byteLength)
    throw new WireFormatError('schema message cut short');
  const fields = decodeSchemaMetadata(schema.subarray(start, start + prefix.metadataLength)).map((f, i) =>
    asAsked(f, asked(i)),
  );
  const flat = decodeFlatMessages(messages.slice(1), fields);
  if (flat !== null)
    return { fields: fields as DecodedField[], columns: flat.columns, numRows: flat.numRows };
  return decodeWithArrow(concatBytes(messages), [...fields]);
}

/**
 * A Timestamp of another unit or zone where a timestamp was asked: read as the asked one (the
 * module's comment says why). Anything else stays as it came, for the type check to judge.
 */
function asAsked(got: DecodedField, want: WireField | undefined): DecodedField {
  // decodeField names every Arrow Timestamp it does not map to a wire type `Timestamp(UNIT[, zone])`.
  if (want?.type !== 'timestamp_us' || isWireField(got) || !got.arrowType.startsWith('Timestamp('))
    return got;
  return { name: got.name, type: 'timestamp_us', nullable: got.nullable };
}

/**
 * A push parser of the QueryData response: feed it the body in chunks of any size and it returns
 * the batches each chunk completes. It holds at most one frame of unparsed bytes plus, per
 * stream id, the column stream being received and the decoded columns of the current cycle.
 * Frames are read in place from the chunks; only a frame that straddles chunks is copied, once,
 * when its last byte has arrived.
 *
 * With `expectedFields` (the request's projection, in order) a cycle ends when that many columns
 * have arrived and each must have the expected type; the batch carries the expected names, as the
 * SDK's parser matches columns by position. `[]` is an empty projection (a count): each batch then
 * has rows and no columns. Without `expectedFields`, each column stream is a batch by itself.
 */
export class QueryResponseParser {
  /** Bytes of an incomplete frame (chunk tails), and the frame's length once known (else 0). */
  private tail: Uint8Array[] = [];
  private tailBytes = 0;
  private need = 0;
  private readonly streams = new Map<number, StreamState>();
  private readonly cursorMap = new Map<number, bigint>();
  private state: 'frames' | 'completed' | 'failed' = 'frames';

  constructor(private readonly expectedFields?: readonly WireField[]) {}

  /** The latest `next_row_id` per stream id, as of the last batch returned for it. */
  get cursors(): ReadonlyMap<number, bigint> {
    return this.cursorMap;
  }

  /** Bytes received and not yet parsed into a frame (at most one frame's worth, plus a chunk). */
  get buffered(): number {
    return this.tailBytes;
  }

  get completed(): boolean {
    return this.state === 'completed';
  }

  push(chunk: Uint8Array): QueryBatch[] {
    const out: QueryBatch[] = [];
    if (this.state === 'completed') return out; // the SDK reads and ignores what follows
    if (this.state === 'failed') throw new QueryResponseError('push after a failure frame');
    if (chunk.byteLength === 0) return out;
    let buf = chunk;
    if (this.tailBytes > 0) {
      this.tail.push(chunk);
      this.tailBytes += chunk.byteLength;
      // A long frame arrives over many chunks: joined once, when whole.
      if (this.tailBytes < this.need) return out;
      buf = concatBytes(this.tail);
      this.tail = [];
      this.tailBytes = 0;
    }
    this.need = 0;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const end = buf.byteLength;
    let at = 0;
    while (end - at >= 4) {
      const streamId = view.getUint32(at, true);
      if (streamId === KEEP_ALIVE_STREAM_ID) {
        at += 4;
        continue;
      }
      if (streamId === COMPLETED_STREAM_ID) {
        this.state = 'completed';
        return out;
      }
      if (streamId === FAILED_STREAM_ID) {
        this.state = 'failed';
        throw new QueryDataFailedError(out, readFailure(buf, view, at + 4));
      }
      const frame = this.measure(view, at, end);
      if (frame === null || at + frame.total > end) {
        this.need = frame?.total ?? 0;
        break;
      }
      const nextRowId = view.getBigUint64(at + 4, true);
      const message = buf.subarray(at + FRAME_HEADER, at + frame.total);
      at += frame.total;
      const batch = this.onMessage(streamId, frame.kind, nextRowId, message);
      if (batch) {
        this.cursorMap.set(batch.streamId, batch.nextRowId);
        out.push(batch);
      }
    }
    if (at < end) {
      this.tail = [buf.subarray(at)];
      this.tailBytes = end - at;
    }
    return out;
  }

  /**
   * Call at the end of the body: throws unless every column stream and batch begun was finished.
   * The completion frame may be missing (the SDK accepts the end of the stream in its place):
   * the caller's cursors, which only complete batches move, say whether the sub-splits are done.
   */
  end(): QueryBatch[] {
    if (this.state === 'failed') throw new QueryResponseError('end after a failure frame');
    if (this.tailBytes > 0) throw new QueryResponseError('body ended inside a frame');
    const completed = this.state === 'completed';
    const ended = completed ? 'response completed' : 'body ended';
    for (const [id, s] of this.streams) {
      // After the completion frame the SDK drops a column stream left open before any column of
      // its batch ended (its rows never count, so no cursor moved past them); at the end of the
      // body it refuses it, as it refuses a batch left incomplete either way.
      if (s.begun || s.columns.length > 0)
        throw new QueryResponseError(`${ended} with stream ${id} in the middle of a batch`);
      if (!completed && s.messages.length > 0)
        throw new QueryResponseError(`${ended} inside a column stream of stream ${id}`);
    }
    return [];
  }

  /** The length and kind of the frame at `at`, once its prefix and metadata are there (else null). */
  private measure(view: DataView, at: number, end: number): { total: number; kind: MessageKind } | null {
    const available = end - at;
    if (available < FRAME_HEADER + 4) return null;
    let prefix = 4;
    let metaLength = view.getUint32(at + FRAME_HEADER, true);
    if (metaLength === CONTINUATION) {
      if (available < FRAME_HEADER + 8) return null;
      prefix = 8;
      metaLength = view.getUint32(at + FRAME_HEADER + 4, true);
    }
    if (metaLength > 0x7fffffff) throw new QueryResponseError(`bad IPC message length ${metaLength}`);
    if (metaLength === 0) return { total: FRAME_HEADER + prefix, kind: 'eos' };
    const metaStart = at + FRAME_HEADER + prefix;
    if (available < FRAME_HEADER + prefix + metaLength) return null;
    const meta = readMetaAt(view, metaStart, metaStart + metaLength);
    return { total: FRAME_HEADER + prefix + metaLength + meta.bodyLength, kind: meta.kind };
  }

  private onMessage(
    streamId: number,
    kind: MessageKind,
    nextRowId: bigint,
    message: Uint8Array,
  ): QueryBatch | null {
    let s = this.streams.get(streamId);
    if (!s) {
      s = { messages: [], begun: false, fields: [], columns: [], numRows: 0 };
      this.streams.set(streamId, s);
    }
    if (s.messages.length === 0) {
      if (kind !== 'schema')
        throw new QueryResponseError(`stream ${streamId}: a column stream must start with a schema`);
      s.messages.push(message);
      return null;
    }
    if (kind === 'schema' || kind === 'dictionary' || kind === 'other') {
      throw new QueryResponseError(`stream ${streamId}: unexpected ${kind} message inside a column stream`);
    }
    s.messages.push(message);
    if (kind !== 'eos') return null;
    const messages = s.messages;
    s.messages = [];
    const first = s.columns.length;
    const decoded = decodeColumnStream(messages, (i) => this.expectedFields?.[first + i]);
    return this.onColumnStream(streamId, s, nextRowId, decoded);
  }

  private onColumnStream(
    streamId: number,
    s: StreamState,
    nextRowId: bigint,
    decoded: DecodedColumns,
  ): QueryBatch | null {
    const expected = this.expectedFields;
    if (s.columns.length === 0) s.numRows = decoded.numRows;
    else if (decoded.numRows !== s.numRows) {
      throw new QueryResponseError(`stream ${streamId}: columns of one batch differ in length`);
    }
    for (let i = 0; i < decoded.fields.length; i++) {
      const got = decoded.fields[i] as DecodedField;
      const position = s.columns.length;
      const want = expected ? expected[position] : got;
      if (!want)
        throw new QueryResponseError(`stream ${streamId}: more columns than the ${expected?.length} asked`);
      const values = decoded.columns[i];
      if (!isWireField(got) || !isWireField(want) || got.type !== want.type || !values) {
        const gotType = isWireField(got) ? got.type : got.arrowType;
        throw new QueryResponseError(
          `stream ${streamId}: column ${position} (${want.name}) came as ${gotType}`,
        );
      }
      s.fields.push(want);
      s.columns.push(values);
    }
    if (expected && s.columns.length < expected.length) {
      s.begun = true;
      return null;
    }
    const batch: QueryBatch = {
      streamId,
      nextRowId,
      numRows: s.numRows,
      fields: s.fields,
      columns: s.columns,
    };
    s.begun = false;
    s.fields = [];
    s.columns = [];
    s.numRows = 0;
    return batch;
  }
}
