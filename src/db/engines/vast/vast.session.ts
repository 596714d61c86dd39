import { sortRows } from '../../compare.ts';
import { DbError } from '../../db.errors.ts';
import type { DbSession, Predicate, Row, SelectOptions } from '../../db.types.ts';
import type { VastApi } from './vast.api.ts';
import type { TableMeta } from './vast.catalog.ts';
import { type KeySelect, type KnownRowIds, keySelect } from './vast.rowids.ts';
import { batchToRows, type QuerySettings, queryBatches } from './vast.select.ts';
import { toWire } from './vast.values.ts';
import { deleteRows, insertRows, updateEachRows, updateRows, type WriteContext } from './vast.write.ts';
import type { QueryBatch } from './wire/wire.frames.ts';
import { matchesNothing } from './wire/wire.query.ts';
import { ROW_ID, type WireField } from './wire/wire.types.ts';

/** Rows handed to a scan's onBatch at a time at most. */
export const SCAN_BATCH_ROWS = 4096;

/** What a session needs from its engine: where its calls run and the table layouts. */
export interface SessionContext {
  readonly api: VastApi;
  readonly query: QuerySettings;
  /** Runs a read in a transaction (the caller's, or a read snapshot for autocommit). */
  read<T>(fn: (txid: bigint) => Promise<T>): Promise<T>;
  /**
   * Runs a write to `table` in a transaction (the caller's, or its own with autocommit). In the
   * caller's, writes to one table go one at a time, in the order made; writes to different
   * tables go side by side.
   */
  write<T>(table: string, fn: (txid: bigint) => Promise<T>): Promise<T>;
  /** The table's layout with every column of `names` (reloaded once if the cache lacks one). */
  table(name: string, txid: bigint, names: readonly string[]): Promise<TableMeta>;
}

function predicateColumns(where: Predicate | undefined): string[] {
  return (where?.all ?? []).map((g) => g.column);
}

/** The projection plus the ORDER BY columns it lacks (sorted on, then dropped by `project`). */
function withOrderColumns<T extends Omit<SelectOptions, 'limit'>>(options: T): T {
  const columns = options.columns;
  if (columns === undefined) return options;
  const extra = (options.orderBy ?? []).map((o) => o.column).filter((c) => !columns.includes(c));
  return extra.length === 0 ? options : { ...options, columns: [...columns, ...new Set(extra)] };
}

/** Drops the columns only fetched to sort on. */
function project(rows: Row[], options: Omit<SelectOptions, 'limit'>): Row[] {
  const columns = options.columns;
  if (columns === undefined || !(options.orderBy ?? []).some((o) => !columns.includes(o.column))) return rows;
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
}

/** The DbSession of the VAST engine: predicates pushed down, ORDER BY and LIMIT done here. */
export class VastSession implements DbSession {
  constructor(
    private readonly ctx: SessionContext,
    /** In a transaction: the row ids its key selects found (updateEach uses them). */
    private readonly known?: KnownRowIds,
  ) {}

  select(table: string, options: SelectOptions = {}): Promise<Row[]> {
    // Known empty (`in []`): no transaction, no round trip. The manager checked the names.
    if (matchesNothing(options.where)) return Promise.resolve([]);
    const key = this.known && options.limit === undefined ? keySelect(options.where) : undefined;
    if (key !== undefined) return this.selectByKey(table, options, key, this.known as KnownRowIds);
    return this.ctx.read(async (txid) => {
      const rows: Row[] = [];
      const orderBy = options.orderBy ?? [];
      // Without an order the first `limit` rows will do, and paging stops there.
      const limit = orderBy.length === 0 ? options.limit : undefined;
      for await (const batch of this.batches(txid, table, withOrderColumns(options), limit)) {
        for (const row of batchToRows(batch)) rows.push(row);
      }
      sortRows(rows, orderBy);
      const limited = options.limit === undefined ? rows : rows.slice(0, options.limit);
      return project(limited, options);
    });
  }

  /** A select on a key alone in a transaction: the rows' ids come along and are kept. */
  private selectByKey(
    table: string,
    options: SelectOptions,
    key: KeySelect,
    known: KnownRowIds,
  ): Promise<Row[]> {
    return this.ctx.read(async (txid) => {
      const mark = known.mark(table);
      const batches: QueryBatch[] = [];
      for await (const batch of this.batches(txid, table, withOrderColumns(options), undefined, key.column))
        batches.push(batch);
      const meta = await this.ctx.table(table, txid, [key.column]);
      const field = meta.byName.get(key.column) as WireField;
      // The key column, fetched for the row ids, goes if the projection left it out.
      const extraKey = options.columns !== undefined && !options.columns.includes(key.column);
      known.remember(
        table,
        mark,
        key.column,
        key.values.map((v) => toWire(field, v as Row[string])),
        batches,
      );
      const rows: Row[] = [];
      for (const batch of batches) {
        for (const row of batchToRows(batch)) {
          delete row[ROW_ID];
          if (extraKey) delete row[key.column];
          rows.push(row);
        }
      }
      return project(sortRows(rows, options.orderBy ?? []), options);
    });
  }

  scan(
    table: string,
    options: Omit<SelectOptions, 'limit'>,
    onBatch: (rows: Row[]) => void | Promise<void>,
  ): Promise<void> {
    return this.ctx.read(async (txid) => {
      const orderBy = options.orderBy ?? [];
      if (orderBy.length > 0) {
        // VAST returns rows in no order: an ordered scan (segments.repo loads the index in flow
        // order) has to hold the result to sort it, then hands it over in batches.
        let rows: Row[] = [];
        for await (const batch of this.batches(txid, table, withOrderColumns(options))) {
          for (const row of batchToRows(batch)) rows.push(row);
        }
        rows = project(sortRows(rows, orderBy), options);
        for (let i = 0; i < rows.length; i += SCAN_BATCH_ROWS)
          await onBatch(rows.slice(i, i + SCAN_BATCH_ROWS));
        return;
      }
      for await (const batch of this.batches(txid, table, options)) {
        const rows = batchToRows(batch);
        for (let i = 0; i < rows.length; i += SCAN_BATCH_ROWS) {
          await onBatch(
            i === 0 && rows.length <= SCAN_BATCH_ROWS ? rows : rows.slice(i, i + SCAN_BATCH_ROWS),
          );
        }
      }
    });
  }

  count(table: string, where?: Predicate): Promise<number> {
    if (matchesNothing(where)) return Promise.resolve(0);
    return this.ctx.read(async (txid) => {
      let n = 0;
      for await (const batch of this.batches(txid, table, { where, columns: [] })) n += batch.numRows;
      return n;
    });
  }

  insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.write(table, async (txid) => {
      const meta = await this.ctx.table(table, txid, Object.keys(rows[0] as Row));
      await insertRows(this.writeContext(txid), meta, rows);
    });
  }

  update(table: string, where: Predicate, changes: Row): Promise<number> {
    if (matchesNothing(where)) return Promise.resolve(0);
    return this.write(table, async (txid) => {
      const meta = await this.ctx.table(table, txid, [...Object.keys(changes), ...predicateColumns(where)]);
      return updateRows(this.writeContext(txid), meta, where, changes);
    });
  }

  updateEach(table: string, key: string, rows: readonly Row[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.write(table, async (txid) => {
      const meta = await this.ctx.table(table, txid, Object.keys(rows[0] as Row));
      const field = meta.byName.get(key) as WireField;
      const ids = this.known?.find(
        table,
        key,
        rows.map((r) => toWire(field, r[key] ?? null)),
      );
      return updateEachRows(this.writeContext(txid), meta, key, rows, ids);
    });
  }

  delete(table: string, where: Predicate): Promise<number> {
    if (matchesNothing(where)) return Promise.resolve(0);
    return this.write(table, async (txid) => {
      const meta = await this.ctx.table(table, txid, predicateColumns(where));
      return deleteRows(this.writeContext(txid), meta, where);
    });
  }

  /** `rowIdsBy`: a key column to fetch along with `$row_id` (selectByKey). */
  private async *batches(
    txid: bigint,
    table: string,
    options: Omit<SelectOptions, 'limit'>,
    limit?: number,
    rowIdsBy?: string,
  ): ReturnType<typeof queryBatches> {
    const named = [...(options.columns ?? []), ...(options.orderBy ?? []).map((o) => o.column)];
    const meta = await this.ctx.table(table, txid, [...named, ...predicateColumns(options.where)]);
    let columns = options.columns ?? meta.fields.map((f) => f.name);
    for (const c of named) {
      if (!meta.byName.has(c))
        throw new DbError('unknown_column', `unknown column "${c}" in table "${table}"`);
    }
    if (rowIdsBy !== undefined && !columns.includes(rowIdsBy)) columns = [...columns, rowIdsBy];
    const spec = {
      table,
      fields: meta.fields,
      columns,
      where: options.where,
      limit,
      rowId: rowIdsBy !== undefined,
    };
    yield* queryBatches(this.ctx.api, txid, spec, this.ctx.query);
  }

  /** A write to `table`: row ids known of it are forgotten (KnownRowIds.writing). */
  private write<T>(table: string, work: (txid: bigint) => Promise<T>): Promise<T> {
    const known = this.known;
    if (known === undefined) return this.ctx.write(table, work);
    return this.ctx.write(table, (txid) => known.writing(table, () => work(txid)));
  }

  private writeContext(txid: bigint): WriteContext {
    return { api: this.ctx.api, txid, query: this.ctx.query };
  }
}
