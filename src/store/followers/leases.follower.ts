import type { Clock } from '../../common/clock.ts';
import type { Topology } from '../../db/topology.ts';
import type { JobLease } from '../leases.repo.ts';
import type { StoreTx, TamsStore } from '../store.ts';

export interface FollowerLeaseOptions {
  store: TamsStore;
  clock: Clock;
  /** Identifies this process among replicas. */
  owner: string;
  leaseMs?: number;
  /** Who uses the store: without leasesNeeded, a lease found at start is stale. */
  topology: Topology;
}

const DEFAULT_LEASE_MS = 60_000;

/**
 * The shortest pause of a follower's worker (`BackgroundWorker`'s `minPauseMs`): the outbox is
 * read at most about three times a second however often commits wake it, so that single-segment
 * ingest does not pay a follower's cursor and lease writes per segment. Each batch is a
 * transaction on the engine's one writer, which registrations wait behind: at 100 ms the three
 * followers made single-segment POSTs ~11 % slower than at 300 ms (docs/benchmarks-history.md, session 42),
 * for search, EXR frames and object sizes 0.2 s sooner.
 */
export const FOLLOWER_MIN_PAUSE_MS = 300;

/**
 * The lease of a job that follows the event outbox one batch at a time (the search index, the EXR
 * catalogue, the object sizes): one replica works while the others wait; the lease is taken or
 * renewed inside each batch's transaction, so a batch commits only while its lease holds, and
 * given back when there is nothing to do, so that a replica that stops stays out of the way.
 *
 * On a store one process owns (no Topology.leasesNeeded), this process is the only one there is:
 * a lease found at start is stale and freed, and batches write none, so that a batch's
 * transaction is no more than its own rows (a lease write made each one a transaction through
 * DuckDB, where a batch that only appends commits through the append journal). A lease taken in
 * this process for another owner (a test standing in for a replica) is still read and obeyed
 * between batches.
 */
export class FollowerLease {
  private resumed = false;
  private held = false;

  constructor(
    private readonly job: JobLease,
    private readonly options: FollowerLeaseOptions,
  ) {}

  get termMs(): number {
    return this.options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Who uses the store (see the class). */
  get topology(): Topology {
    return this.options.topology;
  }

  /** Whether this process may work now: false while another holds the lease. */
  async mayWork(): Promise<boolean> {
    const { store, clock, owner } = this.options;
    if (!this.resumed) {
      if (!this.topology.leasesNeeded) await store.leases.freeAll([this.job]);
      this.resumed = true;
    }
    const holder = await store.leases.holder(this.job, clock.now());
    if (holder !== undefined && holder.owner !== owner) {
      this.held = false;
      return false;
    }
    return true;
  }

  /** In a batch's transaction: takes or renews the lease; false when another holds it. */
  async take(tx: StoreTx): Promise<boolean> {
    if (!this.topology.leasesNeeded) return true;
    return tx.leases.take(this.job, this.options.owner, this.options.clock.now(), this.termMs);
  }

  /** After a batch's transaction: whether it committed under the lease. */
  settle(committed: boolean): void {
    this.held = committed && this.topology.leasesNeeded;
  }

  /** Nothing to do: gives the lease back if this process holds it. */
  async idle(): Promise<void> {
    if (this.held) await this.release();
  }

  async release(): Promise<void> {
    this.held = false;
    if (!this.topology.leasesNeeded) return;
    await this.options.store.leases.release(this.job, this.options.owner);
  }
}
