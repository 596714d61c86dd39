import { Mutex } from '../../../common/mutex.ts';
import { CONFLICT_RUNS, conflictPause } from '../../db.conflicts.ts';
import { DbConflictError, DbError, DbUnavailableError } from '../../db.errors.ts';
import type {
  ColumnDef,
  DatabaseServer,
  DbSession,
  Engine,
  Pushdown,
  TableDef,
  TableInfo,
} from '../../db.types.ts';
import { declareTopology, type Topology } from '../../topology.ts';
import { EngineCalls } from '../engine.calls.ts';
import { VAST_BACKEND } from './transport/transport.errors.ts';
import { VastApi, type VastTransportLike } from './vast.api.ts';
import * as catalog from './vast.catalog.ts';
import { probeVast } from './vast.probe.ts';
import { ReadSnapshots } from './vast.reads.ts';
import { KnownRowIds } from './vast.rowids.ts';
import { DEFAULT_QUERY, type QuerySettings } from './vast.select.ts';
import { type SessionContext, VastSession } from './vast.session.ts';
import {
  beginTx,
  commitTx,
  type EngineTimers,
  inTransaction,
  realEngineTimers,
  rollbackTx,
} from './vast.tx.ts';
import { wireField } from './vast.values.ts';
import { updateRows } from './vast.write.ts';

export interface VastEngineOptions {
  readonly transport: VastTransportLike;
  /** The database: a VAST bucket with the DB capability. */
  readonly bucket: string;
  /** The schema holding the tables; created when missing. */
  readonly schema: string;
  /**
   * Keep-alive (`GET /?transaction`) interval of open transactions; default KEEP_ALIVE_MS.
   */
  readonly keepAliveMs?: number;
  /**
   * How long a read transaction outside a transaction may be joined by later reads. 0 (default):
   * every autocommit read begins its own, so it sees every commit that finished before it started,
   * in any process. Above 0, reads within that window share one snapshot (one round trip fewer on
   * their path) and may miss what other processes committed in it; this process's own commits
   * always end the shared snapshot.
   */
  readonly readSnapshotMs?: number;
  readonly query?: Partial<QuerySettings>;
  /**
   * Autocommit writes are re-run whole (new transaction) this many times when the cluster asks to
   * slow down or drops the connection: the failed transaction was rolled back, so nothing doubles.
   */
  readonly writeRetries?: number;
  readonly timers?: Partial<EngineTimers>;
}

/**
 * Default keep-alive interval of an open transaction: a third of the shortest idle timeout VAST
 * can have. VAST's timeout is not published, but its Java client keeps transactions alive every
 * 60 s (TX_KEEP_ALIVE_INTERVAL_DEFAULT), so it is at least that; at a third of it, a keep-alive
 * delayed or lost once still lands in time (at 60 s, as before, each one raced the timeout).
 */
export const KEEP_ALIVE_MS = 20_000;

/** A shared database: the replicas behind a load balancer all read and write it. */
export const VAST_TOPOLOGY: Topology = declareTopology({ ownsStore: false });

/** Opens the engine: no round trip (the schema is made by the first createTable). */
export function createVastEngine(options: VastEngineOptions): VastEngine {
  return new VastEngine(options);
}

/**
 * VAST DataBase behind `Engine`, over the tabular HTTP API. Write transactions take turns through
 * one mutex (the interface serialises them); reads outside a transaction run beside them in their
 * own read transactions (ReadSnapshots). Predicates and projections are pushed down; ORDER BY and
 * LIMIT are done here, since QueryData has neither.
 */
export class VastEngine implements Engine {
  readonly name = 'vast';
  readonly topology = VAST_TOPOLOGY;
  // VAST filters and projects; it neither sorts nor stops at a limit under an order (a limit
  // with no ORDER BY ends the paging early, but the store's pages always order).
  readonly pushdown: Pushdown = { orderBy: false, limit: false };
  readonly session: DbSession;
  readonly api: VastApi;
  private readonly writes = new Mutex();
  private readonly reads: ReadSnapshots;
  private readonly tables = new catalog.TableCache();
  private readonly timers: EngineTimers;
  private readonly keepAliveMs: number;
  private readonly query: QuerySettings;
  private readonly writeRetries: number;
  private schemaReady = false;
  private readonly calls = new EngineCalls('the VAST engine');

  constructor(options: VastEngineOptions) {
    this.api = new VastApi(options.transport, options.bucket, options.schema);
    this.timers = { ...realEngineTimers, ...options.timers };
    this.keepAliveMs = options.keepAliveMs ?? KEEP_ALIVE_MS;
    this.query = { ...DEFAULT_QUERY, ...options.query };
    this.writeRetries = options.writeRetries ?? 3;
    this.reads = new ReadSnapshots(this.api, this.timers, this.keepAliveMs, options.readSnapshotMs ?? 0);
    this.session = new VastSession(
      this.context(
        (fn) => this.calls.run(() => this.reads.run((tx) => fn(tx.txid))),
        (_table, fn) => this.calls.run(() => this.autocommit(fn)),
      ),
    );
  }

  /**
   * Readiness: VAST's version probe (vast.probe.ts): any answer of a VAST release the engine
   * supports, whatever its status; no retry past `signal`.
   */
  readonly server: DatabaseServer = {
    label: VAST_BACKEND,
    probe: async (signal) => {
      this.calls.refuseIfClosed();
      this.vastVersion = await probeVast(this.api, signal);
    },
    version: async (signal) => {
      this.calls.refuseIfClosed();
      return `VAST ${await probeVast(this.api, signal)}`;
    },
  };

  /** The VAST release the last probe found (`5.3.0.0`); undefined before one succeeded. */
  vastVersion: string | undefined;

  /** Round trips sent so far (benchmarks and tests). */
  get roundTrips(): number {
    return this.api.roundTrips;
  }

  /** Resolves once the read-only commits sent off the response path have been answered. */
  settled(): Promise<void> {
    return this.reads.settled();
  }

  listTables(): Promise<string[]> {
    return this.calls.run(() => this.reads.run((tx) => catalog.listTables(this.api, tx.txid)));
  }

  describeTable(name: string): Promise<TableInfo | null> {
    return this.calls.run(async () => {
      const meta = await this.reads.run((tx) =>
        this.tables.load(name, () => catalog.loadTable(this.api, tx.txid, name)),
      );
      return meta === null ? null : catalog.describe(meta);
    });
  }

  createTable(def: TableDef): Promise<void> {
    return this.ddl(def.name, async (txid) => {
      if (!this.schemaReady) await catalog.ensureSchema(this.api, txid);
      this.schemaReady = true;
      await catalog.createTable(this.api, txid, def.name, def.columns.map(wireField));
    });
  }

  /** `POST ?column` with the new field only, then the default written into existing rows. */
  addColumn(table: string, column: ColumnDef): Promise<void> {
    return this.ddl(table, async (txid) => {
      const field = wireField(column);
      const added = await catalog.addColumn(this.api, txid, table, field);
      if (!added || column.defaultValue === undefined || column.defaultValue === null) return;
      const meta = await catalog.loadTable(this.api, txid, table);
      if (meta === null) throw new DbError('unknown_table', `unknown table "${table}"`);
      const ctx = { api: this.api, txid, query: this.query };
      await updateRows(ctx, meta, { all: [] }, { [column.name]: column.defaultValue });
    });
  }

  dropTable(name: string): Promise<void> {
    return this.ddl(name, (txid) => catalog.dropTable(this.api, txid, name));
  }

  transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T> {
    return this.calls.run(() =>
      // No closed check once queued: close() waits for work already started.
      this.writes.run(async () => {
        const tx = await beginTx(this.api, this.timers, this.keepAliveMs);
        // Writes of one transaction to one table go one at a time (an update finds its row ids
        // after the writes before it); to different tables, and its reads, side by side.
        const own = new Map<string, Mutex>();
        const session = new VastSession(
          this.context(
            async (work) => {
              tx.check();
              return work(tx.txid);
            },
            async (table, work) => {
              tx.check();
              let turn = own.get(table);
              if (turn === undefined) {
                turn = new Mutex();
                own.set(table, turn);
              }
              return turn.run(() => {
                tx.check();
                return work(tx.txid);
              });
            },
          ),
          new KnownRowIds(),
        );
        let result: T;
        try {
          result = await fn(session);
        } catch (e) {
          await rollbackTx(this.api, tx, e);
          throw e;
        }
        try {
          await commitTx(this.api, tx);
        } finally {
          this.reads.retireAll();
        }
        return result;
      }),
    );
  }

  tableBytes(tables: readonly string[]): Promise<Map<string, number>> {
    return this.calls.run(() =>
      this.reads.run(async (tx) => {
        const sizes = new Map<string, number>();
        for (const t of tables) {
          const size = await catalog.tableSize(this.api, tx.txid, t);
          if (size !== undefined) sizes.set(t, size);
        }
        return sizes;
      }),
    );
  }

  async close(): Promise<void> {
    if (!(await this.calls.close())) return;
    await this.writes.idle();
    await this.reads.close();
    this.api.close();
  }

  /**
   * An autocommit write: its own transaction, in turn with the others. Refused before its commit
   * (503, connection lost), it was rolled back, so it is re-run whole in a new transaction, as is
   * one refused as a conflict, at its commit or at a call (DDL included: two processes creating one
   * table at once); a commit whose answer was lost is never re-run, since it may have been applied.
   * Conflicts are re-run as the store re-runs them (db.conflicts.ts: up to CONFLICT_RUNS runs, a
   * growing random pause between them, so that the other transaction, still open when the refusal
   * came at the call, may end first); refusals before the commit, `writeRetries` times.
   */
  private autocommit<T>(fn: (txid: bigint) => Promise<T>): Promise<T> {
    return this.writes.run(async () => {
      let conflicts = 0;
      for (let attempt = 0; ; attempt++) {
        let committing = false;
        try {
          return await inTransaction(this.api, this.timers, this.keepAliveMs, async (tx) => {
            const result = await fn(tx.txid);
            committing = true;
            return result;
          });
        } catch (e) {
          // A commit refused as a conflict applied nothing: safe to run again, on a new snapshot.
          if (e instanceof DbConflictError) {
            if (++conflicts >= CONFLICT_RUNS) throw e;
            await conflictPause(conflicts);
          } else {
            const retry = !committing && e instanceof DbUnavailableError;
            if (!retry || attempt - conflicts >= this.writeRetries) throw e;
          }
        } finally {
          this.reads.retireAll();
        }
      }
    });
  }

  private ddl(table: string, fn: (txid: bigint) => Promise<void>): Promise<void> {
    return this.calls.run(() =>
      this.autocommit(async (txid) => {
        try {
          await fn(txid);
        } finally {
          this.tables.invalidate(table);
        }
      }),
    );
  }

  private context(read: SessionContext['read'], write: SessionContext['write']): SessionContext {
    return {
      api: this.api,
      query: this.query,
      read,
      write,
      table: async (name, txid, names) => {
        const load = () => catalog.loadTable(this.api, txid, name);
        const meta = await this.tables.get(name, load);
        if (names.every((n) => meta.byName.has(n))) return meta;
        // A column this process has not seen: another one may have added it.
        this.tables.invalidate(name);
        return this.tables.get(name, load);
      },
    };
  }
}
