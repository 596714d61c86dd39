import { Worker } from 'node:worker_threads';
import { Mutex } from '../../../common/mutex.ts';
import type {
  AnalyticsCapable,
  AnalyticsEngine,
  AnalyticsResult,
  EngineExport,
  EngineQuery,
  ExportFormat,
} from '../../analytics/analytics.types.ts';
import { DbError } from '../../db.errors.ts';
import type { JournalReport } from '../../db.journal.ts';
import type {
  ColumnDef,
  DbSession,
  Engine,
  Predicate,
  Row,
  SelectOptions,
  StorageCheck,
  TableDef,
  TableInfo,
} from '../../db.types.ts';
import type { Topology } from '../../topology.ts';
import { duckDbTopology } from './duckdb.config.ts';
import type { DuckDbEngineOptions } from './duckdb.engine.ts';
import {
  type EngineCall,
  fromWire,
  type Reply,
  type Request,
  type SessionOp,
  type ThreadData,
} from './duckdb.protocol.ts';
import { threadStarted } from './duckdb.thread.start.ts';

type BatchHandler = (rows: Row[]) => void | Promise<void>;
/** A request without its id (distributed over the union, so each kind keeps its fields). */
type Outgoing = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

/**
 * The DuckDB engine on a thread of its own (duckdb.thread.ts), behind the same Engine contract.
 *
 * Why: ingest is a chain of DuckDB calls per transaction (BEGIN, an appender per table whose
 * flush blocks the calling thread for ~0.5 ms, COMMIT), and on the main thread each link also
 * waits behind the HTTP work being served. Here the chain runs on a thread that does nothing
 * else, and a registration reaches it as one message: inside a transaction, inserts (which
 * return nothing) are held and sent with the transaction's next call or its COMMIT, and BEGIN
 * goes with the first of them. Measured (docs/benchmarks-history.md): ingest alone is no faster, since a
 * transaction still takes ~8 ms under load; under reads and ingest together, ingest about
 * doubles and reads lose 3-17%, for 100-200 MiB more memory. Hence an option.
 * A failing insert therefore fails the call it travels with, or the commit; either way nothing
 * of the transaction is committed. (Per-call timings, as /metrics records them, see held inserts
 * as free and put their cost on the call that carries them.)
 *
 * Transactions are serialised here, from the start of `fn` to the end of COMMIT, as the
 * in-process engine does: layers above (the store's cache) rely on no two running at once.
 */
export async function createThreadedDuckDbEngine(
  options: DuckDbEngineOptions,
): Promise<Engine & AnalyticsCapable & { journalReport(): JournalReport | undefined }> {
  // Compiled (dist/), the thread's module is JavaScript and starts the worker itself; from the
  // TypeScript sources, a boot file first registers tsx in the thread.
  const compiled = import.meta.url.endsWith('.js');
  const entry = new URL(compiled ? './duckdb.thread.js' : './duckdb.thread.ts', import.meta.url);
  const data: ThreadData = { entry: entry.href, options };
  const start = compiled ? entry : new URL('../../../common/thread.boot.mjs', import.meta.url);
  const worker = new Worker(start, { workerData: data });
  let journal: JournalReport | undefined;
  try {
    journal = await threadStarted(worker);
  } catch (error) {
    // The thread ends by itself after reporting; terminate makes sure nothing is left running.
    void worker.terminate();
    throw error;
  }
  return new ThreadedDuckDbEngine(worker, journal, options.path === ':memory:');
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onBatch?: BatchHandler;
  /** A scan whose batch handler threw: the call fails with this, whatever the thread says. */
  failed?: unknown;
}

class ThreadedDuckDbEngine implements Engine, AnalyticsCapable {
  readonly name = 'duckdb';
  readonly topology: Topology;
  readonly session: DbSession;
  /**
   * The thread's engine runs reports on connections of its own (duckdb.analytics.ts); an export
   * writes its file there and this thread reads the file as it grows.
   */
  readonly analytics: AnalyticsEngine = {
    query: async (batch: readonly EngineQuery[]) =>
      (await this.call({ kind: 'analytics', request: { call: 'query', batch } })) as AnalyticsResult[],
    exportTo: async (query: EngineExport, format: ExportFormat, path: string) =>
      (await this.call({ kind: 'analytics', request: { call: 'export', query, format, path } })) as {
        rows: number;
      },
    // The thread's engine closes its reports' connections when it closes.
    close: async () => undefined,
  };
  private readonly calls = new Map<number, Pending>();
  private readonly transactions = new Mutex();
  private nextId = 1;
  private nextTx = 1;
  /** No new work is taken (close() was called). */
  private closing: Promise<void> | undefined;
  /** The thread is gone: nothing can be sent. */
  private lost: Error | undefined;

  constructor(
    private readonly worker: Worker,
    /** What the thread's engine found in its journal when it opened. */
    private readonly journal: JournalReport | undefined,
    inMemory: boolean,
  ) {
    this.topology = duckDbTopology(!inMemory);
    this.storage = inMemory
      ? undefined
      : {
          label: 'DuckDB files',
          check: async () => {
            await this.call({ call: 'storage' });
          },
        };
    worker.on('message', (reply: Reply) => this.onReply(reply));
    worker.on('error', (error) => this.onLost(error));
    worker.on('exit', (code) =>
      this.onLost(new DbError('closed', `the DuckDB thread ended (exit code ${code})`)),
    );
    this.session = new RemoteSession(async (op, onBatch) => {
      this.checkOpen();
      return this.send({ kind: 'session', op }, onBatch);
    });
  }

  journalReport(): JournalReport | undefined {
    return this.journal;
  }

  /** The thread's engine's (Engine.storage); undefined in memory. */
  readonly storage: StorageCheck | undefined;

  async listTables(): Promise<string[]> {
    return (await this.call({ call: 'listTables' })) as string[];
  }

  async describeTable(name: string): Promise<TableInfo | null> {
    return (await this.call({ call: 'describeTable', name })) as TableInfo | null;
  }

  async createTable(def: TableDef): Promise<void> {
    await this.call({ call: 'createTable', def });
  }

  async addColumn(table: string, column: ColumnDef): Promise<void> {
    await this.call({ call: 'addColumn', table, column });
  }

  async ensureLookups(table: string, columns: readonly string[]): Promise<void> {
    await this.call({ call: 'ensureLookups', table, columns });
  }

  async dropTable(name: string): Promise<void> {
    await this.call({ call: 'dropTable', name });
  }

  async tableBytes(tables: readonly string[]): Promise<Map<string, number>> {
    return (await this.call({ call: 'tableBytes', tables })) as Map<string, number>;
  }

  async transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T> {
    this.checkOpen();
    return this.transactions.run(async () => {
      const tx = new RemoteTransaction(this.nextTx++, (message, onBatch) => this.send(message, onBatch));
      let result: T;
      try {
        result = await fn(tx.session);
      } catch (error) {
        await tx.end('rollback');
        throw error;
      }
      await tx.end('commit');
      return result;
    });
  }

  close(): Promise<void> {
    // Behind the transactions already waiting, as the in-process engine's close is behind its
    // writes; the thread's engine then waits for its own work and checkpoints.
    this.closing ??= this.transactions.run(async () => {
      try {
        if (!this.lost) await this.send({ kind: 'engine', request: { call: 'close' } });
      } finally {
        this.lost ??= new DbError('closed', 'the DuckDB engine is closed');
        await this.worker.terminate();
      }
    });
    return this.closing;
  }

  private async call(request: EngineCall | Outgoing): Promise<unknown> {
    this.checkOpen();
    return this.send('kind' in request ? request : { kind: 'engine', request });
  }

  private checkOpen(): void {
    if (this.closing || this.lost) throw new DbError('closed', 'the DuckDB engine is closed');
  }

  private send(message: Outgoing, onBatch?: BatchHandler): Promise<unknown> {
    if (this.lost) return Promise.reject(this.lost);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, onBatch ? { resolve, reject, onBatch } : { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  private onReply(reply: Reply): void {
    const pending = this.calls.get(reply.id);
    if (!pending) return;
    if (reply.kind === 'batch') {
      void this.deliver(reply.id, pending, reply.rows);
      return;
    }
    this.calls.delete(reply.id);
    if (pending.failed !== undefined) pending.reject(pending.failed);
    else if (reply.kind === 'ok') pending.resolve(reply.value);
    else pending.reject(fromWire(reply.error));
  }

  /** Hands a scan batch to its handler, then lets the thread go on (or stop, if it threw). */
  private async deliver(id: number, pending: Pending, rows: Row[]): Promise<void> {
    let stop = false;
    try {
      await pending.onBatch?.(rows);
    } catch (error) {
      pending.failed = error;
      stop = true;
    }
    if (!this.lost) this.worker.postMessage({ kind: 'scanAck', id, stop } satisfies Request);
  }

  private onLost(error: Error): void {
    this.lost ??= error;
    for (const pending of this.calls.values()) pending.reject(this.lost);
    this.calls.clear();
  }
}

/**
 * One transaction's session. Inserts are held until the next call or the end (see
 * createThreadedDuckDbEngine); everything reaches the thread in call order.
 */
class RemoteTransaction {
  readonly session: DbSession;
  private held: SessionOp[] = [];
  private begun = false;
  private active = true;

  constructor(
    private readonly id: number,
    private readonly send: (message: Outgoing, onBatch?: BatchHandler) => Promise<unknown>,
  ) {
    this.session = new RemoteSession((op, onBatch) => this.call(op, onBatch));
  }

  async end(how: 'commit' | 'rollback'): Promise<void> {
    this.active = false;
    const ops = how === 'commit' ? this.held : [];
    this.held = [];
    // Nothing reached the database: there is nothing to commit or roll back.
    if (!this.begun && ops.length === 0) return;
    if (how === 'commit') {
      await this.send({ kind: 'tx', tx: this.id, ops, end: 'commit' });
      return;
    }
    try {
      await this.send({ kind: 'tx', tx: this.id, ops, end: 'rollback' });
    } catch {
      // The caller's error is the one worth reporting; the thread rolls back what it cannot end.
    }
  }

  private call(op: SessionOp, onBatch: BatchHandler | undefined): Promise<unknown> {
    if (!this.active) {
      return Promise.reject(new DbError('transaction_closed', 'the transaction has already ended'));
    }
    if (op.op === 'insert') {
      this.held.push(op);
      return Promise.resolve(undefined);
    }
    const ops = this.held;
    ops.push(op);
    this.held = [];
    this.begun = true;
    return this.send({ kind: 'tx', tx: this.id, ops }, onBatch);
  }
}

/** A DbSession whose calls are messages. */
class RemoteSession implements DbSession {
  constructor(private readonly run: (op: SessionOp, onBatch?: BatchHandler) => Promise<unknown>) {}

  select(table: string, options: SelectOptions = {}): Promise<Row[]> {
    // This engine does not forward the thread's watchCommits, so the store wakes the outbox's
    // readers at commit: their reads must then see every commit (no lag).
    const { lag: _lag, ...current } = options;
    return this.run({ op: 'select', table, options: current }) as Promise<Row[]>;
  }

  async scan(table: string, options: Omit<SelectOptions, 'limit'>, onBatch: BatchHandler): Promise<void> {
    await this.run({ op: 'scan', table, options }, onBatch);
  }

  count(table: string, where?: Predicate): Promise<number> {
    return this.run({ op: 'count', table, where }) as Promise<number>;
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length > 0) await this.run({ op: 'insert', table, rows });
  }

  update(table: string, where: Predicate, changes: Row): Promise<number> {
    return this.run({ op: 'update', table, where, changes }) as Promise<number>;
  }

  delete(table: string, where: Predicate): Promise<number> {
    return this.run({ op: 'delete', table, where }) as Promise<number>;
  }

  updateEach(table: string, key: string, rows: readonly Row[]): Promise<number> {
    return this.run({ op: 'updateEach', table, key, rows }) as Promise<number>;
  }
}
