import { DbError } from '../../db.errors.ts';
import type { Predicate, Row } from '../../db.types.ts';
import type { VastApi } from './vast.api.ts';
import type { TableMeta } from './vast.catalog.ts';
import { type QuerySettings, queryBatches } from './vast.select.ts';
import { keyOf, toWire, toWireRows } from './vast.values.ts';
import { deleteBody, updateBody } from './wire/wire.rows.ts';
import { sliceRows } from './wire/wire.slices.ts';
import { ROW_ID, type WireField, type WireRow, type WireValue } from './wire/wire.types.ts';

/** `in` lists of updateEach keys are sent this many at a time (QueryData bodies stay small). */
const KEYS_PER_QUERY = 2000;

export interface WriteContext {
  readonly api: VastApi;
  readonly txid: bigint;
  readonly query: QuerySettings;
}

function fieldsOf(meta: TableMeta, names: Iterable<string>): WireField[] {
  const out: WireField[] = [];
  for (const name of names) {
    const f = meta.byName.get(name);
    if (f === undefined)
      throw new DbError('unknown_column', `unknown column "${name}" in table "${meta.name}"`);
    out.push(f);
  }
  return out;
}

/** Sends rows in bodies under VAST's 5 MiB request limit (sliceRows), one POST/PUT/DELETE each. */
async function sendSlices(
  ctx: WriteContext,
  table: string,
  method: 'POST' | 'PUT' | 'DELETE',
  fields: readonly WireField[],
  rows: readonly WireRow[],
): Promise<void> {
  let slices: Generator<{ body: Uint8Array }>;
  try {
    slices = sliceRows(fields, rows);
    for (const slice of slices) {
      await ctx.api.request({ method, table, query: [['rows']], txid: ctx.txid, body: slice.body });
    }
  } catch (e) {
    throw ctx.api.mapError(e, table);
  }
}

/** Insert: the rows carry every declared column (manager); columns only in VAST stay null. */
export async function insertRows(ctx: WriteContext, meta: TableMeta, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const fields = fieldsOf(meta, Object.keys(rows[0] as Row));
  await sendSlices(ctx, meta.name, 'POST', fields, toWireRows(fields, rows));
}

/** The row ids of the rows matching `where`, and the `extra` columns of each, in this transaction. */
async function matching(
  ctx: WriteContext,
  meta: TableMeta,
  where: Predicate,
  extra: readonly string[] = [],
): Promise<WireRow[]> {
  const out: WireRow[] = [];
  const spec = { table: meta.name, fields: meta.fields, columns: extra, where, rowId: true };
  for await (const batch of queryBatches(ctx.api, ctx.txid, spec, ctx.query)) {
    for (let r = 0; r < batch.numRows; r++) {
      const row: WireRow = {};
      batch.fields.forEach((f, c) => {
        row[f.name] = (batch.columns[c] as readonly WireValue[])[r] ?? null;
      });
      out.push(row);
    }
  }
  return out;
}

/** Update: select `$row_id` with the predicate, then PUT `?rows` ($row_id first, sorted). */
export async function updateRows(
  ctx: WriteContext,
  meta: TableMeta,
  where: Predicate,
  changes: Row,
): Promise<number> {
  const fields = fieldsOf(meta, Object.keys(changes));
  const found = await matching(ctx, meta, where);
  if (found.length === 0) return 0;
  const values = toWireRows(fields, [changes])[0] as WireRow;
  const body = updateBody(
    fields,
    found.map((r) => ({ [ROW_ID]: r[ROW_ID] as WireValue, ...values })),
  );
  await sendSlices(ctx, meta.name, 'PUT', body.fields, body.rows);
  return found.length;
}

/**
 * Per-row values in one update body: the rows whose `key` equals each change's key get its
 * other columns (VAST takes per-row values by row id natively).
 */
export async function updateEachRows(
  ctx: WriteContext,
  meta: TableMeta,
  key: string,
  rows: readonly Row[],
  /** The row ids of every key, found earlier in this transaction (KnownRowIds): no select. */
  known?: ReadonlyMap<string, readonly bigint[]>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const [keyField] = fieldsOf(meta, [key]) as [WireField];
  const fields = fieldsOf(
    meta,
    Object.keys(rows[0] as Row).filter((c) => c !== key),
  );
  const byKey = new Map<string, WireRow>();
  for (const row of rows)
    byKey.set(keyOf(toWire(keyField, row[key])), toWireRows(fields, [row])[0] as WireRow);
  const keys = rows.map((r) => r[key] as Exclude<Row[string], undefined>);
  const updates: WireRow[] = [];
  if (known !== undefined) {
    for (const [k, change] of byKey)
      for (const id of known.get(k) ?? []) updates.push({ [ROW_ID]: id, ...change });
  }
  for (let i = 0; known === undefined && i < keys.length; i += KEYS_PER_QUERY) {
    const where: Predicate = {
      all: [{ column: key, any: [{ op: 'in', value: keys.slice(i, i + KEYS_PER_QUERY) }] }],
    };
    for (const found of await matching(ctx, meta, where, [key])) {
      const change = byKey.get(keyOf(found[key] ?? null));
      if (change !== undefined) updates.push({ [ROW_ID]: found[ROW_ID] ?? null, ...change });
    }
  }
  if (updates.length === 0) return 0;
  const body = updateBody(fields, updates);
  await sendSlices(ctx, meta.name, 'PUT', body.fields, body.rows);
  return updates.length;
}

/** Delete: select `$row_id` with the predicate, then DELETE `?rows` with the sorted ids. */
export async function deleteRows(ctx: WriteContext, meta: TableMeta, where: Predicate): Promise<number> {
  const found = await matching(ctx, meta, where);
  if (found.length === 0) return 0;
  const body = deleteBody(found.map((r) => r[ROW_ID] as bigint));
  await sendSlices(ctx, meta.name, 'DELETE', body.fields, body.rows);
  return found.length;
}
