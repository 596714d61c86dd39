/**
 * Semi-sorted projections, as VAST's SDK manages them (`Table.create_projection`, `projections`,
 * `Projection.columns/rename/drop`, `get_projection_stats`; `QueryConfig.semi_sorted_projection_name`):
 *
 *   POST   …/{table}?projection&name=P          CreateProjectionRequest{columns:[{name, type}]}
 *   GET    …/{table}?projection                  ListProjectionsResponse (paged as other lists)
 *   GET    …/{table}?projection-stats&name=P     GetProjectionTableStatsResponse
 *   GET    …/{table}?projection-columns&name=P   Arrow IPC stream: the projection's columns
 *   PUT    …/{table}?projection&name=P           AlterProjectionTableRequest{new_name, properties}
 *   DELETE …/{table}?projection&name=P
 *
 * A projection is part of its table's structure (created, renamed and dropped in transactions,
 * conflicting as a column change does); it holds no copy of the rows, which it always has all of
 * (VAST builds one in the background: its stats say 0 % dirty, 100 % synced).
 *
 * QueryData from a projection (fake.query.ts `runQuery`): VAST reads one instead of the table
 * when `tabular-enable-sorted-projections` is true and one suits the query, or the one the request
 * names (`&name=P`). How VAST picks is not published; the fake takes, in name order, the first
 * projection holding every column the request names whose first sorted column a top-level
 * conjunct of the filter bounds, and never one for a request of `$row_id` (a projection's rows are
 * not the table's). Its answer has the same rows as the table's, ordered by the sorted columns,
 * dealt to sub-splits in blocks of positions in that order (`tabular-split`'s row groups per
 * sub-split, of ROW_GROUP_ROWS rows each), with positions as cursors. So a small answer comes in
 * order from one sub-split, as the SDK's own test of projections expects of VAST.
 */
import { Builder, type Offset } from 'flatbuffers';
import { FbTable, LAYOUT } from '../../src/db/engines/vast/wire/wire.fb.ts';
import { concatBytes, EOS } from '../../src/db/engines/vast/wire/wire.ipc.ts';
import { ROW_ID, type WireRow } from '../../src/db/engines/vast/wire/wire.types.ts';
import { type Answer, page, sizeOf } from './fake.catalog.ts';
import type { FakeExpr, FakeQuery } from './fake.computeir.ts';
import { badRequest, conflict, notFound } from './fake.errors.ts';
import { encodeFakeSchema } from './fake.leaves.ts';
import type { FakeStore, Projection, TableState, Transaction } from './fake.store.ts';
import type { FakeField } from './fake.types.ts';

export type { Projection };

type Headers = Readonly<Record<string, string | undefined>>;

/** Rows of a row group, as the fake deals a projection's rows (VAST's figure is not published). */
export const ROW_GROUP_ROWS = 1024;

const OD = LAYOUT['tabular.ObjectDetails'];
/** tabular.ColumnType: Unsorted = 0, Sorted = 1 (the SDK's vast_flatbuf/tabular/ColumnType.py). */
const SORTED = 1;

let handles = 1;

function finish(b: Builder, root: Offset): Uint8Array {
  b.finish(root);
  return b.asUint8Array().slice();
}

function offsets(b: Builder, items: readonly Offset[]): Offset {
  b.startVector(4, items.length, 4);
  for (let i = items.length - 1; i >= 0; i--) b.addOffset(items[i] as Offset);
  return b.endVector();
}

/** CreateProjectionRequest{columns:[Column{name, type}]}, as the SDK's `create_projection` builds it. */
export function encodeCreateProjection(sorted: readonly string[], unsorted: readonly string[]): Uint8Array {
  const b = new Builder(256);
  const columns = [...sorted.map((n) => [n, SORTED] as const), ...unsorted.map((n) => [n, 0] as const)].map(
    ([name, type]) => {
      const s = b.createString(name);
      b.startObject(2);
      b.addFieldOffset(0, s, 0);
      b.addFieldInt8(1, type, 0);
      return b.endObject();
    },
  );
  const vector = offsets(b, columns);
  b.startObject(1);
  b.addFieldOffset(0, vector, 0);
  return finish(b, b.endObject());
}

/** The projections of `t` (none when it has none). */
export const projectionsOf = (t: TableState): readonly Projection[] => t.projections ?? [];

function named(t: TableState, name: string | undefined): Projection {
  const p = projectionsOf(t).find((x) => x.name === name);
  if (!p) throw notFound('NoSuchProjection', `projection ${name ?? '(no name)'} does not exist`);
  return p;
}

function withProjections(t: TableState, projections: readonly Projection[]): TableState {
  return { ...t, projections };
}

export function createProjection(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  name: string | undefined,
  body: Uint8Array,
): Answer {
  const t = store.table(tx, schema, table);
  if (!name) throw badRequest('a projection needs a name');
  if (projectionsOf(t).some((p) => p.name === name)) {
    throw conflict('ProjectionAlreadyExists', `projection ${name} already exists`);
  }
  const sorted: string[] = [];
  const unsorted: string[] = [];
  for (const c of FbTable.root(body).tables(0)) {
    const column = c.str(0) ?? '';
    if (!t.fields.some((f) => f.name === column)) throw badRequest(`table has no column ${column}`);
    if (sorted.includes(column) || unsorted.includes(column))
      throw badRequest(`column ${column} given twice`);
    (c.u8(1) === SORTED ? sorted : unsorted).push(column);
  }
  if (sorted.length === 0) throw badRequest('a projection needs a sorted column');
  const p: Projection = { name, handle: handles++, sorted, unsorted };
  store.putTable(tx, schema, table, withProjections(t, [...projectionsOf(t), p]));
  return {};
}

export function alterProjection(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  name: string | undefined,
  body: Uint8Array,
): Answer {
  const t = store.table(tx, schema, table);
  const p = named(t, name);
  const newName = body.byteLength > 0 ? FbTable.root(body).str(0) : null;
  if (!newName || newName === p.name) return {};
  if (projectionsOf(t).some((x) => x.name === newName)) {
    throw conflict('ProjectionAlreadyExists', `projection ${newName} already exists`);
  }
  const renamed = projectionsOf(t).map((x) => (x === p ? { ...p, name: newName } : x));
  store.putTable(tx, schema, table, withProjections(t, renamed));
  return {};
}

export function dropProjection(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  name: string | undefined,
): Answer {
  const t = store.table(tx, schema, table);
  const p = named(t, name);
  store.putTable(
    tx,
    schema,
    table,
    withProjections(
      t,
      projectionsOf(t).filter((x) => x !== p),
    ),
  );
  return {};
}

const projectionSize = (t: TableState, p: Projection) => sizeOf(t, new Set([...p.sorted, ...p.unsorted]));

export function listProjections(
  bucket: string,
  schema: string,
  table: string,
  t: TableState,
  headers: Headers,
): Answer {
  const byName = new Map(projectionsOf(t).map((p) => [p.name, p]));
  const p = page([...byName.keys()], headers);
  const b = new Builder(256);
  const details = p.names.map((name) => {
    const proj = byName.get(name) as Projection;
    const n = b.createString(name);
    const props = b.createString('');
    const handle = b.createString(String(proj.handle));
    b.startObject(10);
    b.addFieldOffset(OD.name, n, 0);
    b.addFieldOffset(OD.properties, props, 0);
    b.addFieldOffset(OD.handle, handle, 0);
    b.addFieldInt64(OD.num_rows, BigInt(t.rows.size), 0n);
    b.addFieldInt64(OD.size_in_bytes, projectionSize(t, proj), 0n);
    return b.endObject();
  });
  const vector = offsets(b, details);
  const names = [bucket, schema, table].map((s) => b.createString(s));
  b.startObject(4);
  names.forEach((s, i) => {
    b.addFieldOffset(i, s, 0);
  });
  b.addFieldOffset(3, vector, 0);
  return { headers: p.headers, body: finish(b, b.endObject()) };
}

export function projectionStats(t: TableState, name: string | undefined): Answer {
  const p = named(t, name);
  const b = new Builder(64);
  b.startObject(4);
  b.addFieldInt64(0, BigInt(t.rows.size), 0n);
  b.addFieldInt64(1, projectionSize(t, p), 0n);
  b.addFieldInt64(2, 0n, 0n); // dirty blocks, %
  b.addFieldInt64(3, 100n, 0n); // initial sync, %
  return { body: finish(b, b.endObject()) };
}

/**
 * The projection's columns, sorted ones first, as an IPC stream (schema + EOS) like `?column`.
 * Sorted columns carry the metadata VAST 5.5 puts on a sorted table's columns
 * (`VAST:sort_type: Sorted`, `VAST:sort_index`): what VAST puts on a projection's is not published.
 */
export function listProjectionColumns(t: TableState, name: string | undefined, headers: Headers): Answer {
  const p = named(t, name);
  const order = [...p.sorted, ...p.unsorted];
  const names = page(order, { ...headers, 'tabular-name-prefix': headers['tabular-name-prefix'] ?? '' });
  const chosen = new Set(names.names);
  const fields = order
    .filter((n) => chosen.has(n))
    .map((n) => t.fields.find((f) => f.name === n) as FakeField);
  const meta = new Map(
    p.sorted.map((n, i) => [
      n,
      new Map([
        ['VAST:sort_type', 'Sorted'],
        ['VAST:sort_index', String(i)],
      ]),
    ]),
  );
  return { headers: names.headers, body: concatBytes([encodeFakeSchema(fields, meta), EOS]) };
}

type Plain = string | bigint | number | boolean;

/**
 * Rows as a projection orders them: by its sorted columns, nulls last, then by row id. (VAST sorts
 * within blocks of rows only, "semi-sorted": no client may count on an order, and the engine
 * does not; a total order is one of the orders VAST may give.)
 */
export function inProjectionOrder(rows: readonly WireRow[], p: Projection): WireRow[] {
  const keys = [...p.sorted, ROW_ID];
  const cmp = (a: WireRow, b: WireRow): number => {
    for (const k of keys) {
      const [x, y] = [a[k] ?? null, b[k] ?? null];
      if (x === y) continue;
      if (x === null || y === null) return x === null ? 1 : -1;
      if ((x as Plain) < (y as Plain)) return -1;
      if ((x as Plain) > (y as Plain)) return 1;
    }
    return 0;
  };
  return [...rows].sort(cmp);
}

/** A column a top-level conjunct of the filter compares with a literal (what prunes a read). */
function bounded(filter: FakeExpr, fields: readonly FakeField[], column: string): boolean {
  const conjuncts = filter.kind === 'call' && filter.name === 'and' ? filter.args : [filter];
  const names = (e: FakeExpr): string[] =>
    e.kind === 'field'
      ? [fields[e.position]?.name ?? '']
      : e.kind === 'call' && e.name !== 'is_null' && e.name !== 'is_valid'
        ? e.args.flatMap(names)
        : [];
  return conjuncts.some((c) => {
    const used = names(c);
    return used.length > 0 && used.every((n) => n === column);
  });
}

/** The projection a QueryData reads (see the top of this file), or null for the table. */
export function chooseProjection(
  t: TableState,
  req: FakeQuery,
  headers: Headers,
  name: string | undefined,
): Projection | null {
  const wanted = req.fields.map((f) => f.name);
  const covers = (p: Projection) => wanted.every((n) => p.sorted.includes(n) || p.unsorted.includes(n));
  if (name) {
    const p = named(t, name);
    if (!covers(p)) throw badRequest(`projection ${name} does not hold every column the query names`);
    return p;
  }
  if ((headers['tabular-enable-sorted-projections'] ?? '').toLowerCase() !== 'true') return null;
  if (wanted.includes(ROW_ID) || req.operands !== undefined) return null;
  const candidates = [...projectionsOf(t)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return candidates.find((p) => covers(p) && bounded(req.filter, req.fields, p.sorted[0] as string)) ?? null;
}

/**
 * A projection the fake creates with a table (FakeVastOptions.projections): what an operator
 * would add to a table the server made, declared before the server makes it (the benchmark's
 * `FAKE_VAST_PROJECTIONS`). `table` is `schema/table`; `unsorted` defaults to every other column.
 */
export interface DeclaredProjection {
  readonly table: string;
  readonly name: string;
  readonly sorted: readonly string[];
  readonly unsorted?: readonly string[];
}

export function addDeclaredProjections(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  declared: readonly DeclaredProjection[],
): void {
  for (const d of declared) {
    if (d.table !== `${schema}/${table}`) continue;
    const t = store.table(tx, schema, table);
    const unsorted = d.unsorted ?? t.fields.map((f) => f.name).filter((n) => !d.sorted.includes(n));
    createProjection(store, tx, schema, table, d.name, encodeCreateProjection(d.sorted, unsorted));
  }
}
