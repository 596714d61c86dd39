import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { AnalyticsCapable } from '../../analytics/analytics.types.ts';
import type { DbSession, Engine, Row } from '../../db.types.ts';
import { createDuckDbEngine, type DuckDbEngineHandle } from './duckdb.engine.ts';
import {
  type AnalyticsCall,
  type EngineCall,
  type Reply,
  type Request,
  runOp,
  type SessionOp,
  type Started,
  type ThreadData,
  toWire,
} from './duckdb.protocol.ts';

/**
 * The DuckDB engine's own thread (see duckdb.threaded.ts): it owns the database and answers the
 * main thread's requests with the in-process engine.
 */

type TxRequest = Extract<Request, { kind: 'tx' }>;

if (!parentPort) throw new Error('duckdb.thread.ts runs as a worker thread');
const port: MessagePort = parentPort;

const reply = (message: Reply) => port.postMessage(message);
const fail = (id: number, error: unknown) => reply({ id, kind: 'error', error: toWire(error) });

/** Scans waiting for the main thread to take their last batch, by request id. */
const acks = new Map<number, (stop: boolean) => void>();

/** Thrown into a scan the main thread stopped (its batch handler failed; it reports why). */
class ScanStopped extends Error {}

function batches(id: number): (rows: Row[]) => Promise<void> {
  return (rows) =>
    new Promise<void>((resolve, reject) => {
      acks.set(id, (stop) => (stop ? reject(new ScanStopped('scan stopped by its reader')) : resolve()));
      reply({ id, kind: 'batch', rows });
    });
}

async function runOps(session: DbSession, ops: readonly SessionOp[], id: number): Promise<unknown> {
  let value: unknown;
  for (const op of ops) value = await runOp(session, op, batches(id));
  return value;
}

/** Thrown out of a transaction's callback to roll it back on request. */
class RollbackRequested extends Error {}

/** The requests of one transaction, handed in order to the callback that holds it open. */
class TxChannel {
  private readonly queue: TxRequest[] = [];
  private waiter: ((request: TxRequest) => void) | undefined;
  /** Set when the transaction could not start: every request gets this answer. */
  failed: unknown;

  push(request: TxRequest): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(request);
    else this.queue.push(request);
  }

  next(): Promise<TxRequest> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  takeQueued(): TxRequest[] {
    return this.queue.splice(0);
  }
}

/** Answers a request of a transaction that never started; its end forgets the transaction. */
function answerFailed(channel: TxChannel, request: TxRequest): void {
  if (request.end === 'rollback') reply({ id: request.id, kind: 'ok', value: undefined });
  else fail(request.id, channel.failed);
  if (request.end) channels.delete(request.tx);
}

async function runTransaction(engine: Engine, txId: number, channel: TxChannel): Promise<void> {
  let ending: TxRequest | undefined;
  let value: unknown;
  try {
    await engine.transaction(async (session) => {
      for (;;) {
        const request = await channel.next();
        try {
          value = await runOps(session, request.ops, request.id);
        } catch (error) {
          // A failed call ends the transaction only when it came with the end: then nothing of
          // it may be committed. Otherwise the caller decides, as with the in-process engine.
          if (request.end) {
            ending = request;
            throw error;
          }
          fail(request.id, error);
          continue;
        }
        if (request.end === 'rollback') {
          ending = request;
          throw new RollbackRequested();
        }
        if (request.end === 'commit') {
          ending = request;
          return;
        }
        reply({ id: request.id, kind: 'ok', value });
      }
    });
    if (ending) reply({ id: ending.id, kind: 'ok', value });
    channels.delete(txId);
  } catch (error) {
    if (ending) {
      channels.delete(txId);
      if (error instanceof RollbackRequested) reply({ id: ending.id, kind: 'ok', value: undefined });
      else fail(ending.id, error);
      return;
    }
    // The transaction never started (engine closed): answer what came, and what will come.
    channel.failed = error;
    for (const request of channel.takeQueued()) answerFailed(channel, request);
  }
}

const channels = new Map<number, TxChannel>();

function onTransaction(engine: Engine, request: TxRequest): void {
  let channel = channels.get(request.tx);
  if (channel?.failed !== undefined) {
    answerFailed(channel, request);
    return;
  }
  if (!channel) {
    channel = new TxChannel();
    channels.set(request.tx, channel);
    void runTransaction(engine, request.tx, channel);
  }
  channel.push(request);
}

function engineCall(engine: Engine, request: EngineCall): Promise<unknown> {
  switch (request.call) {
    case 'listTables':
      return engine.listTables();
    case 'describeTable':
      return engine.describeTable(request.name);
    case 'createTable':
      return engine.createTable(request.def);
    case 'addColumn':
      return engine.addColumn(request.table, request.column);
    case 'ensureLookups':
      return engine.ensureLookups?.(request.table, request.columns) ?? Promise.resolve();
    case 'dropTable':
      return engine.dropTable(request.name);
    case 'tableBytes':
      return engine.tableBytes?.(request.tables) ?? Promise.resolve(undefined);
    case 'storage':
      return engine.storage?.check() ?? Promise.resolve();
    case 'close':
      return engine.close();
  }
}

function analyticsCall(engine: AnalyticsCapable, request: AnalyticsCall): Promise<unknown> {
  switch (request.call) {
    case 'query':
      return engine.analytics.query(request.batch);
    case 'export':
      return engine.analytics.exportTo(request.query, request.format, request.path);
  }
}

async function answer(id: number, work: () => Promise<unknown>): Promise<void> {
  try {
    reply({ id, kind: 'ok', value: await work() });
  } catch (error) {
    fail(id, error);
  }
}

// A thread that cannot open reports why and ends without throwing: a rethrow would also reach the
// parent as an 'error' event, which may arrive before the report (seen on Node 24) and carries a
// structured clone that is no longer a StoreLockedError.
const opened = await createDuckDbEngine((workerData as ThreadData).options).catch((error: unknown) => {
  port.postMessage({ kind: 'failed', error: toWire(error) } satisfies Started);
  return undefined;
});
if (opened !== undefined) serve(opened);

function serve(engine: DuckDbEngineHandle): void {
  port.on('message', (request: Request) => {
    switch (request.kind) {
      case 'session':
        void answer(request.id, () => runOp(engine.session, request.op, batches(request.id)));
        return;
      case 'tx':
        onTransaction(engine, request);
        return;
      case 'engine':
        void answer(request.id, () => engineCall(engine, request.request));
        return;
      case 'analytics':
        void answer(request.id, () => analyticsCall(engine, request.request));
        return;
      case 'scanAck': {
        const ack = acks.get(request.id);
        acks.delete(request.id);
        ack?.(request.stop);
        return;
      }
    }
  });
  port.postMessage({ kind: 'started', journal: engine.journalReport() } satisfies Started);
}
