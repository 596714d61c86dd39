import { describe, expect, it } from 'vitest';
import {
  hex,
  type JsonRow,
  loadFixture,
  rowsFromJson,
} from '../../../../../test/support/db/engines/vast/wire/fixtures/fixtures.ts';
import { batchRows, QueryDataFailedError, QueryResponseParser } from './wire.frames.ts';
import { decodeRows } from './wire.rows.ts';
import { type DecodedField, decodeSchemaMessage, decodeStreamSchema } from './wire.schema.ts';
import { sliceRows, TooWideRowError } from './wire.slices.ts';
import type { WireField, WireRow } from './wire.types.ts';

// Bodies made by VAST's Python SDK and pyarrow (make_arrow_fixtures.py, in
// test/support/db/engines/vast/wire/fixtures/) decode here to the values the SDK itself reads from them.

interface SdkBodies {
  schemas: { name: string; kind: 'message' | 'stream'; hex: string; fields: DecodedField[] }[];
  rows: { name: string; op: string; hex: string; fields: WireField[]; rows: JsonRow[] }[];
  slices: { rows: number; pattern?: 'mod' | 'step'; width: number; counts?: number[]; tooWide?: boolean }[];
  responses: {
    name: string;
    hex: string;
    fields: WireField[];
    batches: { streamId: number; nextRowId: string; numRows: number; rows: JsonRow[] }[];
    sdkError: string | null;
  }[];
}

const sdk = loadFixture<SdkBodies>('./sdk-bodies.json');

describe('schemas made by pyarrow', () => {
  for (const c of sdk.schemas) {
    it(`${c.name}: ${c.kind === 'message' ? 'pa.Schema.serialize()' : 'list-columns stream'}`, () => {
      const decoded = c.kind === 'message' ? decodeSchemaMessage(hex(c.hex)) : decodeStreamSchema(hex(c.hex));
      expect(decoded).toEqual(c.fields);
    });
  }

  it('pa.Schema.serialize() is one message, 8-byte aligned, with no EOS after it', () => {
    for (const c of sdk.schemas.filter((s) => s.kind === 'message')) {
      const body = hex(c.hex);
      const view = new DataView(body.buffer);
      expect(view.getUint32(0, true)).toBe(0xffffffff);
      expect(view.getInt32(4, true) + 8).toBe(body.byteLength);
      expect(body.byteLength % 8).toBe(0);
    }
  });
});

describe('insert, update and delete bodies made by the SDK', () => {
  for (const c of sdk.rows) {
    it(`${c.name} decodes to the SDK's values`, () => {
      const { fields, rows } = decodeRows(hex(c.hex));
      expect(fields).toEqual(c.fields);
      expect(rows).toEqual(rowsFromJson(c.fields, c.rows));
    });
  }

  it('update puts $row_id first and sorts by it; delete sends $row_id alone, sorted', () => {
    const update = sdk.rows.find((c) => c.op === 'update');
    const del = sdk.rows.find((c) => c.op === 'delete');
    expect(update?.fields[0]?.name).toBe('$row_id');
    expect(update?.rows.map((r) => r.$row_id)).toEqual(['100', '102', '103']);
    expect(del?.fields.map((f) => f.name)).toEqual(['$row_id']);
    expect(del?.rows.map((r) => r.$row_id)).toEqual(['100', '101', '102']);
  });
});

describe('slicing agrees with the SDK', () => {
  const field: WireField[] = [
    { name: '$row_id', type: 'uint64', nullable: true },
    { name: 's', type: 'utf8', nullable: true },
  ];
  const make = (n: number, pattern: 'mod' | 'step' | undefined, width: number): WireRow[] =>
    Array.from({ length: n }, (_, i) => {
      const k = pattern === 'mod' ? i % width : pattern === 'step' ? (i >= 1000 ? width : 0) : width;
      return { $row_id: BigInt(i), s: `row-${i}-${'ü'.repeat(k)}` };
    });

  for (const c of sdk.slices) {
    it(`${c.rows} rows (${c.pattern ?? 'one wide'}, ${c.width})`, () => {
      if (c.tooWide) {
        const rows = [{ s: 'x'.repeat(c.width) }];
        expect(() => [...sliceRows([{ name: 's', type: 'utf8', nullable: true }], rows)]).toThrow(
          TooWideRowError,
        );
        return;
      }
      const slices = [...sliceRows(field, make(c.rows, c.pattern, c.width))];
      expect(slices.map((s) => s.count)).toEqual(c.counts);
    });
  }
});

describe('QueryData responses framed as VAST sends them', () => {
  for (const c of sdk.responses) {
    it(`${c.name}: the SDK's parser's batches, in every chunking`, () => {
      const body = hex(c.hex);
      for (const size of [1, 5, 12, 13, 64, 1000, body.byteLength]) {
        const parser = new QueryResponseParser(c.fields);
        const got: { streamId: number; nextRowId: string; numRows: number; rows: WireRow[] }[] = [];
        let error: unknown = null;
        try {
          for (let at = 0; at < body.byteLength; at += size) {
            for (const b of parser.push(body.subarray(at, at + size))) {
              got.push({
                streamId: b.streamId,
                nextRowId: String(b.nextRowId),
                numRows: b.numRows,
                rows: batchRows(b),
              });
            }
          }
          parser.end();
        } catch (err) {
          error = err;
          if (err instanceof QueryDataFailedError) {
            for (const b of err.batches) {
              got.push({
                streamId: b.streamId,
                nextRowId: String(b.nextRowId),
                numRows: b.numRows,
                rows: batchRows(b),
              });
            }
          }
        }
        if (c.sdkError === 'QueryDataInternalError') expect(error).toBeInstanceOf(QueryDataFailedError);
        else expect(error).toBeNull();
        const want = c.batches.map((b) => ({
          ...b,
          rows: c.fields.length > 0 ? rowsFromJson(c.fields, b.rows) : b.rows.map(() => ({})),
        }));
        expect(got).toEqual(want);
      }
    });
  }
});
