import { ChunkQueue } from './wire.chunks.ts';
import { WireFormatError } from './wire.errors.ts';
import { CONTINUATION, concatBytes, type MessageKind, readMeta } from './wire.ipc.ts';
import { decodeColumns } from './wire.rows.ts';
import { isWireField } from './wire.schema.ts';
import type { WireField, WireRow, WireValue } from './wire.types.ts';

/**
 * The QueryData response (SDK `_iter_query_data_response_columns`, `parse_query_data_response`):
 * frames of `u32 LE stream_id`, then (except for the three marker ids) `u64 LE next_row_id` and
 * exactly one encapsulated Arrow IPC message. Per stream id the messages make a sequence of
 * per-column IPC streams (schema, batches, EOS); once every column of the response schema has
 * arrived, in order, they make one batch of rows, and a new cycle may begin on that stream id.
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

/** The server ended the response with the failure frame (SDK `QueryDataInternalError`). */
export class QueryDataFailedError extends Error {
  override readonly name = 'QueryDataFailedError';
  constructor(
    /** Batches completed in the same `push` before the failure frame (already in `cursors`). */
    readonly batches: readonly QueryBatch[],
  ) {
    super('VAST reported a server-side failure in the QueryData response');
  }
}

/** The body is not a well-formed response, or stopped before its end. */
export class QueryResponseError extends WireFormatError {
  override readonly name = 'QueryResponseError';
}

interface StreamState {
  /** Messages of the column stream being received (schema first); empty between column streams. */
  messages: Uint8Array[];
  fields: WireField[];
  columns: WireValue[][];
  numRows: number;
}

interface PendingFrame {
  streamId: number;
  total: number;
  kind: MessageKind;
}

/**
 * A push parser of the QueryData response: feed it the body in chunks of any size and it returns
 * the batches each chunk completes. It holds at most one frame of unparsed bytes plus, per
 * stream id, the column stream being received and the decoded columns of the current cycle.
 *
 * With `expectedFields` (the request's projection, in order) a cycle ends when that many columns
 * have arrived and each must have the expected type; the batch carries the expected names, as the
 * SDK's parser matches columns by position. `[]` is an empty projection (a count): each batch then
 * has rows and no columns. Without `expectedFields`, each column stream is a batch by itself.
 */
export class QueryResponseParser {
  private readonly input = new ChunkQueue();
  private readonly streams = new Map<number, StreamState>();
  private readonly cursorMap = new Map<number, bigint>();
  private pending: PendingFrame | null = null;
  private state: 'frames' | 'completed' | 'failed' = 'frames';

  constructor(private readonly expectedFields?: readonly WireField[]) {}

  /** The latest `next_row_id` per stream id, as of the last batch returned for it. */
  get cursors(): ReadonlyMap<number, bigint> {
    return this.cursorMap;
  }

  /** Bytes received and not yet parsed into a frame (at most one frame's worth, plus a chunk). */
  get buffered(): number {
    return this.input.available;
  }

  get completed(): boolean {
    return this.state === 'completed';
  }

  push(chunk: Uint8Array): QueryBatch[] {
    const out: QueryBatch[] = [];
    if (this.state === 'completed') return out; // the SDK reads and ignores what follows
    if (this.state === 'failed') throw new QueryResponseError('push after a failure frame');
    this.input.push(chunk);
    for (;;) {
      const frame = this.nextFrame(out);
      if (!frame) return out;
      const batch = this.onMessage(frame.streamId, frame.kind, frame.nextRowId, frame.message);
      if (batch) {
        this.cursorMap.set(batch.streamId, batch.nextRowId);
        out.push(batch);
      }
    }
  }

  /** Call at the end of the body: throws unless the response completed with no cycle left open. */
  end(): QueryBatch[] {
    if (this.state === 'frames') {
      if (this.input.available > 0 || this.pending) throw new QueryResponseError('body ended inside a frame');
      throw new QueryResponseError('body ended without the completion frame');
    }
    for (const [id, s] of this.streams) {
      if (s.messages.length > 0 || s.columns.length > 0) {
        throw new QueryResponseError(`response completed with stream ${id} in the middle of a batch`);
      }
    }
    return [];
  }

  private nextFrame(
    done: QueryBatch[],
  ): { streamId: number; kind: MessageKind; nextRowId: bigint; message: Uint8Array } | null {
    for (;;) {
      if (!this.pending) {
        if (this.input.available < 4) return null;
        const streamId = this.input.u32(0);
        if (streamId === KEEP_ALIVE_STREAM_ID) {
          this.input.skip(4);
          continue;
        }
        if (streamId === COMPLETED_STREAM_ID) {
          this.state = 'completed';
          this.input.clear();
          return null;
        }
        if (streamId === FAILED_STREAM_ID) {
          this.state = 'failed';
          this.input.clear();
          throw new QueryDataFailedError(done);
        }
        const pending = this.measure(streamId);
        if (!pending) return null;
        this.pending = pending;
      }
      if (this.input.available < this.pending.total) return null;
      const { streamId, total, kind } = this.pending;
      this.pending = null;
      const nextRowId = this.input.u64(4);
      const frame = this.input.take(total);
      return { streamId, kind, nextRowId, message: frame.subarray(FRAME_HEADER) };
    }
  }

  /** The frame's total length, once its prefix and metadata are queued (null until then). */
  private measure(streamId: number): PendingFrame | null {
    const q = this.input;
    if (q.available < FRAME_HEADER + 4) return null;
    let prefix = 4;
    let metaLength = q.u32(FRAME_HEADER);
    if (metaLength === CONTINUATION) {
      if (q.available < FRAME_HEADER + 8) return null;
      prefix = 8;
      metaLength = q.u32(FRAME_HEADER + 4);
    }
    if (metaLength > 0x7fffffff) throw new QueryResponseError(`bad IPC message length ${metaLength}`);
    if (metaLength === 0) return { streamId, total: FRAME_HEADER + prefix, kind: 'eos' };
    if (q.available < FRAME_HEADER + prefix + metaLength) return null;
    const meta = readMeta(q.peek(FRAME_HEADER + prefix, metaLength));
    return { streamId, total: FRAME_HEADER + prefix + metaLength + meta.bodyLength, kind: meta.kind };
  }

  private onMessage(
    streamId: number,
    kind: MessageKind,
    nextRowId: bigint,
    message: Uint8Array,
  ): QueryBatch | null {
    let s = this.streams.get(streamId);
    if (!s) {
      s = { messages: [], fields: [], columns: [], numRows: 0 };
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
    const bytes = concatBytes(s.messages);
    s.messages = [];
    return this.onColumnStream(streamId, s, nextRowId, bytes);
  }

  private onColumnStream(
    streamId: number,
    s: StreamState,
    nextRowId: bigint,
    bytes: Uint8Array,
  ): QueryBatch | null {
    const decoded = decodeColumns(bytes);
    const expected = this.expectedFields;
    if (s.columns.length === 0) s.numRows = decoded.numRows;
    else if (decoded.numRows !== s.numRows) {
      throw new QueryResponseError(`stream ${streamId}: columns of one batch differ in length`);
    }
    decoded.fields.forEach((got, i) => {
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
    });
    if (expected && s.columns.length < expected.length) return null;
    const batch: QueryBatch = {
      streamId,
      nextRowId,
      numRows: s.numRows,
      fields: s.fields,
      columns: s.columns,
    };
    s.fields = [];
    s.columns = [];
    s.numRows = 0;
    return batch;
  }
}
