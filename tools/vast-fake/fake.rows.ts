/**
 * The fake's row calls: insert (answers the new rows' `$row_id` stream), update (`$row_id` first,
 * then the columns to set) and delete (`$row_id` alone). Update and delete bodies must be sorted
 * by `$row_id` with no repeats, as VAST's SDK always sends them; a row id the table (as the
 * transaction sees it) does not hold is refused with 400 `BadRequest`, the whole call undone.
 */
import { decodeRows, encodeRows } from '../../src/db/engines/vast/wire/wire.rows.ts';
import type { DecodedField } from '../../src/db/engines/vast/wire/wire.schema.ts';
import { ROW_ID, ROW_ID_FIELD, type WireRow } from '../../src/db/engines/vast/wire/wire.types.ts';
import type { Answer } from './fake.catalog.ts';
import { putArrowCells } from './fake.cells.ts';
import { badRequest } from './fake.errors.ts';
import type { FakeLimits } from './fake.limits.ts';
import type { FakeStore, TableState, Transaction } from './fake.store.ts';
import { type FakeField, isArrowColumn } from './fake.types.ts';

/**
 * The table's columns the body's fields name (all but the first when `skipFirst`), checked: the
 * engine's decoder reads the cells of the engine's types; those of others are read here.
 */
function checkFields(
  t: TableState,
  fields: readonly DecodedField[],
  skipFirst: boolean,
  body: Uint8Array,
  rows: WireRow[],
): FakeField[] {
  const out: FakeField[] = [];
  fields.forEach((f, i) => {
    if (skipFirst && i === 0) return;
    const column = t.fields.find((c) => c.name === f.name);
    if (!column) throw badRequest(`table has no column ${f.name}`);
    const given = f.type === 'foreign' ? f.arrowType : f.type;
    if (
      isArrowColumn(column) !== (f.type === 'foreign') ||
      (!isArrowColumn(column) && column.type !== f.type)
    )
      throw badRequest(
        `column ${f.name} is ${isArrowColumn(column) ? column.arrow.type : column.type}, not ${given}`,
      );
    out.push(column);
  });
  const arrow = out.filter(isArrowColumn);
  if (arrow.length > 0) putArrowCells(body, arrow, rows);
  return out;
}

function checkNulls(columns: readonly FakeField[], rows: readonly WireRow[]): void {
  for (const c of columns) {
    if (c.nullable) continue;
    if (rows.some((r) => r[c.name] === null || r[c.name] === undefined)) {
      throw badRequest(`column ${c.name} is not nullable`);
    }
  }
}

export function insertRows(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  body: Uint8Array,
  limits?: FakeLimits,
): Answer {
  const t = store.table(tx, schema, table);
  const { fields, rows } = decodeRows(body);
  if (fields.some((f) => f.name === ROW_ID)) throw badRequest(`${ROW_ID} is allocated by the server`);
  limits?.checkCells(body.byteLength, checkFields(t, fields, false, body, rows), rows);
  const full = rows.map((r) => {
    const row: WireRow = {};
    for (const c of t.fields) row[c.name] = r[c.name] ?? null;
    return row;
  });
  checkNulls(t.fields, full);
  const first = store.allocateRowIds(t.uid, full.length);
  const ids: WireRow[] = full.map((row, i) => {
    const id = first + BigInt(i);
    row[ROW_ID] = id;
    return { [ROW_ID]: id };
  });
  const next = { ...t, rows: t.rows.put(full) };
  store.writeRows(
    tx,
    schema,
    table,
    t,
    next,
    full.map((r) => r[ROW_ID] as bigint),
  );
  return { body: encodeRows([ROW_ID_FIELD], ids) };
}

/** The table's rows of the body's row ids, checking order, repeats and existence. */
function locate(t: TableState, fields: readonly DecodedField[], rows: readonly WireRow[]): WireRow[] {
  const first = fields[0];
  if (!first || first.name !== ROW_ID || first.type !== 'uint64') {
    throw badRequest(`the first column must be ${ROW_ID} (uint64)`);
  }
  let previous = -1n;
  return rows.map((r) => {
    const id = r[ROW_ID];
    if (typeof id !== 'bigint') throw badRequest(`${ROW_ID} must not be null`);
    if (id <= previous)
      throw badRequest(`${ROW_ID} values must be sorted and distinct (${id} after ${previous})`);
    previous = id;
    const row = t.rows.get(id);
    if (row === undefined) throw badRequest(`unknown ${ROW_ID} ${id}`);
    return row;
  });
}

export function updateRows(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  body: Uint8Array,
  limits?: FakeLimits,
): Answer {
  const t = store.table(tx, schema, table);
  const { fields, rows } = decodeRows(body);
  const columns = checkFields(t, fields, true, body, rows);
  limits?.checkCells(body.byteLength, columns, rows);
  if (columns.length === 0) throw badRequest('an update needs at least one column besides $row_id');
  checkNulls(columns, rows);
  const changed = locate(t, fields, rows).map((old, i) => {
    const row = { ...old };
    for (const c of columns) row[c.name] = (rows[i] as WireRow)[c.name] ?? null;
    return row;
  });
  const next = { ...t, rows: t.rows.put(changed) };
  store.writeRows(
    tx,
    schema,
    table,
    t,
    next,
    changed.map((r) => r[ROW_ID] as bigint),
  );
  return {};
}

export function deleteRows(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  body: Uint8Array,
): Answer {
  const t = store.table(tx, schema, table);
  const { fields, rows } = decodeRows(body);
  if (fields.length !== 1) throw badRequest(`a delete body holds ${ROW_ID} alone`);
  const gone = locate(t, fields, rows).map((r) => r[ROW_ID] as bigint);
  store.writeRows(tx, schema, table, t, { ...t, rows: t.rows.remove(gone) }, gone);
  return {};
}
