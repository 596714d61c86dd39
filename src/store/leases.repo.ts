import { randomInt } from 'node:crypto';
import type { DbSession } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { leaseKey } from './guards.repo.ts';
import { date, str } from './rows.ts';
import { T } from './tables.ts';

/**
 * The background jobs that one replica at a time runs, each under a lease row of the guards
 * table (`lease:<job>`, added at store open: store.open.ts).
 */
export const JOB_LEASES = [
  'media-gc',
  'allocations',
  'search-index',
  'exr-inspect',
  'analytics-sizes',
] as const;
export type JobLease = (typeof JOB_LEASES)[number];

export interface LeaseHolder {
  owner: string;
  until: Date;
}

/**
 * Job leases: a guard row whose holder and end are written by the transaction that takes it.
 * Taking is an update of the row, so two replicas taking one lease at once conflict at commit and
 * the loser, run again (TamsStore.transaction), finds it held. A holder that dies stops renewing,
 * and the lease lapses at `until` for another replica to take. Times are the caller's clock.
 *
 * A lease may have several rows (replicas first started together each added one: guards.repo.ts);
 * it is held while any of them names a live holder, and taking it writes them all.
 */
export class LeasesRepo {
  constructor(private readonly db: DbSession) {}

  /** Who holds the lease at `now`; undefined when it is free or lapsed. */
  async holder(job: JobLease, now: Date): Promise<LeaseHolder | undefined> {
    const rows = await this.db.select(T.guards, {
      where: and(col('key').eq(leaseKey(job))),
      columns: ['owner', 'until'],
    });
    for (const row of rows) {
      const owner = str(row, 'owner');
      const until = date(row, 'until');
      if (owner !== undefined && until !== undefined && until > now) return { owner, until };
    }
    return undefined;
  }

  /**
   * Takes the lease for `owner` until `now + termMs` when it is free, lapsed or `owner`'s already
   * (a renewal); returns whether `owner` holds it. Call in the transaction whose work the lease
   * covers: that transaction then commits only if no other took the lease meanwhile.
   */
  async take(job: JobLease, owner: string, now: Date, termMs: number): Promise<boolean> {
    const holder = await this.holder(job, now);
    if (holder !== undefined && holder.owner !== owner) return false;
    const changed = await this.db.update(T.guards, and(col('key').eq(leaseKey(job))), {
      owner,
      until: new Date(now.getTime() + termMs),
      stamp: BigInt(randomInt(2 ** 47)),
    });
    // No row: a store opened without ensureGuardRows(db, JOB_LEASES), where a lease would exclude nothing.
    if (changed === 0) throw new Error(`lease row of ${job} missing`);
    return true;
  }

  /**
   * Frees the leases whoever holds them: for a process that knows no other can be working on the
   * store (the embedded engine admits one), a holder found at start is a killed process.
   */
  async freeAll(jobs: readonly JobLease[]): Promise<void> {
    await this.db.update(T.guards, and(col('key').in(jobs.map(leaseKey)), col('owner').isNotNull()), {
      owner: null,
      until: null,
    });
  }

  /** Gives the lease up if `owner` holds it, so that another replica need not wait for it to lapse. */
  async release(job: JobLease, owner: string): Promise<void> {
    await this.db.update(T.guards, and(col('key').eq(leaseKey(job)), col('owner').eq(owner)), {
      owner: null,
      until: null,
      stamp: BigInt(randomInt(2 ** 47)),
    });
  }
}
