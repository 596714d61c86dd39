import type { StorageFailure } from '../../../common/storage.ts';
import type { EngineExport, EngineQuery, ExportFormat } from '../../analytics/analytics.types.ts';
import { DbError, type DbErrorCode, DbStorageError, StoreLockedError } from '../../db.errors.ts';
import type { JournalReport } from '../../db.journal.ts';
import type { ColumnDef, DbSession, Predicate, Row, SelectOptions, TableDef } from '../../db.types.ts';
import type { DuckDbEngineOptions } from './duckdb.engine.ts';

/**
 * Messages between the DuckDB engine's thread (duckdb.thread.ts) and its proxy on the main thread
 * (duckdb.threaded.ts). Values are those of the engine contract (string, bigint, number, boolean,
 * Date, JSON text): all survive structured cloning.
 */

/** One DbSession call. */
export type SessionOp =
  | { op: 'select'; table: string; options: SelectOptions }
  | { op: 'scan'; table: string; options: Omit<SelectOptions, 'limit'> }
  | { op: 'count'; table: string; where: Predicate | undefined }
  | { op: 'insert'; table: string; rows: readonly Row[] }
  | { op: 'update'; table: string; where: Predicate; changes: Row }
  | { op: 'delete'; table: string; where: Predicate }
  | { op: 'updateEach'; table: string; key: string; rows: readonly Row[] };

export type EngineCall =
  | { call: 'listTables' }
  | { call: 'describeTable'; name: string }
  | { call: 'createTable'; def: TableDef }
  | { call: 'addColumn'; table: string; column: ColumnDef }
  | { call: 'ensureLookups'; table: string; columns: readonly string[] }
  | { call: 'dropTable'; name: string }
  | { call: 'tableBytes'; tables: readonly string[] }
  /** Engine.storage.check: resolves while the engine takes writes. */
  | { call: 'storage' }
  | { call: 'close' };

/** A call of the engine's analytics (duckdb.analytics.ts), run on the thread like the rest. */
export type AnalyticsCall =
  | { call: 'query'; batch: readonly EngineQuery[] }
  | { call: 'export'; query: EngineExport; format: ExportFormat; path: string };

export type Request =
  /** An autocommit call. */
  | { id: number; kind: 'session'; op: SessionOp }
  /**
   * Calls of transaction `tx`, run in order; the reply carries the last one's result. The first
   * request of a transaction begins it; `end` commits or rolls it back after the calls.
   */
  | { id: number; kind: 'tx'; tx: number; ops: SessionOp[]; end?: 'commit' | 'rollback' }
  | { id: number; kind: 'engine'; request: EngineCall }
  | { id: number; kind: 'analytics'; request: AnalyticsCall }
  /** The main thread has handled the last batch of scan `id`: the next may come, or none (`stop`). */
  | { id: number; kind: 'scanAck'; stop: boolean };

export type Reply =
  | { id: number; kind: 'ok'; value: unknown }
  | { id: number; kind: 'error'; error: WireError }
  | { id: number; kind: 'batch'; rows: Row[] };

/**
 * What the thread posts once, before any reply: the engine opened (with what it found in its
 * journal, DuckDbEngineHandle.journalReport), or why it did not.
 */
export type Started = { kind: 'started'; journal?: JournalReport } | { kind: 'failed'; error: WireError };

export interface ThreadData {
  /** The module the thread runs (duckdb.thread.ts), loaded by src/common/thread.boot.mjs from the sources. */
  entry: string;
  options: DuckDbEngineOptions;
}

export interface WireError {
  message: string;
  /** Set for a DbError. */
  code?: DbErrorCode;
  name?: string;
  /** Set for a StoreLockedError (the thread could not open the file). */
  locked?: { location: string; holderPid?: number };
  /** Set for a DbStorageError (the disk refused a write). */
  storage?: { failure: StorageFailure; backend: string; detail: string };
}

export function toWire(error: unknown): WireError {
  if (error instanceof StoreLockedError) {
    return {
      message: error.message,
      code: error.code,
      locked: { location: error.location, holderPid: error.holderPid },
    };
  }
  if (error instanceof DbStorageError) {
    const { failure, backend, detail } = error;
    return { message: error.message, code: error.code, storage: { failure, backend, detail } };
  }
  if (error instanceof DbError) return { message: error.message, code: error.code };
  if (error instanceof Error) return { message: error.message, name: error.name };
  return { message: String(error) };
}

export function fromWire(wire: WireError): Error {
  if (wire.locked !== undefined) return new StoreLockedError(wire.locked.location, wire.locked.holderPid);
  if (wire.storage !== undefined)
    return new DbStorageError(wire.storage.failure, wire.storage.backend, wire.storage.detail);
  if (wire.code !== undefined) return new DbError(wire.code, wire.message);
  const error = new Error(wire.message);
  if (wire.name !== undefined) error.name = wire.name;
  return error;
}

/** Runs one call on a session; `onBatch` receives a scan's batches. */
export function runOp(
  session: DbSession,
  op: SessionOp,
  onBatch: (rows: Row[]) => Promise<void>,
): Promise<unknown> {
  switch (op.op) {
    case 'select':
      return session.select(op.table, op.options);
    case 'scan':
      return session.scan(op.table, op.options, onBatch);
    case 'count':
      return session.count(op.table, op.where);
    case 'insert':
      return session.insert(op.table, op.rows);
    case 'update':
      return session.update(op.table, op.where, op.changes);
    case 'delete':
      return session.delete(op.table, op.where);
    case 'updateEach':
      return session.updateEach(op.table, op.key, op.rows);
  }
}
