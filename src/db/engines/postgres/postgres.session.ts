import type { DbSession, Predicate, Row, SelectOptions } from '../../db.types.ts';
import { columnsOf } from '../sql/sql.compile.ts';
import type { Queryable } from './postgres.catalog.ts';
import { type CopyTarget, copyData } from './postgres.copy.ts';
import { type ArrayInsert, Params, type PgTable, POSTGRES_SQL as SQL } from './postgres.sql.ts';

/** Rows a scan fetches from its cursor at a time. */
export const SCAN_BATCH = 1000;

/**
 * Inserts of at least this many rows go by `COPY … FROM STDIN`, fewer by one INSERT of unnested
 * arrays. COPY takes a round trip more (the server's CopyInResponse before the data) and less
 * work per row, on both sides (no arrays built, serialised, parsed and unnested). On one machine
 * (bench/postgres.copy.ts, segment rows, autocommit / in a transaction) it saves 0.24 / 0.26 ms
 * a call at 100 rows, 0.9 / 1.0 ms at 500, 3.1 / 2.8 ms at 1,000, 34 ms at 10k (1.65×): from
 * 500 rows COPY is no slower over a network whose round trip is up to ~1 ms (a neighbouring
 * zone), and the store's bulk POST (1,000 segments) goes by COPY.
 */
export const COPY_FROM_ROWS = 500;

/** Where a session's statements run: the engine's autocommit paths, or one transaction's connection. */
export interface SessionContext {
  /** Runs a read. */
  read<T>(work: (db: Queryable) => Promise<T>): Promise<T>;
  /** Runs a write (autocommit: in turn with the engine's transactions). */
  write<T>(work: (db: CopyTarget) => Promise<T>): Promise<T>;
  /** Runs `work` on one connection inside a transaction (a cursor lives only there). */
  cursor<T>(work: (db: Queryable) => Promise<T>): Promise<T>;
  /** The table's metadata, holding at least `names`; unknown_table when there is none. */
  table(db: Queryable, name: string, names: readonly string[]): Promise<PgTable>;
  /** Inserts of at least this many rows go by COPY. */
  readonly copyFromRows: number;
  /** In a write transaction: inserts are held back and carried by the next write (PostgresSession). */
  readonly carries?: boolean;
}

let cursors = 0;

/**
 * The engine's calls as statements. In a write transaction (SessionContext.carries) an insert is
 * not sent at once: its values are made (and refused, as at once, when PostgreSQL cannot hold
 * them) and held, and the transaction's next write to another table carries every held insert
 * as its WITH clauses (`WITH w0 AS (INSERT …) UPDATE …`): one statement, one round trip, where a
 * Flow's creation inserts a Source, the Flow and its tags and then writes its events. Anything
 * else (a read, a write to a table an insert is held for, a COPY, the commit: `finish`) sends
 * the held inserts first, as one statement. What the transaction reads is then what it wrote,
 * in the order it wrote it; only a failed insert is reported by the call that carried it, and
 * `finish` reports it again should that call's caller have let it go.
 */
export class PostgresSession implements DbSession {
  private readonly held: ArrayInsert[] = [];
  private failure: unknown;

  constructor(private readonly ctx: SessionContext) {}

  /** Before the commit: sends what is held; refuses to commit after a held insert failed. */
  async finish(): Promise<void> {
    await this.flush();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Sends the held inserts, as one statement: before a statement that must see them. */
  private async flush(): Promise<void> {
    if (this.held.length === 0) return;
    const inserts = this.held.splice(0);
    const last = inserts.pop() as ArrayInsert;
    await this.ctx.write(async (db) => {
      const p = new Params();
      const text = SQL.withInserts(p, inserts) + SQL.insertOf(p, last);
      await this.carrying(db.query(text, p.values));
    });
  }

  /**
   * The held inserts as WITH clauses of a write to `table` (their parameters bound first in
   * `p`); sent first instead when one inserts into `table`, which the write would not see.
   */
  private async carried(p: Params, table: PgTable): Promise<string> {
    if (this.held.length === 0) return '';
    if (this.held.some((insert) => insert.table.qualified === table.qualified)) {
      await this.flush();
      return '';
    }
    return SQL.withInserts(p, this.held.splice(0));
  }

  /** A statement carrying held inserts: its failure is theirs too (finish). */
  private async carrying<T>(statement: Promise<T>): Promise<T> {
    try {
      return await statement;
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  /** Runs a write's statement, its held inserts before it. */
  private async write(db: Queryable, table: PgTable, statement: (p: Params) => string) {
    const p = new Params();
    const prefix = await this.carried(p, table);
    const text = prefix + statement(p);
    return prefix === '' ? db.query(text, p.values) : this.carrying(db.query(text, p.values));
  }

  select(name: string, options: SelectOptions = {}): Promise<Row[]> {
    return this.afterHeld(() => this.selectNow(name, options));
  }

  /** Runs `work` once the held inserts are sent (a read sees them). */
  private async afterHeld<T>(work: () => Promise<T>): Promise<T> {
    await this.flush();
    return work();
  }

  private selectNow(name: string, options: SelectOptions): Promise<Row[]> {
    return this.ctx.read(async (db) => {
      const table = await this.ctx.table(db, name, referenced(options));
      const columns = options.columns ?? [...table.types.keys()];
      const p = new Params();
      const { rows } = await db.query(SQL.select(p, table, columns, options), p.values);
      return options.columns === undefined || columns.length > 0 ? (rows as Row[]) : rows.map(() => ({}));
    });
  }

  count(name: string, where?: Predicate): Promise<number> {
    return this.afterHeld(() =>
      this.ctx.read(async (db) => {
        const table = await this.ctx.table(db, name, predicateColumns(where));
        const p = new Params();
        const { rows } = await db.query(SQL.count(p, table, where), p.values);
        return Number(rows[0]?.n ?? 0);
      }),
    );
  }

  insert(name: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.ctx.write(async (db) => {
      const columns = columnsOf(rows);
      const table = await this.ctx.table(db, name, columns);
      const copy = rows.length >= this.ctx.copyFromRows ? copyData(table, rows, columns) : null;
      if (copy !== null) {
        await this.flush();
        await db.copyFrom(copy.sql, copy.chunks);
        return;
      }
      const insert = { table, arrays: SQL.columnArrays(table, columns, rows) };
      if (this.ctx.carries) {
        this.held.push(insert);
        return;
      }
      const p = new Params();
      await db.query(SQL.insertOf(p, insert), p.values);
    });
  }

  update(name: string, where: Predicate, changes: Row): Promise<number> {
    return this.ctx.write(async (db) => {
      const table = await this.ctx.table(db, name, [...Object.keys(changes), ...predicateColumns(where)]);
      const result = await this.write(db, table, (p) => SQL.update(p, table, where, changes));
      return result.rowCount ?? 0;
    });
  }

  delete(name: string, where: Predicate): Promise<number> {
    return this.ctx.write(async (db) => {
      const table = await this.ctx.table(db, name, predicateColumns(where));
      const result = await this.write(db, table, (p) => SQL.delete(p, table, where));
      return result.rowCount ?? 0;
    });
  }

  updateEach(name: string, key: string, rows: readonly Row[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.ctx.write(async (db) => {
      const table = await this.ctx.table(db, name, [key, ...Object.keys(rows[0] ?? {})]);
      const result = await this.write(db, table, (p) => SQL.updateEach(p, table, key, rows));
      return result.rowCount ?? 0;
    });
  }

  /** A cursor fetched SCAN_BATCH rows at a time: the result is never held whole. */
  scan(
    name: string,
    options: Omit<SelectOptions, 'limit'>,
    onBatch: (rows: Row[]) => void | Promise<void>,
  ): Promise<void> {
    return this.afterHeld(() => this.scanNow(name, options, onBatch));
  }

  private scanNow(
    name: string,
    options: Omit<SelectOptions, 'limit'>,
    onBatch: (rows: Row[]) => void | Promise<void>,
  ): Promise<void> {
    return this.ctx.cursor(async (db) => {
      const table = await this.ctx.table(db, name, referenced(options));
      const columns = options.columns ?? [...table.types.keys()];
      const p = new Params();
      const cursor = `tams_scan_${++cursors}`;
      await db.query(
        `DECLARE ${cursor} NO SCROLL CURSOR FOR ${SQL.select(p, table, columns, options)}`,
        p.values,
      );
      try {
        for (;;) {
          const { rows } = await db.query(`FETCH ${SCAN_BATCH} FROM ${cursor}`);
          if (rows.length > 0) await onBatch(rows as Row[]);
          if (rows.length < SCAN_BATCH) break;
        }
      } finally {
        await db.query(`CLOSE ${cursor}`).catch(() => undefined);
      }
    });
  }
}

function predicateColumns(where: Predicate | undefined): string[] {
  return (where?.all ?? []).map((g) => g.column);
}

function referenced(options: SelectOptions): string[] {
  return [
    ...(options.columns ?? []),
    ...predicateColumns(options.where),
    ...(options.orderBy ?? []).map((o) => o.column),
  ];
}
