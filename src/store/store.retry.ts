import { setTimeout as sleep } from 'node:timers/promises';
import { DbConflictError } from '../db/db.errors.ts';

/** Runs of a transaction whose commits lose to others (DbConflictError) before it gives up. */
const CONFLICT_ATTEMPTS = 5;
/** The first pause after a lost commit is up to twice this, then doubles (ms). */
const CONFLICT_PAUSE_MS = 5;

/**
 * Runs `transaction` (one whole transaction: begin, work, commit) again while its commit loses to
 * another transaction that changed the same rows first (DbConflictError: another replica, on a
 * database several processes share). A lost commit applied nothing, so the next run starts on a
 * fresh snapshot, where it sees the winner's rows and decides anew: up to CONFLICT_ATTEMPTS runs,
 * a random pause growing between them so that the losers spread out. The work must keep its
 * changes to the database or to values it creates: what it changed outside them stays changed.
 */
export async function retryConflicts<R>(transaction: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!(error instanceof DbConflictError) || attempt >= CONFLICT_ATTEMPTS) throw error;
      await sleep(Math.random() * CONFLICT_PAUSE_MS * 2 ** attempt);
    }
  }
}
