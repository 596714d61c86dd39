/**
 * The direct IPC writer (wire.encode.ts) against apache-arrow's RecordBatchStreamWriter, as the
 * engine encoded bodies before (Arrow Data from the column's buffers, a RecordBatch, the stream
 * writer): byte for byte the same stream for thousands of generated row sets (every wire type,
 * nulls in some columns, all-null columns, no rows, non-ASCII and lone surrogates), and the
 * errors the old encoder threw for values that do not fit.
 */
import { makeData, RecordBatch, RecordBatchStreamWriter, Struct } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { prng as random } from '../../../../../test/support/time/time.testkit.ts';
import { encodeRows } from './wire.encode.ts';
import { toArrowSchema } from './wire.schema.ts';
import type { WireField, WireRow, WireType, WireValue } from './wire.types.ts';
import { buildColumn, WireValueError } from './wire.values.ts';

/** The library's encoding: Arrow Data per column, one RecordBatch, the stream writer. */
function arrowEncode(fields: readonly WireField[], rows: readonly WireRow[]): Uint8Array {
  const columns = fields.map((f) =>
    buildColumn(
      f,
      rows.map((r) => r[f.name] ?? null),
    ),
  );
  const schema = toArrowSchema(fields);
  const struct = makeData({
    type: new Struct(schema.fields),
    length: rows.length,
    nullCount: 0,
    children: columns,
  });
  return RecordBatchStreamWriter.writeAll([new RecordBatch(schema, struct)]).toUint8Array(true);
}

const TYPES: WireType[] = ['utf8', 'int64', 'int32', 'float64', 'bool', 'timestamp_us', 'uint64'];
const TEXT = ['', 'a', 'segment', 'Ωμέγα', '🎬', '東京', '\ud800', 'x\u0000y', 'e\u0301', '0123456789abcdef'];

function value(rnd: () => number, type: WireType): WireValue {
  switch (type) {
    case 'utf8': {
      let s = '';
      for (let n = Math.floor(rnd() * 4); n > 0; n--) s += TEXT[Math.floor(rnd() * TEXT.length)];
      return s;
    }
    case 'int64':
    case 'timestamp_us':
      return rnd() < 0.1
        ? rnd() < 0.5
          ? -(1n << 63n)
          : (1n << 63n) - 1n
        : BigInt(Math.floor((rnd() - 0.5) * 2 ** 53));
    case 'uint64':
      return rnd() < 0.1 ? (1n << 64n) - 1n : BigInt(Math.floor(rnd() * 2 ** 53));
    case 'int32':
      return Math.floor((rnd() - 0.5) * 2 ** 32);
    case 'float64':
      return rnd() < 0.1 ? Number.NaN : (rnd() - 0.5) * 1e12;
    case 'bool':
      return rnd() < 0.5;
  }
}

function generate(rnd: () => number): { fields: WireField[]; rows: WireRow[] } {
  const fields: WireField[] = Array.from({ length: 1 + Math.floor(rnd() * 8) }, (_, i) => ({
    name: `c${i}`,
    type: TYPES[Math.floor(rnd() * TYPES.length)] as WireType,
    nullable: rnd() < 0.8,
  }));
  // No rows, a few, and past the 8- and 64-row marks of bitmaps and padding.
  const count = [0, 1, 2, 7, 8, 9, 63, 64, 65, 130][Math.floor(rnd() * 10)] as number;
  const nulls = fields.map((f) => (f.nullable ? [0, 0.3, 1][Math.floor(rnd() * 3)] : 0) as number);
  const rows = Array.from({ length: count }, () => {
    const row: WireRow = {};
    fields.forEach((f, i) => {
      row[f.name] = rnd() < (nulls[i] as number) ? null : value(rnd, f.type);
    });
    return row;
  });
  return { fields, rows };
}

describe('encodeRows against apache-arrow RecordBatchStreamWriter', () => {
  it('writes the same bytes for thousands of generated bodies', () => {
    const rnd = random(7);
    for (let i = 0; i < 3000; i++) {
      const { fields, rows } = generate(rnd);
      const ours = encodeRows(fields, rows);
      const theirs = arrowEncode(fields, rows);
      if (Buffer.compare(ours, theirs) !== 0) {
        expect({ i, fields, ours: Buffer.from(ours).toString('hex') }).toEqual({
          i,
          fields,
          ours: Buffer.from(theirs).toString('hex'),
        });
      }
    }
  });

  it('refuses values that do not fit with the errors the apache-arrow path gave', () => {
    // Messages as the encoder before this one (buildColumn + RecordBatchStreamWriter) threw them.
    const cases: [WireField, WireValue[], string][] = [
      [
        { name: 'i', type: 'int64', nullable: false },
        [1n, null],
        'column i (int64), row 1: null in a column that is not nullable',
      ],
      [
        { name: 'i', type: 'int64', nullable: true },
        [1n << 63n],
        'column i (int64), row 0: 9223372036854775808 is out of range',
      ],
      [{ name: 's', type: 'utf8', nullable: true }, ['a', 3], 'column s (utf8), row 1: 3 is not a string'],
      [
        { name: 'n', type: 'int32', nullable: true },
        [2 ** 31],
        'column n (int32), row 0: 2147483648 is not a 32-bit integer',
      ],
      [{ name: 'u', type: 'uint64', nullable: true }, [-1n], 'column u (uint64), row 0: -1 is out of range'],
      [{ name: 'b', type: 'bool', nullable: true }, [1], 'column b (bool), row 0: 1 is not a boolean'],
      [{ name: 'f', type: 'float64', nullable: true }, [1n], 'column f (float64), row 0: 1 is not a number'],
      [
        { name: 't', type: 'timestamp_us', nullable: true },
        [1.5],
        'column t (timestamp_us), row 0: 1.5 is not an integer (bigint)',
      ],
      // Nulls are checked over the whole column before the values.
      [
        { name: 's', type: 'utf8', nullable: false },
        [5, null],
        'column s (utf8), row 1: null in a column that is not nullable',
      ],
    ];
    for (const [field, values, message] of cases) {
      const rows = values.map((v) => ({ [field.name]: v }));
      expect(() => encodeRows([field], rows)).toThrow(new WireValueError(message));
    }
  });
});
