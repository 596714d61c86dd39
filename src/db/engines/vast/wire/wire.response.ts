import { makeData, RecordBatch, RecordBatchStreamWriter, type Schema, Struct } from 'apache-arrow';
import { COMPLETED_STREAM_ID, FAILED_STREAM_ID, KEEP_ALIVE_STREAM_ID } from './wire.frames.ts';
import { concatBytes, splitMessages } from './wire.ipc.ts';
import { toArrowSchema } from './wire.schema.ts';
import type { WireField, WireRow } from './wire.types.ts';
import { buildColumn } from './wire.values.ts';

/**
 * The fake server's side of the QueryData response: rows -> frames, laid out as VAST sends them
 * (as far as the SDK's parser tells): per stream id and per batch, one IPC stream per column
 * (schema, record batch(es), EOS), each message in its own frame carrying the batch's
 * `next_row_id`; then the completion frame (or the failure frame).
 */

export interface ResponseBatch {
  /** The rows, or for an empty projection (a count) just how many. */
  readonly rows: readonly WireRow[] | number;
  /** The cursor the client resumes from; ROW_ID_DONE (from wire.frames) on the sub-split's last batch. */
  readonly nextRowId: bigint;
}

export interface ResponseStream {
  readonly streamId: number;
  readonly batches: readonly ResponseBatch[];
}

export interface ResponseOptions {
  /** Alternate frames between streams (sub-splits run concurrently on the server). */
  readonly interleave?: boolean;
  /** A keep-alive frame after every this many frames. */
  readonly keepAliveEvery?: number;
  /** Split each column into record batches of at most this many rows. */
  readonly maxRowsPerMessage?: number;
  /** How the body ends: the completion frame (default), the failure frame, or nothing (cut short). */
  readonly end?: 'completed' | 'failed' | 'none';
}

/** One frame: `u32 LE stream_id`, `u64 LE next_row_id`, one encapsulated IPC message. */
export function encodeFrame(streamId: number, nextRowId: bigint, message: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + message.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, streamId, true);
  view.setBigUint64(4, nextRowId, true);
  out.set(message, 12);
  return out;
}

/** A marker frame (keep-alive, completed, failed): the stream id alone. */
export function markerFrame(streamId: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, streamId, true);
  return out;
}

/** The IPC stream of one column (or of no column, for a count), as record batches of `maxRows`. */
export function columnStream(
  field: WireField | null,
  rows: readonly WireRow[] | number,
  maxRows: number,
): Uint8Array {
  const count = typeof rows === 'number' ? rows : rows.length;
  const fields = field ? [field] : [];
  const schema: Schema = toArrowSchema(fields);
  const batches: RecordBatch[] = [];
  let at = 0;
  do {
    const n = Math.min(maxRows, count - at);
    const children =
      field && typeof rows !== 'number'
        ? [
            buildColumn(
              field,
              rows.slice(at, at + n).map((r) => r[field.name] ?? null),
            ),
          ]
        : [];
    const struct = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
    batches.push(new RecordBatch(schema, struct));
    at += n;
  } while (at < count);
  return RecordBatchStreamWriter.writeAll(batches).toUint8Array(true);
}

function* streamFrames(
  fields: readonly WireField[],
  stream: ResponseStream,
  maxRows: number,
): Generator<Uint8Array> {
  for (const batch of stream.batches) {
    const columns: (WireField | null)[] = fields.length > 0 ? [...fields] : [null];
    for (const field of columns) {
      for (const m of splitMessages(columnStream(field, batch.rows, maxRows))) {
        yield encodeFrame(stream.streamId, batch.nextRowId, m.bytes);
      }
    }
  }
}

/** The response's frames, one at a time (for a server that streams its body). */
export function* queryResponseFrames(
  fields: readonly WireField[],
  streams: readonly ResponseStream[],
  options: ResponseOptions = {},
): Generator<Uint8Array> {
  const maxRows = Math.max(1, options.maxRowsPerMessage ?? Number.MAX_SAFE_INTEGER);
  const sources = streams.map((s) => streamFrames(fields, s, maxRows));
  let sent = 0;
  const emit = function* (frame: Uint8Array): Generator<Uint8Array> {
    yield frame;
    sent++;
    if (options.keepAliveEvery && sent % options.keepAliveEvery === 0)
      yield markerFrame(KEEP_ALIVE_STREAM_ID);
  };
  if (options.interleave) {
    let live = sources;
    while (live.length > 0) {
      const next: typeof live = [];
      for (const source of live) {
        const r = source.next();
        if (r.done) continue;
        yield* emit(r.value);
        next.push(source);
      }
      live = next;
    }
  } else {
    for (const source of sources) for (const frame of source) yield* emit(frame);
  }
  const end = options.end ?? 'completed';
  if (end === 'completed') yield markerFrame(COMPLETED_STREAM_ID);
  else if (end === 'failed') yield markerFrame(FAILED_STREAM_ID);
}

/** The whole response body at once. */
export function encodeQueryResponse(
  fields: readonly WireField[],
  streams: readonly ResponseStream[],
  options: ResponseOptions = {},
): Uint8Array {
  return concatBytes([...queryResponseFrames(fields, streams, options)]);
}
