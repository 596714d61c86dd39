import { RecordBatchStreamWriter, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { WireFormatError } from './wire.errors.ts';
import { decodeColumns, decodeWithArrow, encodeRows } from './wire.rows.ts';
import { readSchemaAt } from './wire.schema.ts';
import type { WireField, WireRow } from './wire.types.ts';

const FIELDS: WireField[] = [
  { name: 's', type: 'utf8', nullable: true },
  { name: 'i', type: 'int64', nullable: true },
  { name: 'n', type: 'int32', nullable: true },
  { name: 'f', type: 'float64', nullable: true },
  { name: 'b', type: 'bool', nullable: true },
  { name: 't', type: 'timestamp_us', nullable: true },
  { name: 'u', type: 'uint64', nullable: true },
];

function rows(n: number, seed: number): WireRow[] {
  return Array.from({ length: n }, (_, k) => {
    const r = k + seed;
    const nul = (m: number) => r % m === 0;
    return {
      s: nul(5) ? null : r % 3 === 0 ? `Ωμέγα 🎬 ${r}` : r % 7 === 0 ? '' : `row ${r}`,
      i: nul(6) ? null : r % 2 === 0 ? -(1n << 63n) + BigInt(r) : (1n << 63n) - BigInt(r),
      n: nul(7) ? null : r % 2 === 0 ? -(2 ** 31) + r : 2 ** 31 - 1 - r,
      f: nul(8) ? null : r / 3,
      b: nul(9) ? null : r % 2 === 0,
      t: nul(10) ? null : 1_700_000_000_000_000n + BigInt(r),
      u: nul(11) ? null : (1n << 64n) - 1n - BigInt(r),
    };
  });
}

/** A stream of several record batches, as a cluster may answer. */
function multiBatch(): Uint8Array {
  const batches = [rows(13, 0), rows(0, 13), rows(40, 13)].flatMap(
    (part) => tableFromIPC(encodeRows(FIELDS, part)).batches,
  );
  return RecordBatchStreamWriter.writeAll(batches).toUint8Array(true);
}

describe('decodeColumns (record batches read directly)', () => {
  it('gives what apache-arrow reader gives, over several batches, every wire type, nulls and extremes', () => {
    const body = multiBatch();
    const direct = decodeColumns(body);
    expect(direct.numRows).toBe(53);
    expect(direct).toEqual(decodeWithArrow(body, readSchemaAt(body).fields));
    expect(direct.columns[0]?.slice(0, 4)).toEqual([null, 'row 1', 'row 2', 'Ωμέγα 🎬 3']);
  });

  it('refuses a body cut short and invalid UTF-8 with WireFormatError', () => {
    const body = encodeRows(FIELDS, rows(20, 1));
    const eos = 8;
    expect(() => decodeColumns(body.subarray(0, body.byteLength - eos - 16))).toThrow(WireFormatError);
    const bad = body.slice();
    const at = Buffer.from(bad).indexOf(Buffer.from('row 2'));
    expect(at).toBeGreaterThan(0);
    bad[at] = 0xff;
    expect(() => decodeColumns(bad)).toThrow(WireFormatError);
  });
});
