import { describe, expect, it } from 'vitest';
import {
  batchRows,
  COMPLETED_STREAM_ID,
  type QueryBatch,
  QueryDataFailedError,
  QueryResponseError,
  QueryResponseParser,
  ROW_ID_DONE,
} from './wire.frames.ts';
import { concatBytes, splitMessages } from './wire.ipc.ts';
import { encodeFrame, encodeQueryResponse, markerFrame, type ResponseStream } from './wire.response.ts';
import { encodeRows } from './wire.rows.ts';
import type { WireField, WireRow } from './wire.types.ts';

const FIELDS: WireField[] = [
  { name: 'id', type: 'utf8', nullable: false },
  { name: 'n', type: 'int64', nullable: true },
  { name: 't', type: 'timestamp_us', nullable: true },
];
const rows = (from: number, count: number): WireRow[] =>
  Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { id: `ü-${i}`, n: i % 3 === 0 ? null : BigInt(i), t: BigInt(i) * 1_000_000n };
  });
const STREAMS: ResponseStream[] = [
  {
    streamId: 0,
    batches: [
      { rows: rows(0, 5), nextRowId: 5n },
      { rows: rows(5, 3), nextRowId: ROW_ID_DONE },
    ],
  },
  { streamId: 2, batches: [{ rows: rows(100, 4), nextRowId: ROW_ID_DONE }] },
];
const BODY = encodeQueryResponse(FIELDS, STREAMS, {
  interleave: true,
  keepAliveEvery: 3,
  maxRowsPerMessage: 2,
});

function parseIn(body: Uint8Array, sizes: () => number, fields: WireField[] | null = FIELDS): QueryBatch[] {
  const parser = new QueryResponseParser(fields ?? undefined);
  const out: QueryBatch[] = [];
  for (let at = 0; at < body.byteLength; ) {
    const n = sizes();
    out.push(...parser.push(body.subarray(at, at + n)));
    at += n;
  }
  out.push(...parser.end());
  return out;
}

const summary = (batches: QueryBatch[]) =>
  batches.map((b) => ({ stream: b.streamId, next: b.nextRowId, rows: batchRows(b) }));

describe('QueryResponseParser', () => {
  const whole = summary(parseIn(BODY, () => BODY.byteLength));

  it('assembles per-column streams into batches per stream id, with their cursors', () => {
    // Interleaved: stream 2's shorter batch completes before stream 0's first.
    expect(whole).toEqual([
      { stream: 2, next: ROW_ID_DONE, rows: rows(100, 4) },
      { stream: 0, next: 5n, rows: rows(0, 5) },
      { stream: 0, next: ROW_ID_DONE, rows: rows(5, 3) },
    ]);
  });

  it('gives the same batches whatever the chunk boundaries', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 1 + (seed % 97);
    };
    for (const sizes of [() => 1, () => 3, () => 12, random]) {
      expect(summary(parseIn(BODY, sizes))).toEqual(whole);
    }
  });

  it('keeps only about one frame of unparsed bytes, however long the body', () => {
    const big: ResponseStream[] = [
      { streamId: 1, batches: [{ rows: rows(0, 20_000), nextRowId: ROW_ID_DONE }] },
    ];
    const body = encodeQueryResponse(FIELDS, big, { maxRowsPerMessage: 1000 });
    // A frame holds at most one column of 1000 rows.
    const largestFrame = Math.max(...FIELDS.map((f) => encodeRows([f], rows(19_000, 1000)).byteLength));
    const parser = new QueryResponseParser(FIELDS);
    let most = 0;
    let count = 0;
    for (let at = 0; at < body.byteLength; at += 4096) {
      for (const b of parser.push(body.subarray(at, at + 4096))) count += b.numRows;
      most = Math.max(most, parser.buffered);
    }
    parser.end();
    expect(count).toBe(20_000);
    expect(body.byteLength).toBeGreaterThan(10 * (largestFrame + 4096));
    expect(most).toBeLessThan(4 * (largestFrame + 4096));
  });

  it('reports the count of an empty projection', () => {
    const body = encodeQueryResponse(
      [],
      [{ streamId: 0, batches: [{ rows: 123_456, nextRowId: ROW_ID_DONE }] }],
    );
    const [batch] = parseIn(body, () => 10, []);
    expect(batch).toMatchObject({ streamId: 0, numRows: 123_456, fields: [], columns: [] });
  });

  it('without expected fields, each column stream is a batch of its own', () => {
    const batches = parseIn(BODY, () => 50, null);
    expect(batches).toHaveLength(9);
    expect(batches[0]?.fields.map((f) => f.name)).toEqual(['id']);
  });

  it('ends without the completion frame only between batches, as the SDK does; else throws', () => {
    const cut = BODY.byteLength - 4;
    let accepted = 0;
    for (let end = 0; end <= cut; end += 1) {
      const parser = new QueryResponseParser(FIELDS);
      const got = parser.push(BODY.subarray(0, end));
      let ended: QueryBatch[] | null = null;
      try {
        ended = parser.end();
      } catch (e) {
        expect(e).toBeInstanceOf(QueryResponseError);
        continue;
      }
      accepted++;
      // What a cut between batches gives is the whole answer's first batches, nothing else.
      expect(ended).toEqual([]);
      expect(summary(got)).toEqual(whole.slice(0, got.length));
    }
    // Keep-alive frames end where a batch ended too: the body's start, after each batch, the end.
    expect(accepted).toBeGreaterThanOrEqual(whole.length);
  });

  it('throws when the body completes in the middle of a batch', () => {
    const frames = [...splitMessages(encodeRows(FIELDS.slice(0, 1), rows(0, 2)))].map((m) =>
      encodeFrame(0, 2n, m.bytes),
    );
    const parser = new QueryResponseParser(FIELDS);
    expect(parser.push(concatBytes([...frames, markerFrame(COMPLETED_STREAM_ID)]))).toEqual([]);
    expect(() => parser.end()).toThrow(/middle of a batch/);
  });

  it('ignores what follows the completion frame, as the SDK does', () => {
    const parser = new QueryResponseParser(FIELDS);
    parser.push(BODY);
    expect(parser.completed).toBe(true);
    expect(parser.push(new Uint8Array([1, 2, 3]))).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it('raises the failure frame as QueryDataFailedError, with the batches before it', () => {
    const body = encodeQueryResponse(FIELDS, [STREAMS[1] as ResponseStream], { end: 'failed' });
    const parser = new QueryResponseParser(FIELDS);
    let error: unknown;
    try {
      parser.push(body);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(QueryDataFailedError);
    expect((error as QueryDataFailedError).batches.map((b) => b.numRows)).toEqual([4]);
    expect(parser.cursors.get(2)).toBe(ROW_ID_DONE);
    expect(() => parser.push(new Uint8Array(4))).toThrow(QueryResponseError);
  });

  it('rejects a column of another type than asked', () => {
    const asked: WireField[] = [{ name: 'id', type: 'int32', nullable: true }, ...FIELDS.slice(1)];
    expect(() => new QueryResponseParser(asked).push(BODY)).toThrow(/column 0 \(id\) came as utf8/);
  });

  it('rejects a column stream that does not start with a schema', () => {
    const [, batch] = splitMessages(encodeRows(FIELDS, rows(0, 1)));
    const body = encodeFrame(0, 1n, (batch as { bytes: Uint8Array }).bytes);
    expect(() => new QueryResponseParser(FIELDS).push(body)).toThrow(/must start with a schema/);
  });
});
