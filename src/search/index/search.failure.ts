import { failureReason, isPassing } from '../../store/followers/follower.failures.ts';
import { EmbeddingError } from '../embed/embed.types.ts';

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

/** Whether an error says the service behind it is unavailable, rather than that the call was bad. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientFailure) return true;
  if (error instanceof EmbeddingError) return error.code !== 'bad_response';
  return isPassing(error);
}

/** The reason recorded for a failure: the indexer's own failures by their message alone. */
export function reasonOf(error: unknown): string {
  if (error instanceof ItemFailure || error instanceof TransientFailure) {
    return failureReason(new Error(error.message));
  }
  return failureReason(error);
}
