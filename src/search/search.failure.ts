import { isBackendUnavailable } from '../common/errors.ts';
import { DbError } from '../db/db.errors.ts';
import { EmbeddingError } from './embed/embed.types.ts';

/**
 * How the search indexer tells a bad item from a passing outage (README "Media search", "When an
 * item cannot be indexed"). An item fails alone when what it needs works for everything else at
 * that moment: the storage backend passes its check while this object cannot be read, the text
 * is not timed text, the embedding service embeds a probe text but refuses this one, the
 * database takes the record of the failure while the item's own batch keeps failing. A failure
 * of the thing itself (the backend's check fails, the database or the embedding service cannot be
 * reached or answers 5xx, 408 or 429) is transient: the indexer retries, with a growing pause,
 * and everything after waits in order.
 */

/** An item that cannot be indexed, for a reason of its own: recorded, logged, passed over. */
export class ItemFailure extends Error {
  override readonly name = 'ItemFailure';
}

/** Something the indexer needs is unavailable for now: the batch is tried again later. */
export class TransientFailure extends Error {
  override readonly name = 'TransientFailure';
}

/** Network errors: the peer could not be reached or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Database errors of a closing or locked store, not of an item. */
const DB_TRANSIENT = new Set([
  'closed',
  'transaction_closed',
  'locked',
  'lease_lost',
  'unavailable',
  'conflict',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  status?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The HTTP status an error carries (VAST's transport, the AWS SDK), if any. */
function statusOf(error: ErrorShape): number | undefined {
  const status = error.$metadata?.httpStatusCode ?? error.status;
  return typeof status === 'number' ? status : undefined;
}

/** Whether an error says the service behind it is unavailable, rather than that the call was bad. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientFailure || isBackendUnavailable(error)) return true;
  if (error instanceof EmbeddingError) return error.code !== 'bad_response';
  if (error instanceof DbError) return DB_TRANSIENT.has(error.code);
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as ErrorShape;
  if (shape.name === 'TimeoutError' || shape.name === 'AbortError') return true;
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return true;
  const status = statusOf(shape);
  return status !== undefined && (status === 408 || status === 429 || status >= 500);
}

/** Longest reason kept (the API's status shows it). */
const MAX_REASON = 300;

/**
 * A short reason for an error that names no server path or credential: a system error by its
 * code, an HTTP answer by its status, anything else by its message.
 */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, MAX_REASON);
  const shape = error as ErrorShape;
  // Node's system errors: "ENXIO: no such device or address, open '<path>'", the path left out.
  if (typeof shape.code === 'string' && /^E[A-Z]+$/.test(shape.code)) {
    return error.message.startsWith(shape.code) ? (error.message.split(', ')[0] ?? shape.code) : shape.code;
  }
  const status = statusOf(shape);
  const text = status !== undefined ? `${error.name} (HTTP ${status})` : error.message || error.name;
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}...` : text;
}
