import pg from 'pg';
import { Mutex } from '../../../common/mutex.ts';
import { DbError } from '../../db.errors.ts';
import type { ColumnDef, DatabaseServer, DbSession, Engine, TableDef, TableInfo } from '../../db.types.ts';
import { declareTopology, type Topology } from '../../topology.ts';
import { EngineCalls } from '../engine.calls.ts';
import * as catalog from './postgres.catalog.ts';
import { type CopyTarget, copyIn } from './postgres.copy.ts';
import { appliedNothing, isUnavailable, mapError, POSTGRES_BACKEND } from './postgres.errors.ts';
import { COPY_FROM_ROWS, PostgresSession, type SessionContext } from './postgres.session.ts';
import type { PgTable } from './postgres.sql.ts';
import { PreparedStatements, type Submit } from './postgres.statements.ts';
import { TYPES } from './postgres.values.ts';

/** Many servers share one PostgreSQL database: every one-owner shortcut is off. */
export const POSTGRES_TOPOLOGY: Topology = declareTopology({ ownsStore: false });

export interface PostgresEngineOptions {
  /** `postgres://user:password@host:port/database` (node-postgres's connection string). */
  readonly url: string;
  /** The schema (namespace) holding the store's tables; created by the first createTable. */
  readonly schema: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** TLS as node-postgres takes it (`ssl` of its pool options); none when left out. */
  readonly ssl?: pg.PoolConfig['ssl'];
  /** How long a connection attempt may take before the call fails as unavailable (default 5 s). */
  readonly connectTimeoutMs?: number;
  /**
   * Times an autocommit write is run again when it failed having applied nothing (a deadlock with
   * another server's transaction, a connection that could not be had): default 3.
   */
  readonly writeRetries?: number;
  /** Inserts of at least this many rows go by `COPY … FROM STDIN` (default COPY_FROM_ROWS). */
  readonly copyFromRows?: number;
  /**
   * Longest pause of a write transaction (DDL included) between two statements before PostgreSQL
   * ends its session, freeing its locks for the other servers (default 60 s).
   */
  readonly txIdleSeconds?: number;
}

/** The server's TCP keepalives on this process's connections (a URL's own `options` replace them). */
const SERVER_KEEPALIVES = '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3';

/** Transactions: snapshot isolation, where a row two transactions change is the first updater's. */
const BEGIN = 'BEGIN ISOLATION LEVEL REPEATABLE READ';
const BEGIN_READ = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/**
 * PostgreSQL behind `Engine`, on node-postgres's pool. Reads outside a transaction run on any
 * pooled connection, each statement its own transaction; reads, in transactions too, are named
 * prepared statements (postgres.statements.ts). Transactions and autocommit writes of this
 * process take turns through one mutex (the interface serialises them), each transaction on one
 * connection at REPEATABLE READ. Another process's transaction that changed the same row
 * first makes the statement fail with 40001, raised as DbConflictError for the store to re-run.
 * Predicates, ORDER BY and LIMIT are all pushed down.
 */
export class PostgresEngine implements Engine {
  readonly name = 'postgres';
  readonly topology = POSTGRES_TOPOLOGY;
  readonly session: DbSession;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly writes = new Mutex();
  private readonly tables = new Map<string, PgTable>();
  private readonly writeRetries: number;
  private readonly copyFromRows: number;
  private readonly prepared = new PreparedStatements();
  private readonly calls = new EngineCalls('the PostgreSQL engine');
  /** BEGIN of a write transaction, with its idle limit (one round trip: a simple-protocol pair). */
  private readonly beginWrite: string;
  private readonly beginDdl: string;

  constructor(options: PostgresEngineOptions) {
    this.schema = options.schema;
    this.writeRetries = options.writeRetries ?? 3;
    this.copyFromRows = options.copyFromRows ?? COPY_FROM_ROWS;
    // SET LOCAL, not a session setting: it holds behind a pooler in transaction mode and whatever
    // `options` the URL carries. A replica stalled mid-transaction (a stopped process, a long
    // pause) keeps its connection alive, so keepalives never end it; this does.
    const idle = `SET LOCAL idle_in_transaction_session_timeout = ${Math.round((options.txIdleSeconds ?? 60) * 1000)}`;
    this.beginWrite = `${BEGIN}; ${idle}`;
    this.beginDdl = `BEGIN; ${idle}`;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ssl: options.ssl,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      types: TYPES,
      // Both ends find a dead peer in about half a minute, not the system's two hours: the server
      // ends the backend of a replica that vanished mid-transaction (a lost node, a partition),
      // which frees the rows it locked for the other replicas; this side drops a dead connection.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      options: SERVER_KEEPALIVES,
    });
    // An idle connection that the server ends (restart, failover) must not crash the process:
    // the pool drops it, and the next call connects anew.
    this.pool.on('error', () => undefined);
    this.session = new PostgresSession(
      this.context(
        (work) => this.calls.run(() => this.guard(() => work(this.prepared.queryable(this.submit, false)))),
        (work) => this.calls.run(() => this.writes.run(() => this.autocommit(work))),
        (work) => this.calls.run(() => this.inTransaction(BEGIN_READ, work)),
      ),
    );
  }

  readonly server: DatabaseServer = {
    label: POSTGRES_BACKEND,
    probe: async (signal) => {
      this.calls.refuseIfClosed();
      const aborted = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      await Promise.race([this.guard(() => this.pool.query('SELECT 1')), aborted]);
    },
    version: async (signal) => {
      this.calls.refuseIfClosed();
      signal.throwIfAborted();
      const result = await this.guard(() =>
        this.pool.query<{ v: string }>("SELECT current_setting('server_version') AS v"),
      );
      return `PostgreSQL ${result.rows[0]?.v ?? 'of an unknown release'}`;
    },
  };

  listTables(): Promise<string[]> {
    return this.calls.run(() => this.guard(() => catalog.listTables(this.db(), this.schema)));
  }

  describeTable(name: string): Promise<TableInfo | null> {
    return this.calls.run(async () => {
      const table = await this.guard(() => catalog.loadTable(this.db(), this.schema, name));
      if (table === null) this.tables.delete(name);
      else this.tables.set(name, table);
      return table === null ? null : catalog.describe(table);
    });
  }

  createTable(def: TableDef): Promise<void> {
    return this.ddl(def.name, async (db) => {
      await catalog.ensureSchema(db, this.schema);
      await catalog.createTable(db, this.schema, def);
    });
  }

  addColumn(table: string, column: ColumnDef): Promise<void> {
    return this.ddl(table, (db) => catalog.addColumn(db, this.schema, table, column));
  }

  ensureLookups(table: string, columns: readonly string[]): Promise<void> {
    return this.ensureIndexes(
      table,
      columns.map((c) => [c]),
    );
  }

  ensureIndexes(table: string, indexes: readonly (readonly string[])[]): Promise<void> {
    return this.ddl(table, (db) => catalog.ensureIndexes(db, this.schema, table, indexes));
  }

  dropTable(name: string): Promise<void> {
    return this.ddl(name, (db) => catalog.dropTable(db, this.schema, name));
  }

  transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T> {
    return this.calls.run(() =>
      this.writes.run(() =>
        this.inTransaction(this.beginWrite, async (db, submit) => {
          const reads = this.prepared.queryable(submit, true);
          const session = new PostgresSession(
            this.context(
              (work) => work(reads),
              (work) => work(db),
              (work) => work(db),
              true,
            ),
          );
          const result = await fn(session);
          // Inserts it still holds (PostgresSession): sent before the COMMIT.
          await session.finish();
          return result;
        }),
      ),
    );
  }

  tableBytes(tables: readonly string[]): Promise<Map<string, number>> {
    return this.calls.run(() => this.guard(() => catalog.tableBytes(this.db(), this.schema, tables)));
  }

  async close(): Promise<void> {
    if (!(await this.calls.close())) return;
    await this.writes.idle();
    await this.pool.end();
  }

  /**
   * Runs `work` on one connection inside a transaction begun with `begin`: committed when it
   * resolves, rolled back when it throws. A session used after the end is refused.
   */
  private async inTransaction<T>(
    begin: string,
    work: (db: CopyTarget, submit: Submit) => Promise<T>,
  ): Promise<T> {
    const client = await this.guard(() => this.checkout());
    let active = true;
    // One statement at a time on the connection: node-postgres queues concurrent ones itself but
    // deprecates it, and the session's calls may be concurrent (Promise.all inside a transaction).
    const turns = new Mutex();
    const submit: Submit = (config) =>
      turns.run(() => {
        if (!active) throw new DbError('transaction_closed', 'the transaction has already ended');
        return this.guard(() => client.query(config));
      });
    const db: CopyTarget = {
      query: (text, values) => submit({ text, values }),
      copyFrom: (sql, chunks) =>
        turns.run(() => {
          if (!active) throw new DbError('transaction_closed', 'the transaction has already ended');
          return this.guard(() => copyIn(client, sql, chunks));
        }),
    };
    let broken: unknown;
    try {
      await this.guard(() => client.query(begin));
      let result: T;
      try {
        result = await work(db, submit);
      } catch (error) {
        active = false;
        await client.query('ROLLBACK').catch((e: unknown) => {
          broken = e;
        });
        throw error;
      }
      active = false;
      await this.guard(() => client.query('COMMIT'));
      return result;
    } catch (error) {
      broken ??= error instanceof DbError && error.code === 'unavailable' ? error : undefined;
      throw mapError(error);
    } finally {
      active = false;
      // A connection that failed mid-transaction is destroyed rather than reused.
      checkin(client, broken instanceof Error ? broken : undefined);
    }
  }

  /**
   * An autocommit write on one pooled connection (its statements at READ COMMITTED, each its own
   * transaction), run again while it failed having applied nothing (appliedNothing): a deadlock
   * with another server's transaction rolled its statement back; a connection that could not be
   * had, or that the client knew dead, sent nothing.
   */
  private async autocommit<T>(work: (db: CopyTarget) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.checkout();
      } catch (error) {
        if (attempt < this.writeRetries && appliedNothing(error, true)) continue;
        throw mapError(error);
      }
      let failure: unknown;
      try {
        return await work(copyTarget(client));
      } catch (error) {
        failure = error;
        if (attempt < this.writeRetries && appliedNothing(error, false)) continue;
        throw mapError(error);
      } finally {
        // A connection that failed is destroyed rather than reused.
        checkin(client, failure instanceof Error && isUnavailable(failure) ? failure : undefined);
      }
    }
  }

  /**
   * A pooled connection for this process alone until `checkin`. Its 'error' event is heard: a
   * connection lost while checked out emits one besides failing its statement, and an event
   * nobody hears would end the process.
   */
  private async checkout(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    client.on('error', ignore);
    return client;
  }

  private context(
    read: SessionContext['read'],
    write: SessionContext['write'],
    cursor: SessionContext['cursor'],
    carries = false,
  ): SessionContext {
    return {
      read,
      write,
      cursor,
      copyFromRows: this.copyFromRows,
      carries,
      table: async (db, name, names) => {
        let table = this.tables.get(name);
        if (table === undefined || !names.every((n) => table?.types.has(n))) {
          // A column this process has not seen: another one may have added it.
          table = (await catalog.loadTable(db, this.schema, name)) ?? undefined;
          if (table === undefined) {
            this.tables.delete(name);
            throw catalog.unknownTable(name);
          }
          this.tables.set(name, table);
        }
        return table;
      },
    };
  }

  /**
   * DDL: one transaction of its own (PostgreSQL's DDL is transactional), in turn with the writes,
   * and with every other process's DDL on the schema (catalog.lockDdl).
   */
  private ddl(table: string, work: (db: catalog.Queryable) => Promise<void>): Promise<void> {
    return this.calls.run(() =>
      this.writes.run(async () => {
        try {
          await this.inTransaction(this.beginDdl, async (db) => {
            await catalog.lockDdl(db, this.schema);
            await work(db);
          });
        } finally {
          this.tables.delete(table);
        }
      }),
    );
  }

  /** Autocommit reads: any pooled connection, each statement its own transaction. */
  private readonly submit: Submit = (config) => this.pool.query(config);

  private db(): catalog.Queryable {
    return this.pool as unknown as catalog.Queryable;
  }

  /** Driver and server errors as the errors every engine raises (postgres.errors.ts). */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw mapError(error);
    }
  }
}

function ignore(): void {}

/** A checked-out connection as autocommit writes use it: its statements, and COPY on it. */
function copyTarget(client: pg.PoolClient): CopyTarget {
  return {
    query: (text, values) => client.query(text, values),
    copyFrom: (sql, chunks) => copyIn(client, sql, chunks),
  };
}

/** Gives a connection back to the pool; one that failed (`broken`) is destroyed instead. */
function checkin(client: pg.PoolClient, broken: Error | undefined): void {
  client.off('error', ignore);
  client.release(broken);
}
