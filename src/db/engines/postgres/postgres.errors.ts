import { DbConflictError, DbError, DbUnavailableError } from '../../db.errors.ts';

/** The engine's name as operators know it, in errors and readiness. */
export const POSTGRES_BACKEND = 'PostgreSQL';

/**
 * A text value holding U+0000, which PostgreSQL's text cannot store (its strings end at a NUL
 * byte): refused before it is sent, as the caller's input (the HTTP layer answers 400 with this
 * message), where the server would answer with an encoding error (SQLSTATE 22021).
 */
export class PostgresNulError extends DbError {
  readonly statusCode = 400;

  constructor() {
    super(
      'invalid_value',
      `A text value holds the character U+0000, which the metadata database (${POSTGRES_BACKEND}) cannot store`,
    );
    this.name = 'PostgresNulError';
  }
}

/** SQLSTATEs of a transaction that lost to another: nothing of it applied, safe to run again. */
const CONFLICTS = new Set([
  '40001', // serialization_failure: REPEATABLE READ's first updater won a row this one changed
  '40P01', // deadlock_detected
]);

/** Node's words for a server that cannot be reached. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

/** node-postgres's own words for a connection that went away or never came (errors with no code). */
const LOST =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

/** Node's TLS words: the server's certificate was not accepted, or it speaks no TLS. */
const TLS =
  /does not support SSL|self[- ]signed certificate|unable to verify|certificate has expired|Hostname\/IP does not match|ERR_TLS|CERT_/;

/**
 * Why a server that answered will not serve this process (its configuration, not the statement):
 * a clear reason for /ready and the 503, undefined for other errors.
 */
function refusal(code: string | undefined, message: string): string | undefined {
  if (code?.startsWith('28'))
    return 'the server refused the credentials (user or password of TAMS_POSTGRES_URL)';
  if (code === '25006')
    return 'the server is read-only (a standby?): TAMS_POSTGRES_URL must name the primary';
  if (code === '3D000') return 'the database named in TAMS_POSTGRES_URL does not exist';
  if (code === '42501')
    return 'the user of TAMS_POSTGRES_URL may not do this (it needs a schema of its own (TAMS_POSTGRES_SCHEMA) or CREATE on the database to create it)';
  if (TLS.test(message) || (code !== undefined && TLS.test(code))) {
    return "TLS to the server failed (TAMS_POSTGRES_TLS, TAMS_POSTGRES_CA_FILE or the URL's sslmode)";
  }
  return undefined;
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether the error says the server cannot serve for now (not that the statement was wrong). */
export function isUnavailable(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined) {
    if (NETWORK.has(code)) return true;
    // 08: connection exception; 57P0x: shutting down, cannot connect now; 53: out of resources.
    if (code.startsWith('08') || code.startsWith('57P') || code.startsWith('53')) return true;
  }
  return error instanceof Error && LOST.test(error.message);
}

/**
 * A driver or server error as the errors every engine raises: conflicts as DbConflictError (the
 * store re-runs the transaction), an unreachable server as DbUnavailableError (503), the rest as
 * DbError by what it says of the caller's call, and anything else unchanged.
 */
export function mapError(error: unknown): unknown {
  if (error instanceof DbError) return error;
  const code = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && CONFLICTS.has(code)) return new DbConflictError(POSTGRES_BACKEND, message);
  const refused = refusal(code, message);
  if (refused !== undefined) return new DbUnavailableError(POSTGRES_BACKEND, refused, 30, message);
  if (isUnavailable(error)) {
    return new DbUnavailableError(POSTGRES_BACKEND, 'the database server cannot be reached', 1, message);
  }
  switch (code) {
    case '42P01': // undefined_table
    case '3F000': // invalid_schema_name: no table was ever created in the store
      return new DbError('unknown_table', message);
    case '42703': // undefined_column
      return new DbError('unknown_column', message);
    default:
      // 22: data exception (a value out of range, JSON that is not); 23: integrity constraint.
      if (code?.startsWith('22') || code?.startsWith('23')) return new DbError('invalid_value', message);
      return error;
  }
}

/** Errors of writes known to have sent less than the whole statement (markUnsent). */
const unsent = new WeakSet<object>();

/**
 * Marks `error`, a lost connection, as having ended a write before the whole of it went out: a
 * COPY whose end of data was never sent, which the server never commits.
 */
export function markUnsent(error: Error): void {
  unsent.add(error);
}

/**
 * Whether an autocommit write that failed with `error` applied nothing, so that running it again
 * cannot apply it twice: a conflict (its statement was rolled back), no connection to be had
 * (`connecting`: nothing was sent; not after a connect timeout, which a second try would only
 * double, nor when the server refuses this process's settings), or a client that refused the
 * statement because its connection had already failed, or a COPY whose connection was lost
 * before the end of its data went out (markUnsent). A connection lost once the statement was
 * sent whole is never among them: the server may have committed it before the answer was lost.
 */
export function appliedNothing(error: unknown, connecting: boolean): boolean {
  const code = sqlState(error);
  if (code !== undefined && CONFLICTS.has(code)) return true;
  if (error instanceof DbConflictError) return true;
  if (typeof error === 'object' && error !== null && unsent.has(error)) return true;
  const message = error instanceof Error ? error.message : '';
  if (connecting) {
    return isUnavailable(error) && refusal(code, message) === undefined && !/timeout exceeded/.test(message);
  }
  return /is not queryable/.test(message);
}
