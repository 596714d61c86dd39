import { DbConflictError, DbError, DbTooLargeError } from '../../db.errors.ts';
import { VAST_BACKEND, VastHttpError } from './transport/transport.errors.ts';
import { limitError } from './vast.limits.ts';
import { WireFormatError } from './wire/wire.errors.ts';
import { QueryDataFailedError } from './wire/wire.frames.ts';
import { TooWideRowError } from './wire/wire.slices.ts';
import { WireValueError } from './wire/wire.values.ts';

/**
 * The cluster answered something this client could not read (a body that is not the expected
 * FlatBuffer / Arrow stream, a QueryData response that breaks off). Not the caller's fault and not
 * worth a blind retry: the HTTP layer answers 500, the log keeps the detail.
 */
export class VastAnswerError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`the answer of VAST DataBase was not understood: ${detail}`, options);
    this.name = 'VastAnswerError';
  }
}

/**
 * A 409 to a call: a conflict, whatever its code. Both of VAST's official clients take every 409
 * so (the SDK's status table in errors.py; the Java client's VastExceptionFactory), and VAST's SDK
 * tests expect a change that conflicts with another open transaction's to be refused at the call
 * with 409 (test_tables.py, test_rename_column), under a code nobody publishes: a code such as
 * `SerializationFailure` is a conflict as much as `TransactionConflict`. The transaction applied
 * nothing VAST kept (the refused one's commit is refused too), so the store and the engine's
 * autocommit run it again, whole, on a fresh snapshot. The answer is kept: a 409 to a create may
 * also mean "it exists already" (`mayBeThere`, vast.catalog.ts).
 */
export class VastConflictError extends DbConflictError {
  constructor(readonly answer: VastHttpError) {
    super(VAST_BACKEND, answer.message);
    this.name = 'VastConflictError';
    this.message = `${VAST_BACKEND} refused a change as a conflict: ${answer.message}`;
  }
}

/**
 * Maps what the transport and the codec throw to the engine's errors. DbErrors (including the
 * transport's VastUnavailableError, a DbUnavailableError that the API answers with 503) pass
 * through; a 404 on a table means the table is not there; every 409 is a conflict
 * (VastConflictError; at commit too, where a 409 to a resent commit means more: vast.tx.ts); a
 * reply the codec cannot read is a VastAnswerError. Anything else (403, 500...) keeps its
 * VastHttpError, which names status, code and request id for the log.
 */
export function toDbError(e: unknown, table: string | undefined): unknown {
  if (e instanceof DbError) return e;
  if (e instanceof VastHttpError) {
    // An expired transaction (503) or a cell over VAST's limit (400): vast.limits.ts.
    const limit = limitError(e);
    if (limit !== undefined) return limit;
    if (e.status === 404 && table !== undefined && table !== '' && e.missing !== 'bucket') {
      return new DbError('unknown_table', `unknown table "${table}" (VAST: ${e.code || 'not found'})`);
    }
    if (e.status === 409) return new VastConflictError(e);
    return e;
  }
  if (e instanceof WireValueError) return new DbError('invalid_value', e.message);
  if (e instanceof TooWideRowError) {
    return new DbTooLargeError(`too large for the metadata database (VAST DataBase): ${e.message}`);
  }
  if (e instanceof QueryDataFailedError) return e;
  if (e instanceof WireFormatError) return new VastAnswerError(e.message, { cause: e });
  return e;
}

/**
 * A refusal of a create that may mean it exists already: a 409 (a VastConflictError), or a code
 * speaking of existence. Only an exact-name listing tells (vast.catalog.ts): a 409 may as well be
 * a conflict with another process's open transaction creating the same thing, which the listing,
 * isolated from that transaction, cannot show.
 */
export function mayBeThere(e: unknown): boolean {
  if (e instanceof VastConflictError) return true;
  return e instanceof VastHttpError && (e.status === 409 || /exist/i.test(e.code));
}

/** A 4xx refusal (not a 404, nor the 503s and lost connections that say nothing about the object). */
export function isRefusal(e: unknown): boolean {
  return e instanceof VastHttpError && e.status >= 400 && e.status < 500 && e.status !== 404;
}

/** A 404: what was to be dropped or read is not there (any level: bucket excepted). */
export function isMissing(e: unknown): boolean {
  if (e instanceof DbError) return e.code === 'unknown_table';
  return e instanceof VastHttpError && e.status === 404 && e.missing !== 'bucket';
}
