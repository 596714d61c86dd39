import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Mutex } from '../../../common/mutex.ts';
import type { AnalyticsCapable, AnalyticsEngine } from '../../analytics/analytics.types.ts';
import { DbError } from '../../db.errors.ts';
import type { JournalReport } from '../../db.journal.ts';
import type {
  ColumnDef,
  DbSession,
  DbSnapshot,
  Engine,
  StorageCheck,
  TableDef,
  TableInfo,
} from '../../db.types.ts';
import type { Topology } from '../../topology.ts';
import { quote } from '../sql/sql.compile.ts';
import { DuckAnalytics } from './duckdb.analytics.ts';
import { AppendJournal, type AppendsStats } from './duckdb.appends.ts';
import { addColumn, Catalog, createTableSql, dropTableSql, lookupIndexSql } from './duckdb.catalog.ts';
import { Checkpointer, DEFAULT_CHECKPOINT_BYTES, NEVER } from './duckdb.checkpoint.ts';
import { duckDbTopology, lockedError, withSafeOptimizers } from './duckdb.config.ts';
import { DuckConn } from './duckdb.connection.ts';
import { journalMarker } from './duckdb.journal.open.ts';
import { refuseDamagedJournal } from './duckdb.journal.precheck.ts';
import { JOURNAL_TABLE } from './duckdb.journal.ts';
import { readAlongside } from './duckdb.overlay.ts';
import { type DuckContext, DuckSession } from './duckdb.session.ts';
import { tableBytes } from './duckdb.sizes.ts';
import { snapshotInto } from './duckdb.snapshot.ts';
import { StorageGuard, storageErrorOf } from './duckdb.storage.ts';
import { Pool } from './duckdb.sync.ts';
import { inTransaction, runTransaction } from './duckdb.transaction.ts';

export interface DuckDbEngineOptions {
  /** ':memory:' or a database file (parent directories are created). */
  readonly path: string;
  /** Connections for reads outside transactions (they run in parallel). Default 4. */
  readonly readers?: number;
  /** DuckDB configuration options, e.g. { threads: '2' }. */
  readonly config?: Readonly<Record<string, string>>;
  /** WAL size at which the database is checkpointed (see Checkpointer). Default 64 MiB. */
  readonly checkpointBytes?: number;
  /**
   * Transactions that only append rows commit through the append journal (duckdb.appends.ts),
   * in `<path>.journal`. Default true.
   */
  readonly journal?: boolean;
  /** How long, at most, the journal's records wait before DuckDB takes them (default 200 ms). */
  readonly journalDelayMs?: number;
  /**
   * A journal file holding damaged records stops the open (DbError `journal_damaged`) unless this
   * says otherwise: `recover` copies it aside and applies every record whole or rebuilt
   * (`tams-mgmt journal recover`); `inspect` only reads it and applies nothing (its `--dry-run`).
   */
  readonly journalRecovery?: 'recover' | 'inspect';
}

/** The in-process engine, with its append journal's figures (tests, diagnostics). */
export type DuckDbEngineHandle = Engine &
  AnalyticsCapable & {
    journalStats(): AppendsStats | undefined;
    /** What the open found in the journal file, when it found anything (see JournalReport). */
    journalReport(): JournalReport | undefined;
  };

export async function createDuckDbEngine(options: DuckDbEngineOptions): Promise<DuckDbEngineHandle> {
  const { path } = options;
  if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
  const persistent = path !== ':memory:';
  const config = withSafeOptimizers(options.config ?? {});
  if (persistent) config.checkpoint_threshold = NEVER;
  // A recovery changes the store by design; anything else is refused before DuckDB writes.
  if (persistent && options.journalRecovery === undefined) await refuseDamagedJournal(path);
  // A dry run reads: opened for writing, DuckDB would fold its write-ahead log into the file.
  if (persistent && options.journalRecovery === 'inspect') config.access_mode = 'READ_ONLY';
  const instance = await DuckDBInstance.create(path, config).catch((error: unknown) => {
    throw lockedError(error, path) ?? error;
  });
  const writer = new DuckConn(await instance.connect());
  const engine = new DuckDbEngine(
    instance,
    writer,
    options.readers ?? 4,
    persistent ? path : undefined,
    options,
  );
  try {
    await engine.openJournal(options.journal !== false, options.journalDelayMs, options.journalRecovery);
  } catch (error) {
    // The journal file stays for the next open (closing cannot apply it either).
    await engine.close().catch(() => undefined);
    throw storageErrorOf(error) ?? error;
  }
  return engine;
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
  readonly topology: Topology;
  readonly session: DbSession;
  /** Reports on the tables themselves, on connections of their own (duckdb.analytics.ts). */
  readonly analytics: AnalyticsEngine;
  private readonly catalog = new Catalog();
  private readonly writes = new Mutex();
  private readonly readers: Pool<DuckConn>;
  private readonly checkpointer: Checkpointer | undefined;
  /** Undefined when turned off (DuckDbEngineOptions.journal), or until openJournal. */
  private journal: AppendJournal | undefined;
  private opened: JournalReport | undefined;
  private readonly watchers: ((tables: ReadonlySet<string>) => void)[] = [];
  /** Refuses writes while the disk cannot take them (full, read-only, failing); reads go on. */
  private readonly disk: StorageGuard;
  /** Undefined in memory: no files, no disk to run out of. */
  readonly storage: StorageCheck | undefined;
  /** Engine.snapshot: only of a database file (one in memory has nothing to back up). */
  readonly snapshot?: <T>(
    target: string,
    read: (snapshot: DbSession) => Promise<T>,
  ) => Promise<DbSnapshot<T>>;
  /** Engine.watchCommits: only with the journal, whose commits lagging reads do not see at once. */
  watchCommits?: (listener: (tables: ReadonlySet<string>) => void) => void;
  private closed = false;
  /** Snapshots under way (Engine.snapshot): closing waits for them, as their connections hold the database. */
  private readonly snapshots = new Set<Promise<unknown>>();

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckConn,
    readerCount: number,
    /** The database file; undefined in memory. */
    private readonly path: string | undefined,
    private readonly options: DuckDbEngineOptions,
  ) {
    this.readers = new Pool(async () => new DuckConn(await instance.connect()), Math.max(1, readerCount));
    this.analytics = new DuckAnalytics(instance, this.catalog, (conn, tables, fn) =>
      this.readSeeing(conn, tables, fn),
    );
    this.disk = new StorageGuard(path === undefined ? undefined : dirname(path), () => this.probeDisk());
    this.topology = duckDbTopology(path !== undefined);
    if (path !== undefined) this.snapshot = (target, read) => this.snapshotFile(target, read);
    this.storage =
      path === undefined ? undefined : { label: 'DuckDB files', check: async () => this.disk.check() };
    if (path !== undefined) {
      this.checkpointer = new Checkpointer(
        `${path}.wal`,
        options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES,
        () => this.guarded(() => writer.locked((conn) => conn.exec('CHECKPOINT'))),
      );
    }
    const autocommit: DuckContext = {
      catalog: this.catalog,
      inTransaction: false,
      read: async (table, fn, lag) => {
        this.checkOpen();
        const tables = table === undefined ? undefined : [table];
        if (lag || (await this.applyJournal(tables))) return this.readers.use(fn);
        return this.readers.use((conn) => this.alongside(conn, tables, () => fn(conn)));
      },
      write: async (table, atomic, fn) => {
        this.checkOpen();
        const result = await this.guarded(async () => {
          if (this.journal?.touches(table === undefined ? undefined : [table])) await this.journal.apply();
          return writer.locked((conn) => (atomic ? inTransaction(conn, fn) : fn(conn)));
        });
        this.checkpointer?.check();
        if (table !== undefined && this.watchers.length > 0) this.notify(new Set([table]));
        return result;
      },
    };
    this.session = new DuckSession(autocommit);
  }

  /**
   * Opens the append journal (applying what a crash left in it); part of creating the engine.
   * Turned off, a journal file a crash left is still applied, then removed: its records were
   * acknowledged, and a start that ignored them would hide them, let their timeranges be
   * registered again, and bring them back as duplicates at the next start with the journal on.
   */
  async openJournal(enabled: boolean, delayMs?: number, recovery?: 'recover' | 'inspect'): Promise<void> {
    const path = this.path === undefined ? undefined : `${this.path}.journal`;
    if (recovery === 'inspect') {
      if (path !== undefined && existsSync(path))
        this.opened = await AppendJournal.inspect(this.writer, path);
      return;
    }
    // A persistent engine always has the mark: the disk's probe writes it (StorageGuard).
    if (path !== undefined) await journalMarker(this.writer, true);
    const options = {
      path,
      holdingWrites: <T>(fn: () => Promise<T>) => this.guarded(fn),
      recover: recovery === 'recover',
      report: (report: JournalReport) => {
        this.opened = report;
      },
    };
    if (!enabled) {
      if (path !== undefined && existsSync(path))
        (await AppendJournal.open(this.writer, this.catalog, options)).close();
      return;
    }
    this.journal = await AppendJournal.open(this.writer, this.catalog, {
      ...options,
      delayMs,
      applied: (tables) => {
        this.checkpointer?.check();
        this.notify(tables);
      },
    });
    this.watchCommits = (listener) => {
      this.watchers.push(listener);
    };
  }

  journalReport(): JournalReport | undefined {
    return this.opened;
  }

  /** Tells the watchers (watchCommits) that `tables` have new rows visible to every read. */
  private notify(tables: ReadonlySet<string>): void {
    if (tables.size === 0) return;
    for (const watcher of this.watchers) watcher(tables);
  }

  /** The append journal's figures (tests, diagnostics); undefined when it is off. */
  journalStats(): AppendsStats | undefined {
    return this.journal?.stats();
  }

  /**
   * Makes DuckDB hold every append the journal has committed, before a read of `tables`
   * (undefined: any) that must see them: everything that reads DuckDB outside the writer's queue
   * calls this. False when DuckDB cannot take them now (the disk refuses writes): the read then
   * takes them alongside (`alongside`).
   */
  private async applyJournal(tables: readonly string[] | undefined): Promise<boolean> {
    const journal = this.journal;
    if (!journal?.holds(tables)) return true;
    if (this.disk.refused) return false;
    try {
      await this.guarded(async () => {
        if (journal.touches(tables)) await journal.apply();
      });
      return true;
    } catch (error) {
      if (this.disk.refused) return false;
      throw error;
    }
  }

  /** `fn` reading on `conn` inside a transaction holding the journal's rows of `tables` (readAlongside). */
  private alongside<T>(
    conn: DuckConn,
    tables: readonly string[] | undefined,
    fn: () => Promise<T>,
  ): Promise<T> {
    const journal = this.journal as AppendJournal;
    return readAlongside(conn, this.catalog, journal, tables, (hold) => this.writes.run(hold), fn);
  }

  /** `fn` on `conn` in a read transaction that sees every acknowledged write to `tables` (analytics). */
  private async readSeeing<T>(conn: DuckConn, tables: readonly string[], fn: () => Promise<T>): Promise<T> {
    if (!(await this.applyJournal(tables))) return this.alongside(conn, tables, fn);
    await conn.exec('BEGIN TRANSACTION');
    try {
      return await fn();
    } finally {
      // Read-only: a rollback ends it as well as a commit, and cannot fail for a conflict.
      await conn.exec('ROLLBACK').catch(() => undefined);
    }
  }

  /**
   * `fn` holding the engine's writes, refused at once while the disk refuses them; a failure of
   * the disk in it refuses the writes after it (StorageGuard) and is thrown as DbStorageError.
   */
  private async guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.writes.run(async () => {
        this.disk.check();
        return fn();
      });
    } catch (error) {
      throw this.disk.failed(error);
    }
  }

  /** The disk's probe (StorageGuard): what the journal holds given to DuckDB, or its mark written again. */
  private probeDisk(): Promise<void> {
    return this.writes.run(async () => {
      if (this.journal && this.journal.stats().pending > 0) await this.journal.apply();
      else if (this.persistent) await this.writer.locked((conn) => conn.exec(PROBE_SQL));
    });
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

  /** One transaction, serialised with every write (see duckdb.transaction.ts). */
  async transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T> {
    this.checkOpen();
    return this.guarded(async () => {
      const result = await runTransaction(
        {
          writer: this.writer,
          catalog: this.catalog,
          journal: this.journal,
          committed: (written) => {
            this.checkpointer?.check();
            this.notify(written);
          },
        },
        fn,
      );
      // Writes that come faster than a timer can run left a backlog (AppendJournal.overdue): the
      // commit that passed it applies it before the next write. It is durable in the journal
      // already; should DuckDB not take it now, the next read or apply does.
      const journal = this.journal;
      if (journal?.overdue) await journal.apply().catch(() => undefined);
      return result;
    });
  }

  async tableBytes(tables: readonly string[]): Promise<Map<string, number>> {
    this.checkOpen();
    // Behind the writes: the CHECKPOINT moves what is still in the WAL into blocks to count.
    return this.guarded(async () => {
      await this.journal?.apply();
      return this.writer.locked(async (conn) => {
        if (this.persistent) await conn.exec('CHECKPOINT');
        return tableBytes(conn, tables);
      });
    });
  }

  /**
   * A consistent copy into `target` (duckdb.snapshot.ts), on a connection of its own so that reads
   * and writes go on meanwhile. The snapshot is taken holding the writes, once the append journal
   * is applied: DuckDB then holds every acknowledged write. Engine.snapshot of a database file.
   */
  private async snapshotFile<T>(
    target: string,
    read: (snapshot: DbSession) => Promise<T>,
  ): Promise<DbSnapshot<T>> {
    this.checkOpen();
    const work = (async () => {
      const conn = new DuckConn(await this.instance.connect());
      try {
        const pin = (begin: () => Promise<void>) =>
          this.guarded(async () => {
            const started = performance.now();
            await this.journal?.apply();
            await begin();
            return performance.now() - started;
          });
        return await snapshotInto(conn, this.catalog, target, pin, read);
      } finally {
        await conn.release();
        conn.close();
      }
    })();
    this.snapshots.add(work);
    try {
      return await work;
    } finally {
      this.snapshots.delete(work);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.snapshots]);
    try {
      // Queued behind every write already started; CHECKPOINT folds the WAL into the file.
      await this.writes.run(async () => {
        await this.journal?.apply();
        await this.writer.locked(async (conn) => {
          if (this.persistent && !this.readOnly) await conn.exec('CHECKPOINT');
        });
      });
    } finally {
      this.disk.close();
      // A journal still holding records (the apply failed) is applied at the next open.
      this.journal?.close();
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
    await this.guarded(async () => {
      // The journal's rows were encoded for the table as it is: they go in before it changes.
      await this.journal?.apply();
      await this.writer.locked(async (conn) => {
        try {
          await fn(conn);
        } finally {
          this.catalog.invalidate(table);
        }
      });
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new DbError('closed', 'the DuckDB engine is closed');
  }

  /** Opened read-only (a journal dry run): nothing to checkpoint. */
  private get readOnly(): boolean {
    return this.options.journalRecovery === 'inspect';
  }

  /** Whether the database lives in a file (checkpoints, sizes); false in memory. */
  private get persistent(): boolean {
    return this.path !== undefined;
  }
}

/** A write of the smallest kind (a row of the engine's own, unchanged): the disk's probe. */
const PROBE_SQL = `UPDATE ${quote(JOURNAL_TABLE)} SET lsn = lsn`;
