/**
 * What the fake's QueryData filter reads from a row: the table's columns the request names
 * (`resolve`), and for each field position a value (`reader`): a column's cell, a struct field or
 * a fixed-size list in it (the SDK's positions, fake.computeir.ts), or a timestamp in the unit the
 * request names it in.
 */
import { DataType, type Timestamp } from 'apache-arrow';
import { ROW_ID, ROW_ID_FIELD, type WireRow } from '../../src/db/engines/vast/wire/wire.types.ts';
import { type Tree, treesOfCells } from './fake.cells.ts';
import type { FakeQuery, Operand } from './fake.computeir.ts';
import { badRequest } from './fake.errors.ts';
import { arrowFieldOf } from './fake.leaves.ts';
import type { TableState } from './fake.store.ts';
import { type FakeField, isArrowColumn, sameColumnType } from './fake.types.ts';

type ValueOf = (row: WireRow) => Tree;

/** The value a field reference at `position` reads from a row. */
export type Reader = (position: number) => ValueOf;

/** Field positions are column indexes: the column of that name. */
export const byName =
  (names: readonly string[]): Reader =>
  (position) => {
    const name = names[position] as string;
    return (row) => row[name] ?? null;
  };

/**
 * The table's columns the request schema names, which must exist with the types the request
 * gives them (fake.types.ts `sameColumnType`: the SDK's request leaves a time zone out), except
 * that a timestamp may be named in another unit: the answer then has the column's own type, as
 * VAST's Java client expects of VAST (it takes "another Timestamp type" in an answer), and the
 * filter compares in the request's unit (`rescaled`).
 */
export function resolve(t: TableState, req: FakeQuery): FakeField[] {
  return req.fields.map((f) => {
    const column = f.name === ROW_ID ? ROW_ID_FIELD : t.fields.find((c) => c.name === f.name);
    if (!column) throw badRequest(`table has no column ${f.name}`);
    const [have, want] = [arrowFieldOf(column).type, arrowFieldOf(f).type];
    if (DataType.isTimestamp(have) && DataType.isTimestamp(want)) return column;
    if (!sameColumnType(have, want)) throw badRequest(`column ${f.name} is ${have}, not ${want}`);
    return column;
  });
}

/** Per request field, the factor from the column's timestamp unit to the request's (or none). */
export function rescaled(columns: readonly FakeField[], req: FakeQuery): (((v: Tree) => Tree) | null)[] {
  return req.fields.map((f, i) => {
    const [have, want] = [arrowFieldOf(columns[i] as FakeField).type, arrowFieldOf(f).type];
    if (!DataType.isTimestamp(have) || !DataType.isTimestamp(want)) return null;
    const steps = (want as Timestamp).unit - (have as Timestamp).unit; // TimeUnit: s, ms, us, ns
    if (steps === 0) return null;
    const factor = 1000n ** BigInt(Math.abs(steps));
    if (steps > 0) return (v) => (typeof v === 'bigint' ? v * factor : v);
    // Floor division, so that a time compares as the instant it falls in does.
    return (v) => (typeof v === 'bigint' ? (v >= 0n ? v / factor : -((-v + factor - 1n) / factor)) : v);
  });
}

/** What a field reference reads: a column's cell, or a struct field or a fixed-size list in it. */
export function reader(
  columns: readonly FakeField[],
  operands: ReadonlyMap<number, Operand> | undefined,
  scales: readonly (((v: Tree) => Tree) | null)[],
): Reader {
  if (operands === undefined) {
    const plain = byName(columns.map((c) => c.name));
    return (position) => {
      const get = plain(position);
      const scale = scales[position];
      return scale ? (row) => scale(get(row)) : get;
    };
  }
  return (position) => {
    const { column, path } = operands.get(position) as Operand;
    const field = columns[column] as FakeField;
    const scale = path.length === 0 ? scales[column] : null;
    if (scale) return (row) => scale(row[field.name] ?? null);
    if (!isArrowColumn(field) || (path.length === 0 && field.arrow.type.children.length === 0))
      return (row) => row[field.name] ?? null;
    const type = field.arrow.type;
    return (row) => {
      let v: Tree = treesOfCells(type, [row[field.name] ?? null])[0] ?? null;
      for (const i of path) v = v === null ? null : ((v as readonly Tree[])[i] ?? null);
      return v;
    };
  };
}
