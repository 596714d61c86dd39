import { isBackendUnavailable } from '../../common/errors.ts';
import { DbError, type DbErrorCode } from '../../db/db.errors.ts';
import type { StoreTx, TamsStore } from '../store.ts';

/**
 * How the followers of the outbox (EXR catalogue, object sizes; webhook delivery does the same
 * per webhook) tell a failure that passes from one item that always fails, so that one bad item
 * never stops them:
 *
 * - **Passing**: the database unavailable or contended, the store closing (`isPassing`), or a
 *   media backend that fails its own readiness check (MediaStore.check, what /ready asks). The
 *   batch is not applied and is tried again from the same place, after the worker's growing
 *   pause (common/worker.ts); nothing is recorded as failed.
 * - **The item's own**: anything else, where the same work without that item succeeds: the
 *   database refuses the item's rows while it takes the rest of the batch (checked with `dryRun`,
 *   one item at a time), or a backend refuses one object while it passes its readiness check.
 *   The item is recorded as failed with its reason where the wing shows its state, logged once
 *   (a warning), counted on /metrics, and the cursor moves past it.
 *
 * An error that fails the work even without any item (the batch's bare cursor write refused) is
 * no item's: it is thrown, and the step is tried again after the worker's pause.
 */

/** db/ errors that pass: the same work may succeed when tried again. */
const PASSING: readonly DbErrorCode[] = [
  'unavailable',
  'conflict',
  'locked',
  'closed',
  'transaction_closed',
  'lease_lost',
];

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

/**
 * Whether `error` passes (see above): try the same work again later, record nothing. Besides the
 * errors marked so (a backend unavailable, the database's passing codes), a service that could
 * not be reached, timed out, or answered 408, 429 or 5xx says nothing about the item.
 */
export function isPassing(error: unknown): boolean {
  if (isBackendUnavailable(error)) return true;
  if (error instanceof DbError) return PASSING.includes(error.code);
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as ErrorShape;
  if (shape.name === 'TimeoutError' || shape.name === 'AbortError') return true;
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return true;
  const status = statusOf(shape);
  return status !== undefined && (status === 408 || status === 429 || status >= 500);
}

/** Longest reason kept: the APIs show it (an EXR file's issue, a webhook's last error). */
const MAX_REASON = 300;

/**
 * The reason an item failed, as it is recorded, shown by the API and logged: one line, bounded,
 * naming no server path: a system error by its code and text ("ENXIO: no such device or
 * address", without the "open '<path>'" Node adds), an HTTP answer by its name and status, any
 * other error by its name and message.
 */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return bounded(String(error));
  const shape = error as ErrorShape;
  if (typeof shape.code === 'string' && /^E[A-Z]+$/.test(shape.code)) {
    return error.message.startsWith(shape.code) ? (error.message.split(', ')[0] ?? shape.code) : shape.code;
  }
  const status = statusOf(shape);
  if (status !== undefined) return bounded(`${error.name} (HTTP ${status})`);
  const named = error.name === 'Error' || error.message === '' ? '' : `${error.name}: `;
  return bounded(`${named}${error.message || error.name}`);
}

function bounded(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON)}...` : line;
}

const ROLLED_BACK = Symbol('dry run');

/**
 * Runs `work` in a transaction that is rolled back whatever happens: undefined when it would have
 * committed, else why not. Used after a batch failed, to find which of its items the store
 * refuses on their own (only then: it costs a transaction per item).
 */
export async function dryRun(store: TamsStore, work: (tx: StoreTx) => Promise<void>): Promise<unknown> {
  try {
    await store.transaction(async (tx) => {
      await work(tx);
      throw ROLLED_BACK;
    });
  } catch (error) {
    return error === ROLLED_BACK ? undefined : error;
  }
  return undefined;
}

/**
 * The items of a batch that the store refuses on their own, each with why: `work` is tried with
 * the whole group in a rolled-back transaction (dryRun), and a group it refuses is split in two
 * until the items refused alone are found, so that one bad item among thousands costs a few dozen
 * dry runs, not one per item. A failure that passes is thrown (nothing can be concluded).
 */
export async function refusedItems<T>(
  store: TamsStore,
  items: readonly T[],
  work: (tx: StoreTx, items: readonly T[]) => Promise<void>,
): Promise<{ item: T; error: unknown }[]> {
  const refused: { item: T; error: unknown }[] = [];
  const search = async (group: readonly T[]): Promise<void> => {
    if (group.length === 0) return;
    const error = await dryRun(store, (tx) => work(tx, group));
    if (error === undefined) return;
    if (isPassing(error)) throw error;
    if (group.length === 1) {
      refused.push({ item: group[0] as T, error });
      return;
    }
    const half = Math.ceil(group.length / 2);
    await search(group.slice(0, half));
    await search(group.slice(half));
  };
  await search(items);
  return refused;
}
