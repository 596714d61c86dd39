import { DbCellTooLargeError, DbUnavailableError } from '../../db.errors.ts';
import { VAST_BACKEND, type VastHttpError } from './transport/transport.errors.ts';

/**
 * VAST no longer knows the transaction a call ran in: idle past the cluster's timeout
 * (docs/vast.md, "Limits": the engine keeps open transactions alive well within it, so this means a
 * call stalled longer than that), or ended meanwhile. The cluster rolled it back: nothing of it
 * was applied, unless it is a commit whose earlier try went through with its answer lost. Never
 * sent again under the same txid; the API answers 503 (a DbUnavailableError) and the next
 * request begins a new transaction.
 */
export class VastTransactionExpiredError extends DbUnavailableError {
  constructor(
    readonly atCommit: boolean,
    detail: string,
  ) {
    super(
      VAST_BACKEND,
      atCommit
        ? 'the transaction had expired when it was committed (nothing of it applied, unless an earlier try of the commit, whose answer was lost, went through)'
        : 'the transaction expired before the request was done (nothing of it was applied)',
      1,
      detail,
    );
    this.name = 'VastTransactionExpiredError';
  }
}

/**
 * Codes naming a transaction the server does not know. VAST's own is not published: the fake
 * answers 404 `NoSuchTransaction`; VAST's Java mock server answers 500 "<txid> is not open".
 */
const GONE_CODES = /^(NoSuchTransaction|TransactionNotFound|TransactionExpired|InvalidTransaction)$/i;
const GONE_TEXT =
  /(transaction|txid)\b.*\b(not open|not found|does not exist|no longer exists|expired|unknown|invalid)|(no such|unknown|expired|invalid) (transaction|txid)/i;

/**
 * Whether an answer says the call's transaction is gone. Not a 409 (a conflict at commit) nor a
 * 503 (busy: the transport's business). ASSUMED from the fake and VAST's Java mock server; the
 * field kit records what a cluster answers.
 */
export function isTransactionGone(e: VastHttpError): boolean {
  if (e.status === 409 || e.status === 503 || e.status < 400) return false;
  return GONE_CODES.test(e.code) || GONE_TEXT.test(e.vastMessage) || GONE_TEXT.test(e.code);
}

/** Whether an answer is the cluster refusing a value too large for one cell (fake.limits.ts). */
export function isCellRefusal(e: VastHttpError): boolean {
  if (e.status !== 400) return false;
  const text = `${e.code} ${e.vastMessage}`;
  return /\bcell\b/i.test(text) && /(exceed|too (large|big|long)|maximum|size)/i.test(text);
}

/**
 * The engine's error for an answer about VAST's limits, undefined for any other: an expired
 * transaction (503), a cell VAST refuses though the table manager let it through (400: VAST's
 * limit is below the one the server keeps, CELL_MAX_BYTES; the message says so).
 */
export function limitError(e: VastHttpError): Error | undefined {
  if (isTransactionGone(e)) {
    // A commit is `PUT /?transaction`.
    const atCommit = e.method === 'PUT' && (e.resource === '/' || e.resource === '');
    return new VastTransactionExpiredError(atCommit, e.message);
  }
  if (isCellRefusal(e)) {
    return new DbCellTooLargeError(
      `a value is larger than VAST DataBase keeps in one cell (${e.vastMessage || e.code}); the server's limit (CELL_MAX_BYTES) is above the cluster's`,
    );
  }
  return undefined;
}
