import { Float32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { WireFormatError } from './wire.errors.ts';
import { decodeRows, deleteBody, encodeRows, updateBody } from './wire.rows.ts';
import { decodeSchemaMessage, decodeStreamSchema, encodeSchemaMessage } from './wire.schema.ts';
import { MAX_SLICE_BYTES, sliceRows, TooWideRowError } from './wire.slices.ts';
import type { WireField } from './wire.types.ts';
import { WireValueError } from './wire.values.ts';

const FIELDS: WireField[] = [
  { name: 's', type: 'utf8', nullable: true },
  { name: 'i', type: 'int64', nullable: false },
  { name: 'b', type: 'bool', nullable: true },
];

describe('rows', () => {
  it('round-trip nulls, extremes and non-ASCII text', () => {
    const rows = [
      { s: 'Ωμέγα 🎬', i: -(1n << 63n), b: null },
      { s: null, i: (1n << 63n) - 1n, b: true },
      { s: '', i: 0n, b: false },
    ];
    expect(decodeRows(encodeRows(FIELDS, rows))).toEqual({ fields: FIELDS, rows });
  });

  it('encode an empty row set as a valid stream', () => {
    expect(decodeRows(encodeRows(FIELDS, []))).toEqual({ fields: FIELDS, rows: [] });
  });

  it('refuse values that do not fit their column, naming column and row', () => {
    const base = { s: 'x', i: 1n, b: true };
    expect(() => encodeRows(FIELDS, [base, { ...base, i: null }])).toThrow(/column i \(int64\), row 1: null/);
    expect(() => encodeRows(FIELDS, [{ ...base, i: 1n << 63n }])).toThrow(WireValueError);
    expect(() => encodeRows(FIELDS, [{ ...base, s: 3 }])).toThrow(/is not a string/);
    expect(() => encodeRows([{ name: 'n', type: 'int32', nullable: true }], [{ n: 2 ** 31 }])).toThrow(
      /32-bit/,
    );
    expect(() => encodeRows([{ name: 'r', type: 'uint64', nullable: true }], [{ r: -1n }])).toThrow(
      /out of range/,
    );
  });

  it('shape update bodies ($row_id first, sorted) and delete bodies ($row_id alone, sorted)', () => {
    const up = updateBody(FIELDS, [
      { $row_id: 5n, s: 'a', i: 1n, b: null },
      { $row_id: 2n, s: 'b', i: 2n, b: null },
    ]);
    expect(up.fields.map((f) => f.name)).toEqual(['$row_id', 's', 'i', 'b']);
    expect(up.rows.map((r) => r.$row_id)).toEqual([2n, 5n]);
    expect(deleteBody([9n, 1n, 4n]).rows).toEqual([{ $row_id: 1n }, { $row_id: 4n }, { $row_id: 9n }]);
    expect(() => updateBody(FIELDS, [{ s: 'x', i: 1n, b: null }])).toThrow(WireFormatError);
  });

  it('decode a body with a column of a foreign type, leaving that column out', () => {
    const table = new Table({
      v: vectorFromArray([1, 2], new Float32()),
      s: vectorFromArray(['a', 'b'], new Utf8()),
      d: vectorFromArray(['x', 'y']), // Arrow JS makes this a dictionary column: foreign too
    });
    const body = tableToIPC(table, 'stream');
    const { fields, rows } = decodeRows(body);
    expect(fields[0]).toMatchObject({ name: 'v', type: 'foreign', arrowType: 'FloatingPoint(SINGLE)' });
    expect(rows).toEqual([{ s: 'a' }, { s: 'b' }]);
    expect(fields[2]).toMatchObject({ name: 'd', type: 'foreign', arrowType: 'Dictionary<Utf8>' });
  });
});

describe('schema messages', () => {
  it('round-trip and carry no end-of-stream marker', () => {
    const body = encodeSchemaMessage(FIELDS);
    expect(new DataView(body.buffer).getInt32(4, true) + 8).toBe(body.byteLength);
    expect(decodeSchemaMessage(body)).toEqual(FIELDS);
    expect(decodeStreamSchema(encodeRows(FIELDS, []))).toEqual(FIELDS);
  });

  it('reject trailing bytes and garbage with WireFormatError', () => {
    const body = encodeSchemaMessage(FIELDS);
    const withEos = new Uint8Array([...body, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    expect(() => decodeSchemaMessage(withEos)).toThrow(/bytes after the schema message/);
    expect(() => decodeSchemaMessage(new Uint8Array([1, 2, 3]))).toThrow(WireFormatError);
    expect(() => decodeSchemaMessage(body.subarray(0, 40))).toThrow(WireFormatError);
  });
});

describe('sliceRows', () => {
  const field: WireField[] = [{ name: 's', type: 'utf8', nullable: true }];
  const rows = Array.from({ length: 1000 }, (_, i) => ({ s: 'é'.repeat(i % 50) }));

  it('covers every row once, each body within the limits', () => {
    const slices = [...sliceRows(field, rows, { maxBytes: 8 * 1024, maxRows: 300 })];
    let next = 0;
    for (const s of slices) {
      expect(s.offset).toBe(next);
      expect(s.count).toBeLessThanOrEqual(300);
      expect(s.body.byteLength).toBeLessThanOrEqual(8 * 1024);
      expect(decodeRows(s.body).rows).toEqual(rows.slice(s.offset, s.offset + s.count));
      next += s.count;
    }
    expect(next).toBe(rows.length);
  });

  it('names the row that cannot fit', () => {
    const wide = [{ s: 'a' }, { s: 'x'.repeat(MAX_SLICE_BYTES) }];
    expect(() => [...sliceRows(field, wide)]).toThrow(TooWideRowError);
    expect(() => [...sliceRows(field, [{ s: 'a' }, { s: 'x'.repeat(5000) }], { maxBytes: 4096 })]).toThrow(
      /row 1 does not fit/,
    );
  });
});
