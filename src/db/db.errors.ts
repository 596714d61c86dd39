import { BACKEND_UNAVAILABLE, type BackendUnavailable } from '../common/errors.ts';
import { STORAGE_REASONS, type StorageFailure, storageStatus } from '../common/storage.ts';

/** Why a db/ call was refused; lets callers map failures without parsing messages. */
export type DbErrorCode =
  | 'unknown_table'
  | 'unknown_column'
  | 'invalid_value'
  | 'invalid_predicate'
  | 'invalid_definition'
  | 'schema_mismatch'
  | 'nested_transaction'
  | 'transaction_closed'
  | 'closed'
  /** The store has migrations this code does not know: a newer version wrote it. */
  | 'schema_too_new'
  /** A later release line of tams-server opened the store (store_releases): no going back. */
  | 'release_too_new'
  /** Another process took the migration lease over (this one held it past its term). */
  | 'lease_lost'
  | 'locked'
  /** The database server cannot be reached or refuses work for now; worth retrying later. */
  | 'unavailable'
  /** A commit lost to another transaction that changed the same rows first; nothing applied. */
  | 'conflict'
  /**
   * The embedded engine's append journal holds acknowledged records that are damaged: the
   * store is not opened until `tams-mgmt journal recover` (the message says what is at stake).
   */
  | 'journal_damaged';

/** An error raised by the table manager or an engine for a caller mistake or a refused state. */
export class DbError extends Error {
  readonly code: DbErrorCode;

  constructor(code: DbErrorCode, message: string) {
    super(message);
    this.name = 'DbError';
    this.code = code;
  }
}

/**
 * A row larger than the database can store (VAST DataBase: a row travels in one request of at
 * most 5 MiB). The caller's input is too large, not the server broken: the HTTP layer answers
 * 413 with the message.
 */
export class DbTooLargeError extends DbError {
  readonly statusCode = 413;

  constructor(message: string) {
    super('invalid_value', message);
    this.name = 'DbTooLargeError';
  }
}

/**
 * A value larger than one cell holds (CELL_MAX_BYTES, common/cells.ts; VAST DataBase's cell
 * limit, kept by every engine alike). Raised before anything is written: the value is refused
 * whole, never cut short. The caller's input is too large: the HTTP layer answers 400.
 */
export class DbCellTooLargeError extends DbError {
  readonly statusCode = 400;

  constructor(message: string) {
    super('invalid_value', message);
    this.name = 'DbCellTooLargeError';
  }
}

/**
 * The database is held by another process, so it was not opened: an embedded DuckDB file admits
 * one process at a time. Engines raise it (only they know their driver's words for it); the
 * server and the management CLI tell the operator in one line.
 */
export class StoreLockedError extends DbError {
  constructor(
    /** What could not be opened (the database file). */
    readonly location: string,
    /** The process holding it, when the engine was told. */
    readonly holderPid?: number,
  ) {
    super(
      'locked',
      `the database ${location} is in use by another process${holderPid !== undefined ? ` (PID ${holderPid})` : ''}`,
    );
    this.name = 'StoreLockedError';
  }
}

/**
 * The database behind the engine cannot serve the call for now (every endpoint refused or timed
 * out, or it answered "slow down" past the retry budget). The HTTP layer answers 503 with
 * `Retry-After`. `reason` is shown to API clients, so it names no host, key or URL; `detail`
 * (endpoints and their errors) goes to the log only.
 */
export class DbUnavailableError extends DbError implements BackendUnavailable {
  readonly [BACKEND_UNAVAILABLE] = true as const;

  constructor(
    /** The backend, as operators know it (e.g. "VAST DataBase"). */
    readonly backend: string,
    readonly reason: string,
    /** Seconds after which a retry may succeed (the Retry-After header). */
    readonly retryAfterSeconds: number = 1,
    readonly detail: string = '',
  ) {
    super('unavailable', `${backend} is unavailable: ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'DbUnavailableError';
  }
}

/**
 * The database refused a transaction at its commit because another one, committed after this one
 * began, changed a row this one changed too (first committer wins; VAST DataBase answers 409).
 * Nothing of the transaction was applied, so running it again on a fresh snapshot is safe: the
 * store does that (TamsStore.transaction), and a transaction that keeps losing reaches the API as
 * 503 with Retry-After, as contention that passes, never as a 500.
 */
export class DbConflictError extends DbError implements BackendUnavailable {
  readonly [BACKEND_UNAVAILABLE] = true as const;
  readonly reason = 'other requests changed the same data at the same time';
  readonly retryAfterSeconds = 1;

  constructor(
    readonly backend: string,
    readonly detail: string,
  ) {
    super('conflict', `${backend} refused a commit: ${detail}`);
    this.name = 'DbConflictError';
  }
}

/**
 * The embedded engine cannot write its files: the disk is full or over quota (the API answers
 * 507 Insufficient Storage), read-only or failing (503). Raised by the write that met it and by
 * every write after it, at once, until a probe finds the disk writable again; reads go on.
 * `detail` (the file and the system's words) goes to the log only.
 */
export class DbStorageError extends DbUnavailableError {
  readonly status: 503 | 507;

  constructor(
    readonly failure: StorageFailure,
    backend: string,
    detail: string,
  ) {
    super(backend, STORAGE_REASONS[failure], 5, detail);
    this.name = 'DbStorageError';
    this.message = `${backend} refuses writes, reads go on: ${this.reason} (${detail})`;
    this.status = storageStatus(failure);
  }
}
