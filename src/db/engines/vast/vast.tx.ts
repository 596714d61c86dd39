import { DbConflictError, DbError, DbUnavailableError } from '../../db.errors.ts';
import { VAST_BACKEND, VastHttpError } from './transport/transport.errors.ts';
import { NO_TXID, type VastApi } from './vast.api.ts';
import { VastAnswerError } from './vast.errors.ts';
import { VastTransactionExpiredError } from './vast.limits.ts';

/** Timers the engine uses (keep-alives, read snapshot ageing): injected so tests never sleep. */
export interface EngineTimers {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realEngineTimers: EngineTimers = {
  now: () => Date.now(),
  // unref: a keep-alive or an idle snapshot must not hold the process open.
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** One open VAST transaction. */
export class Tx {
  active = true;
  /**
   * Set once VAST said it no longer knows the transaction (a call's or a keep-alive's answer):
   * nothing is sent under its txid any more, every further call fails at once with this.
   */
  gone: VastTransactionExpiredError | undefined;
  private keepAlive: unknown;

  constructor(
    readonly txid: bigint,
    private readonly timers: EngineTimers,
  ) {}

  /** Refuses work once the transaction has ended, or VAST has forgotten it. */
  check(): void {
    if (this.gone !== undefined) throw this.gone;
    if (!this.active) throw new DbError('transaction_closed', 'the transaction has already ended');
  }

  /** Remembers that `e`, met in this transaction, says VAST forgot it (see `gone`). */
  noteFailure(e: unknown): void {
    if (e instanceof VastTransactionExpiredError) this.gone ??= e;
  }

  startKeepAlive(api: VastApi, intervalMs: number): void {
    if (!(intervalMs > 0)) return;
    this.keepAlive = this.timers.setInterval(() => {
      // A failed keep-alive is not fatal by itself: the next call in the transaction will tell,
      // at once when VAST said it has forgotten the transaction.
      api
        .request({ method: 'GET', query: [['transaction']], txid: this.txid, idempotent: true })
        .catch((e: unknown) => this.noteFailure(e));
    }, intervalMs);
  }

  end(): void {
    this.active = false;
    if (this.keepAlive !== undefined) this.timers.clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}

/** Begins a transaction: `POST /?transaction`, the id comes back in `tabular-txid`. */
export async function beginTx(api: VastApi, timers: EngineTimers, keepAliveMs: number): Promise<Tx> {
  const res = await api.request({ method: 'POST', query: [['transaction']], txid: NO_TXID });
  const raw = res.headers['tabular-txid'];
  if (raw === undefined || !/^\d+$/.test(raw)) {
    throw new VastAnswerError(`begin transaction answered without a numeric tabular-txid (${raw ?? 'none'})`);
  }
  const tx = new Tx(BigInt(raw), timers);
  tx.startKeepAlive(api, keepAliveMs);
  return tx;
}

/**
 * Commits (`PUT /?transaction`). Marked idempotent so that a lost answer is retried, as VAST's
 * Java client retries commits to clean up transactions left open. Every 409 to the first try is a
 * conflict, as the Java client takes every 409 (VastExceptionFactory): the commit applied nothing.
 * A 409 to a resend is not: the try whose answer was lost may have committed, and what VAST
 * answers a second commit of a committed transaction is not published, so the outcome is unknown
 * (VastCommitUnknownError, never re-run by the engine).
 */
export async function commitTx(api: VastApi, tx: Tx): Promise<void> {
  tx.end();
  if (tx.gone !== undefined) throw tx.gone;
  const tries = { sent: 0 };
  try {
    await api.request({ method: 'PUT', query: [['transaction']], txid: tx.txid, idempotent: true, tries });
  } catch (e) {
    const conflict =
      (e instanceof VastHttpError && e.status === 409) ||
      (e instanceof DbConflictError && e.backend === VAST_BACKEND);
    if (conflict && tries.sent > 1) throw new VastCommitUnknownError(tries.sent, e);
    if (conflict)
      throw e instanceof DbConflictError ? e : new DbConflictError(VAST_BACKEND, (e as Error).message);
    throw e;
  }
}

/**
 * A commit sent again after its answer was lost, then refused: the first try may have been
 * applied. A DbUnavailableError (503) the engine does not re-run.
 */
export class VastCommitUnknownError extends DbUnavailableError {
  constructor(tries: number, cause: unknown) {
    super(
      VAST_BACKEND,
      'the commit was sent again after its answer was lost and then refused: whether the first try applied is unknown',
      1,
      `${tries} tries; last answer: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'VastCommitUnknownError';
  }
}

/**
 * Rolls back (`DELETE /?transaction`); failures are swallowed: the cluster drops it anyway. Not
 * sent for a transaction VAST has forgotten (`reason`, or what the transaction met before).
 */
export async function rollbackTx(api: VastApi, tx: Tx, reason?: unknown): Promise<void> {
  tx.end();
  tx.noteFailure(reason);
  if (tx.gone !== undefined) return;
  await api
    .request({ method: 'DELETE', query: [['transaction']], txid: tx.txid, idempotent: true })
    .catch(() => undefined);
}

/** Runs `fn` in a fresh transaction: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(
  api: VastApi,
  timers: EngineTimers,
  keepAliveMs: number,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const tx = await beginTx(api, timers, keepAliveMs);
  let result: T;
  try {
    result = await fn(tx);
  } catch (e) {
    await rollbackTx(api, tx, e);
    throw e;
  }
  await commitTx(api, tx);
  return result;
}
