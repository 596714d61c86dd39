/**
 * What the QueryData parser tolerates because VAST's own clients do, and where it stops: a
 * timestamp column of another unit or zone (the Java client skips its type check for timestamps,
 * the SDK ignores answer types), a body that ends without the completion frame between batches
 * (the SDK), the failure frame read whole (vastdb 2.1 and the Java client: marker, u64 code, u32
 * length). The differential fuzz against the SDK's own parser is test/vast/parser/.
 */
import {
  type DataType,
  Field,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  batchRows,
  COMPLETED_STREAM_ID,
  FAILED_STREAM_ID,
  type QueryBatch,
  QueryDataFailedError,
  QueryResponseError,
  QueryResponseParser,
  ROW_ID_DONE,
} from './wire.frames.ts';
import { concatBytes, splitMessages } from './wire.ipc.ts';
import { encodeFrame, encodeQueryResponse, markerFrame } from './wire.response.ts';
import type { WireField } from './wire.types.ts';

const ASKED: WireField[] = [
  { name: 'id', type: 'int64', nullable: false },
  { name: 'created', type: 'timestamp_us', nullable: true },
];
const STAMPS = [1_700_000_000_000_000n, null, -5n];

/** One column's IPC stream with any Arrow type whose values are 64-bit integers. */
function column64(name: string, type: DataType, values: readonly (bigint | null)[]): Uint8Array {
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  const data = new BigInt64Array(values.length);
  values.forEach((v, i) => {
    if (v === null) return;
    validity[i >> 3] = (validity[i >> 3] as number) | (1 << (i & 7));
    data[i] = v;
  });
  const nullCount = values.filter((v) => v === null).length;
  const schema = new Schema([new Field(name, type, true)]);
  const child = makeData({
    type: type as Int64,
    length: values.length,
    nullCount,
    nullBitmap: validity,
    data,
  });
  const struct = makeData({
    type: new Struct(schema.fields),
    length: values.length,
    nullCount: 0,
    children: [child],
  });
  return RecordBatchStreamWriter.writeAll([new RecordBatch(schema, struct)]).toUint8Array(true);
}

/** The frames of column streams of one batch of stream 0, then `end` (nothing: no marker). */
function response(columns: readonly Uint8Array[], end: Uint8Array[] = [markerFrame(COMPLETED_STREAM_ID)]) {
  const frames = columns.flatMap((c) =>
    [...splitMessages(c)].map((m) => encodeFrame(0, ROW_ID_DONE, m.bytes)),
  );
  return concatBytes([...frames, ...end]);
}

function parse(body: Uint8Array, fields: WireField[] = ASKED): QueryBatch[] {
  const parser = new QueryResponseParser(fields);
  return [...parser.push(body), ...parser.end()];
}

const ids = column64('id', new Int64(), [1n, 2n, 3n]);

describe('a timestamp column of another unit or zone', () => {
  for (const [label, type] of [
    ['nanoseconds', new TimestampNanosecond()],
    ['milliseconds', new TimestampMillisecond()],
    ['seconds', new TimestampSecond()],
    ['microseconds in UTC', new TimestampMicrosecond('UTC')],
    ['nanoseconds in Europe/London', new TimestampNanosecond('Europe/London')],
  ] as const) {
    it(`is read as the unit asked for when it comes in ${label}, as VAST's clients read it`, () => {
      const [batch] = parse(response([ids, column64('created', type, STAMPS)]));
      expect(batchRows(batch as QueryBatch)).toEqual([
        { id: 1n, created: STAMPS[0] },
        { id: 2n, created: null },
        { id: 3n, created: -5n },
      ]);
    });
  }

  it('is refused where the column asked for is not a timestamp, or the answer not one', () => {
    const stamps = column64('created', new TimestampNanosecond(), STAMPS);
    const asInt: WireField[] = [ASKED[0] as WireField, { name: 'created', type: 'int64', nullable: true }];
    expect(() => parse(response([ids, stamps]), asInt)).toThrow(
      /column 1 \(created\) came as Timestamp\(NANOSECOND\)/,
    );
    const ints = column64('created', new Int64(), STAMPS);
    expect(() => parse(response([ids, ints]))).toThrow(/column 1 \(created\) came as int64/);
  });
});

describe('the end of the body', () => {
  const whole = response([ids, column64('created', new TimestampMicrosecond(), STAMPS)], []);

  it('without the completion frame, after the last column stream, gives the rows', () => {
    const [batch] = parse(whole);
    expect(batch?.numRows).toBe(3);
    expect(batch?.nextRowId).toBe(ROW_ID_DONE);
  });

  it('without the completion frame inside a batch or a column stream is refused', () => {
    const firstColumnOnly = response([ids], []);
    expect(() => parse(firstColumnOnly)).toThrow(/middle of a batch/);
    const schemaOnly = [...splitMessages(ids)][0]?.bytes as Uint8Array;
    expect(() => parse(encodeFrame(0, 1n, schemaOnly))).toThrow(/inside a column stream/);
    expect(() => parse(whole.subarray(0, whole.byteLength - 3))).toThrow(QueryResponseError);
  });

  it('with the completion frame drops a column stream no column of its batch finished (the SDK does)', () => {
    const schemaOnly = [...splitMessages(ids)][0]?.bytes as Uint8Array;
    const body = concatBytes([whole, encodeFrame(0, 7n, schemaOnly), markerFrame(COMPLETED_STREAM_ID)]);
    const parser = new QueryResponseParser(ASKED);
    const batches = [...parser.push(body), ...parser.end()];
    expect(batches.map((b) => b.numRows)).toEqual([3]);
    expect(parser.cursors.get(0)).toBe(ROW_ID_DONE);
  });
});

describe('the failure frame', () => {
  const before = encodeQueryResponse([], [{ streamId: 1, batches: [{ rows: 2, nextRowId: 9n }] }], {
    end: 'none',
  });

  function failure(body: Uint8Array): QueryDataFailedError {
    const parser = new QueryResponseParser([]);
    try {
      parser.push(body);
    } catch (e) {
      expect(e).toBeInstanceOf(QueryDataFailedError);
      return e as QueryDataFailedError;
    }
    throw new Error('no failure raised');
  }

  /** The frame as vastdb 2.1 and the Java client read it: marker, u64 code, u32 length (0). */
  function frame(code: bigint, length: number, message = ''): Uint8Array {
    const out = new Uint8Array(16 + message.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, FAILED_STREAM_ID, true);
    view.setBigUint64(4, code, true);
    view.setUint32(12, length, true);
    out.set(Buffer.from(message), 16);
    return out;
  }

  it('is raised with its error code, and the batches before it', () => {
    const e = failure(
      concatBytes([
        encodeQueryResponse([], [{ streamId: 1, batches: [{ rows: 4, nextRowId: 9n }] }], { end: 'none' }),
        frame(17n, 0),
      ]),
    );
    expect(e.failure).toEqual({ code: 17n, length: 0 });
    expect(e.message).toContain('error code 17');
    expect(e.batches.map((b) => b.numRows)).toEqual([4]);
  });

  it('with a length and a message (which VAST clients refuse too) shows the message', () => {
    const e = failure(frame(3n, 9, 'disk\u0000full'));
    expect(e.failure).toEqual({ code: 3n, length: 9, message: 'disk?full' });
  });

  it('as the marker alone (vastdb 2.0, the fake until now) is still a failure', () => {
    expect(failure(concatBytes([before, markerFrame(FAILED_STREAM_ID)])).failure).toEqual({});
  });
});
