import type { DbSession, Predicate, Row, SelectOptions } from '../../db.types.ts';
import type { Catalog } from './duckdb.catalog.ts';
import type { DuckConn } from './duckdb.connection.ts';
import { insertNeedsTransaction, insertRows } from './duckdb.insert.ts';
import { countRows, deleteRows, scanRows, selectRows, updateEachRow, updateRows } from './duckdb.ops.ts';

/** Where a session's statements run: autocommit (reader pool + write queue) or one transaction. */
export interface DuckContext {
  readonly catalog: Catalog;
  /** Whether statements run in an open transaction (the caller's), not autocommit. */
  readonly inTransaction: boolean;
  /**
   * `table`: the table the statement reads (undefined: any); `lag`: it may leave out what the
   * append journal holds (SelectOptions.lag).
   */
  read<T>(table: string | undefined, fn: (conn: DuckConn) => Promise<T>, lag?: boolean): Promise<T>;
  /** Told of each write of a transaction: rows appended, or a change to existing rows. */
  wrote?(rows: number, change: boolean): void;
  /**
   * Takes an insert of a transaction that has not begun in DuckDB, for the append journal
   * (duckdb.transaction.ts); false when the rows must go to DuckDB now.
   */
  defer?(table: string, rows: readonly Row[]): Promise<boolean>;
  /** `atomic`: the work is several statements and needs a transaction if not already in one. */
  write<T>(table: string | undefined, atomic: boolean, fn: (conn: DuckConn) => Promise<T>): Promise<T>;
}

export class DuckSession implements DbSession {
  constructor(private readonly ctx: DuckContext) {}

  select(table: string, options: SelectOptions = {}): Promise<Row[]> {
    return this.ctx.read(
      table,
      (conn) => selectRows(conn, this.ctx.catalog, table, options),
      options.lag === true,
    );
  }

  scan(
    table: string,
    options: Omit<SelectOptions, 'limit'>,
    onBatch: (rows: Row[]) => void | Promise<void>,
  ): Promise<void> {
    return this.ctx.read(table, (conn) => scanRows(conn, this.ctx.catalog, table, options, onBatch));
  }

  count(table: string, where?: Predicate): Promise<number> {
    return this.ctx.read(table, (conn) => countRows(conn, this.ctx.catalog, table, where));
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const { inTransaction } = this.ctx;
    if (this.ctx.defer && (await this.ctx.defer(table, rows))) return;
    this.ctx.wrote?.(rows.length, false);
    await this.ctx.write(table, !inTransaction && insertNeedsTransaction(rows.length), async (conn) => {
      await insertRows(conn, await this.ctx.catalog.table(conn, table), rows, inTransaction);
    });
  }

  update(table: string, where: Predicate, changes: Row): Promise<number> {
    this.ctx.wrote?.(0, true);
    return this.ctx.write(table, true, (conn) => updateRows(conn, this.ctx.catalog, table, where, changes));
  }

  delete(table: string, where: Predicate): Promise<number> {
    this.ctx.wrote?.(0, true);
    return this.ctx.write(table, true, (conn) => deleteRows(conn, this.ctx.catalog, table, where));
  }

  updateEach(table: string, key: string, rows: readonly Row[]): Promise<number> {
    this.ctx.wrote?.(0, true);
    return this.ctx.write(table, true, (conn) => updateEachRow(conn, this.ctx.catalog, table, key, rows));
  }
}
