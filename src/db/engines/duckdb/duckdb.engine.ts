import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AnalyticsCapable, AnalyticsEngine } from '../../analytics/analytics.types.ts';
import { DbError, StoreLockedError } from '../../db.errors.ts';
import type { ColumnDef, DbSession, Engine, TableDef, TableInfo } from '../../db.types.ts';
import { DuckAnalytics } from './duckdb.analytics.ts';
import { addColumn, Catalog, createTableSql, dropTableSql, lookupIndexSql } from './duckdb.catalog.ts';
import { Checkpointer, DEFAULT_CHECKPOINT_BYTES, NEVER } from './duckdb.checkpoint.ts';
import { DuckConn } from './duckdb.connection.ts';
import { type DuckContext, DuckSession } from './duckdb.session.ts';
import { tableBytes } from './duckdb.sizes.ts';
import { Mutex, Pool } from './duckdb.sync.ts';

export interface DuckDbEngineOptions {
  /** ':memory:' or a database file (parent directories are created). */
  readonly path: string;
  /** Connections for reads outside transactions (they run in parallel). Default 4. */
  readonly readers?: number;
  /** DuckDB configuration options, e.g. { threads: '2' }. */
  readonly config?: Readonly<Record<string, string>>;
  /** WAL size at which the database is checkpointed (see Checkpointer). Default 64 MiB. */
  readonly checkpointBytes?: number;
}

/**
 * A transaction that only appended up to this many rows commits on the calling thread (see
 * DuckConn.runSync): its COMMIT writes and syncs a WAL of a few hundred KB at most, ~0.5-2 ms.
 * Larger ones, and any that updated or deleted, commit asynchronously, so a long COMMIT never
 * stops the event loop.
 */
const SYNC_COMMIT_MAX_ROWS = 20_000;

export async function createDuckDbEngine(options: DuckDbEngineOptions): Promise<Engine & AnalyticsCapable> {
  const { path } = options;
  if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
  const persistent = path !== ':memory:';
  const config = withSafeOptimizers(options.config ?? {});
  if (persistent) config.checkpoint_threshold = NEVER;
  const instance = await DuckDBInstance.create(path, config).catch((error: unknown) => {
    throw lockedError(error, path) ?? error;
  });
  const writer = new DuckConn(await instance.connect());
  return new DuckDbEngine(instance, writer, options.readers ?? 4, persistent ? path : undefined, options);
}

/**
 * DuckDB's refusal of a file another process holds, as StoreLockedError: the one place that reads
 * DuckDB's wording ("IO Error: Could not set lock on file "…": Conflicting lock is held in
 * /usr/bin/node (PID 123)…"), so that callers never match messages.
 */
function lockedError(error: unknown, path: string): StoreLockedError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/Could not set lock on file|Conflicting lock/i.test(message)) return undefined;
  const pid = /\(PID (\d+)\)/.exec(message)?.[1];
  return new StoreLockedError(path, pid !== undefined ? Number(pid) : undefined);
}

/**
 * Statistics propagation is off. A prepared statement keeps the plan made from the column
 * statistics of the moment it was prepared, and DuckDB 1.5 does not re-plan when the data moves
 * past them: ORDER BY then materialises values squeezed to the old range (a 1e11 read back as 256,
 * a string as its last byte) and filters the old statistics ruled out return nothing. Our
 * connections cache prepared statements, so the plans must not depend on data
 * (test: "prepared statements see data changed after they were prepared").
 */
function withSafeOptimizers(config: Readonly<Record<string, string>>): Record<string, string> {
  const disabled = (config.disabled_optimizers ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!disabled.includes('statistics_propagation')) disabled.push('statistics_propagation');
  return { ...config, disabled_optimizers: disabled.join(',') };
}

/**
 * DuckDB ties a transaction to a connection, so all writes share one writer connection and take
 * turns through `writes` (a FIFO mutex): a transaction holds it from BEGIN to COMMIT/ROLLBACK, and
 * an autocommit write holds it for its statement(s). Reads outside transactions use a pool of other
 * connections and so see only committed data.
 *
 * BEGIN, inserts inside a transaction, and the COMMIT of a transaction that only appended a
 * moderate number of rows run on the calling thread (DuckConn.runSync): a registration is then
 * one stretch of work with no turn of the event loop in it. Checkpoints are this engine's own
 * (Checkpointer), never DuckDB's automatic ones inside a COMMIT.
 */
class DuckDbEngine implements Engine, AnalyticsCapable {
  readonly name = 'duckdb';
  // One process opens a DuckDB file read-write, and no other can open it meanwhile.
  readonly exclusive = true;
  readonly session: DbSession;
  /** Reports on the tables themselves, on connections of their own (duckdb.analytics.ts). */
  readonly analytics: AnalyticsEngine;
  private readonly catalog = new Catalog();
  private readonly writes = new Mutex();
  private readonly readers: Pool<DuckConn>;
  private readonly checkpointer: Checkpointer | undefined;
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckConn,
    readerCount: number,
    /** The database file; undefined in memory. */
    private readonly path: string | undefined,
    options: DuckDbEngineOptions,
  ) {
    this.readers = new Pool(async () => new DuckConn(await instance.connect()), Math.max(1, readerCount));
    this.analytics = new DuckAnalytics(instance, this.catalog);
    if (path !== undefined) {
      this.checkpointer = new Checkpointer(
        `${path}.wal`,
        options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES,
        () => this.writes.run(() => writer.exclusive((conn) => conn.exec('CHECKPOINT'))),
      );
    }
    const autocommit: DuckContext = {
      catalog: this.catalog,
      inTransaction: false,
      read: async (fn) => {
        this.checkOpen();
        return this.readers.use(fn);
      },
      write: async (atomic, fn) => {
        this.checkOpen();
        const result = await this.writes.run(() =>
          writer.exclusive((conn) => (atomic ? inTransaction(conn, fn) : fn(conn))),
        );
        this.checkpointer?.check();
        return result;
      },
    };
    this.session = new DuckSession(autocommit);
  }

  async listTables(): Promise<string[]> {
    this.checkOpen();
    return this.readers.use((conn) => this.catalog.listTables(conn));
  }

  async describeTable(name: string): Promise<TableInfo | null> {
    this.checkOpen();
    return this.readers.use((conn) => this.catalog.describe(conn, name));
  }

  async createTable(def: TableDef): Promise<void> {
    await this.ddl(def.name, (conn) => conn.exec(createTableSql(def)));
  }

  async addColumn(table: string, column: ColumnDef): Promise<void> {
    await this.ddl(table, (conn) => addColumn(conn, table, column));
  }

  async ensureLookups(table: string, columns: readonly string[]): Promise<void> {
    await this.ddl(table, async (conn) => {
      for (const column of columns) await conn.exec(lookupIndexSql(table, column));
    });
  }

  async dropTable(name: string): Promise<void> {
    await this.ddl(name, (conn) => conn.exec(dropTableSql(name)));
  }

  async transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T> {
    this.checkOpen();
    return this.writes.run(async () => {
      let active = true;
      const check = () => {
        if (!active) throw new DbError('transaction_closed', 'the transaction has already ended');
      };
      let appended = 0;
      let changed = false;
      const ctx: DuckContext = {
        wrote: (rows, change) => {
          appended += rows;
          changed ||= change;
        },
        catalog: this.catalog,
        inTransaction: true,
        read: async (work) => {
          check();
          return this.writer.exclusive(work);
        },
        write: async (_atomic, work) => {
          check();
          return this.writer.exclusive(work);
        },
      };
      await this.writer.exclusive(async (conn) => conn.runSync(await conn.statement('BEGIN TRANSACTION')));
      let result: T;
      try {
        result = await fn(new DuckSession(ctx));
      } catch (e) {
        active = false;
        await this.writer.exclusive((conn) => rollback(conn));
        throw e;
      }
      active = false;
      const sync = !changed && appended <= SYNC_COMMIT_MAX_ROWS;
      await this.writer.exclusive((conn) => commit(conn, sync));
      this.checkpointer?.check();
      return result;
    });
  }

  async tableBytes(tables: readonly string[]): Promise<Map<string, number>> {
    this.checkOpen();
    // Behind the writes: the CHECKPOINT moves what is still in the WAL into blocks to count.
    return this.writes.run(() =>
      this.writer.exclusive(async (conn) => {
        if (this.persistent) await conn.exec('CHECKPOINT');
        return tableBytes(conn, tables);
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // Queued behind every write already started; CHECKPOINT folds the WAL into the file.
      await this.writes.run(() =>
        this.writer.exclusive(async (conn) => {
          if (this.persistent) await conn.exec('CHECKPOINT');
        }),
      );
    } finally {
      // Reports under way finish first (their connections hold the database open).
      await this.analytics.close();
      const connections = [...(await this.readers.drain()), this.writer];
      for (const conn of connections) await conn.release();
      for (const conn of connections) conn.close();
      this.instance.closeSync();
    }
  }

  private async ddl(table: string, fn: (conn: DuckConn) => Promise<void>): Promise<void> {
    this.checkOpen();
    await this.writes.run(() =>
      this.writer.exclusive(async (conn) => {
        try {
          await fn(conn);
        } finally {
          this.catalog.invalidate(table);
        }
      }),
    );
  }

  private checkOpen(): void {
    if (this.closed) throw new DbError('closed', 'the DuckDB engine is closed');
  }

  /** Whether the database lives in a file (checkpoints, sizes); false in memory. */
  private get persistent(): boolean {
    return this.path !== undefined;
  }
}

async function inTransaction<T>(conn: DuckConn, fn: (conn: DuckConn) => Promise<T>): Promise<T> {
  await conn.exec('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await fn(conn);
  } catch (e) {
    await rollback(conn);
    throw e;
  }
  await commit(conn);
  return result;
}

/** `sync`: on the calling thread (see SYNC_COMMIT_MAX_ROWS). */
async function commit(conn: DuckConn, sync = false): Promise<void> {
  try {
    if (sync) conn.runSync(await conn.statement('COMMIT'));
    else await conn.exec('COMMIT');
  } catch (e) {
    // A failed COMMIT can leave the transaction open; make sure the next one starts clean.
    await rollback(conn);
    throw e;
  }
}

async function rollback(conn: DuckConn): Promise<void> {
  try {
    await conn.exec('ROLLBACK');
  } catch {
    // Nothing left to roll back (DuckDB already aborted the transaction).
  }
}
