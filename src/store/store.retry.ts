import { CONFLICT_RUNS, conflictPause } from '../db/db.conflicts.ts';
import { DbConflictError } from '../db/db.errors.ts';

/**
 * Runs `transaction` (one whole transaction: begin, work, commit) again while its commit loses to
 * another transaction that changed the same rows first (DbConflictError: another replica, on a
 * database several processes share). A lost commit applied nothing, so the next run starts on a
 * fresh snapshot, where it sees the winner's rows and decides anew: up to CONFLICT_RUNS runs,
 * a random pause growing between them so that the losers spread out (db.conflicts.ts). The work must keep its
 * changes to the database or to values it creates: what it changed outside them stays changed.
 */
export async function retryConflicts<R>(transaction: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!(error instanceof DbConflictError) || attempt >= CONFLICT_RUNS) throw error;
      await conflictPause(attempt);
    }
  }
}
