import { describe, expect, it } from 'vitest';
import {
  type JsonRow,
  loadFixture,
  rowsToJson,
  toHex,
} from '../../../../../test/support/db/engines/vast/wire/fixtures/fixtures.ts';
import { rowBody } from '../../../../../test/support/db/engines/vast/wire/fixtures/make-ts-bodies.ts';
import {
  RESPONSE_CASES,
  ROW_CASES,
  SCHEMA_CASES,
} from '../../../../../test/support/db/engines/vast/wire/fixtures/ts-cases.ts';
import { encodeQueryResponse } from './wire.response.ts';
import { encodeSchemaMessage } from './wire.schema.ts';
import type { WireField } from './wire.types.ts';

// Bodies this code encodes, as pyarrow and VAST's Python SDK read them (ts-bodies.json of the wire fixtures,
// made by make-ts-bodies.ts then check_ts_bodies.py). The encoders must still give those very
// bytes, and what the SDK read must be what was encoded.

interface Checked<S> {
  name: string;
  hex: string;
  sdk: S;
}
interface TsBodies {
  schemas: (Checked<{ fields: WireField[]; oneMessageNoEos: boolean }> & { fields: WireField[] })[];
  rows: (Checked<{ batches: number; fields: WireField[]; rows: JsonRow[] }> & {
    fields: WireField[];
    rows: JsonRow[];
  })[];
  responses: Checked<{
    batches: { streamId: number; nextRowId: string; numRows: number; rows: JsonRow[] }[];
    error: string | null;
  }>[];
}

const ts = loadFixture<TsBodies>('./ts-bodies.json');
const byName = <T extends { name: string }>(list: T[], name: string): T => {
  const found = list.find((c) => c.name === name);
  if (!found) throw new Error(`fixture ${name} missing: rerun make-ts-bodies.ts and check_ts_bodies.py`);
  return found;
};

describe('schema messages read by pyarrow', () => {
  for (const c of SCHEMA_CASES) {
    it(c.name, () => {
      const fixture = byName(ts.schemas, c.name);
      expect(toHex(encodeSchemaMessage(c.fields))).toBe(fixture.hex);
      expect(fixture.sdk.fields).toEqual(c.fields);
      expect(fixture.sdk.oneMessageNoEos).toBe(true);
    });
  }
});

describe('row bodies read by pyarrow', () => {
  for (const c of ROW_CASES) {
    it(c.name, () => {
      const fixture = byName(ts.rows, c.name);
      const { fields, rows, body } = rowBody(c.op, c.fields, c.rows);
      expect(toHex(body)).toBe(fixture.hex);
      expect(fixture.sdk.batches).toBe(1);
      expect(fixture.sdk.fields).toEqual(fields);
      expect(fixture.sdk.rows).toEqual(rowsToJson(fields, rows));
    });
  }

  it('update and delete bodies reached pyarrow with $row_id first and sorted', () => {
    expect(byName(ts.rows, 'update').sdk.rows.map((r) => r.$row_id)).toEqual([
      '2',
      '9',
      '18446744073709551615',
    ]);
    expect(byName(ts.rows, 'delete').sdk.rows).toEqual([
      { $row_id: '3' },
      { $row_id: '5' },
      { $row_id: '7' },
    ]);
  });
});

describe("QueryData responses read by the SDK's parse_query_data_response", () => {
  for (const c of RESPONSE_CASES) {
    it(c.name, () => {
      const fixture = byName(ts.responses, c.name);
      expect(toHex(encodeQueryResponse(c.fields, c.streams, c.options))).toBe(fixture.hex);
      expect(fixture.sdk.error).toBe(c.options.end === 'failed' ? 'QueryDataInternalError' : null);
      const sent = [];
      for (const s of c.streams) {
        for (const b of s.batches) {
          const rows = typeof b.rows === 'number' ? Array.from({ length: b.rows }, () => ({})) : b.rows;
          sent.push({
            streamId: s.streamId,
            nextRowId: String(b.nextRowId),
            numRows: rows.length,
            rows: rowsToJson(c.fields, rows),
          });
        }
      }
      const order = (x: { streamId: number; nextRowId: string }) => `${x.streamId}:${x.nextRowId}`;
      // Interleaved sub-splits arrive in any order between streams, in order within one.
      expect([...fixture.sdk.batches].sort((a, b) => order(a).localeCompare(order(b)))).toEqual(
        sent.sort((a, b) => order(a).localeCompare(order(b))),
      );
    });
  }
});
