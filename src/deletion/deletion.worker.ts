import type { Clock } from '../common/clock.ts';
import type { DeletionRecord } from '../store/deletions.repo.ts';
import type { TamsStore } from '../store/store.ts';
import { TimeRange } from '../time/index.ts';
import { deleteSegments, segmentsGone } from './deletion.service.ts';

export interface DeletionWorkerDeps {
  store: TamsStore;
  clock: Clock;
  /** Identifies this process among replicas sharing the store. */
  owner: string;
  /** Segments deleted per transaction. */
  chunkSize: number;
  /** How long a claim lasts without progress before another replica may take over. */
  leaseMs: number;
  retentionMs: number;
  /**
   * No other process can hold a lease on this store (the embedded engine admits one process), so
   * leases found at start are a killed process's: the first step frees them instead of waiting
   * `leaseMs` for them to lapse.
   */
  exclusive?: boolean;
}

/**
 * Carries out deletion requests chunk by chunk, one transaction per chunk, recording progress
 * in `timerange_remaining` so that a restart (or another replica, once the lease lapses) resumes
 * where it stopped. One chunk per step: a shutdown waits for at most one chunk.
 */
export class DeletionWorker {
  private resumed = false;

  constructor(private readonly deps: DeletionWorkerDeps) {}

  /** Returns true while there is more work. */
  async step(): Promise<boolean> {
    const { store, clock } = this.deps;
    if (!this.resumed) {
      if (this.deps.exclusive) await store.deletions.releaseLeases(this.deps.owner);
      this.resumed = true;
    }
    // A look outside any transaction first: an idle worker must not take the writer's turn.
    if ((await store.deletions.claimable(clock.now(), 1)).length === 0) {
      await this.purgeExpired();
      return false;
    }
    const claimed = await store.transaction(async (tx) => {
      const now = clock.now();
      const [candidate] = await tx.deletions.claimable(now, 1);
      if (!candidate) return undefined;
      candidate.status = 'started';
      candidate.lease_owner = this.deps.owner;
      candidate.lease_until = new Date(now.getTime() + this.deps.leaseMs);
      candidate.updated = now;
      await tx.deletions.save(candidate);
      return candidate;
    });
    if (!claimed) return false;
    try {
      await this.chunk(claimed);
    } catch (error) {
      await this.fail(claimed, error);
    }
    return true;
  }

  private lastPurge = 0;

  /** Removes expired requests, at most once a minute. */
  private async purgeExpired(): Promise<void> {
    const now = this.deps.clock.now();
    if (now.getTime() - this.lastPurge < 60_000) return;
    this.lastPurge = now.getTime();
    await this.deps.store.deletions.purgeExpired(now);
  }

  private async chunk(claimed: DeletionRecord): Promise<void> {
    const { chunkSize } = this.deps;
    await this.deps.store.transaction(async (store) => {
      // A copy: a transaction may run again (a lost commit), and from the record as claimed.
      const request: DeletionRecord = { ...claimed };
      const now = this.deps.clock.now();
      const range = request.timerange_remaining;
      const deleted = await deleteSegments(store, request.flow_id, range, request.object_id, chunkSize, now);
      const last = deleted.at(-1);
      request.updated = now;
      if (last && deleted.length === chunkSize) {
        // The rest of the range starts where the last deleted segment ended.
        request.timerange_remaining = TimeRange.fromBounds(
          last.timerange.end,
          range.end,
          !last.timerange.endInclusive,
          range.endInclusive,
        );
        // A lease covers one chunk and goes with its progress: claimable() skips leased requests,
        // so a kept lease would stall this very worker (and a restarted process) until it lapsed.
        delete request.lease_owner;
        delete request.lease_until;
      } else {
        if (request.delete_flow) await store.flows.deleteRow(request.flow_id);
        request.timerange_remaining = TimeRange.EMPTY;
        request.status = 'done';
        request.expiry = new Date(now.getTime() + this.deps.retentionMs);
        delete request.lease_owner;
        delete request.lease_until;
      }
      if (!request.delete_flow) await segmentsGone(store, request.flow_id, deleted, now);
      await store.deletions.save(request);
    });
  }

  private async fail(request: DeletionRecord, error: unknown): Promise<void> {
    const now = this.deps.clock.now();
    request.status = 'error';
    request.updated = now;
    request.expiry = new Date(now.getTime() + this.deps.retentionMs);
    request.error = {
      type: error instanceof Error ? error.name : 'Error',
      summary: error instanceof Error ? error.message : String(error),
      time: now.toISOString(),
    };
    delete request.lease_owner;
    delete request.lease_until;
    await this.deps.store.deletions.save(request);
  }
}
