import { isBackendUnavailable } from '../common/errors.ts';
import { DbError, type DbErrorCode } from '../db/db.errors.ts';
import type { TamsStore } from './store.ts';

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

/** Whether `error` passes (see above): try the same work again later, record nothing. */
export function isPassing(error: unknown): boolean {
  if (isBackendUnavailable(error)) return true;
  return error instanceof DbError && PASSING.includes(error.code);
}

/** The message of an error as it is recorded and logged (first line, bounded). */
export function failureReason(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
      : String(error);
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}...` : line;
}

const ROLLED_BACK = Symbol('dry run');

/**
 * Runs `work` in a transaction that is rolled back whatever happens: undefined when it would have
 * committed, else why not. Used after a batch failed, to find which of its items the store
 * refuses on their own (only then: it costs a transaction per item).
 */
export async function dryRun(store: TamsStore, work: (tx: TamsStore) => Promise<void>): Promise<unknown> {
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
  work: (tx: TamsStore, items: readonly T[]) => Promise<void>,
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
