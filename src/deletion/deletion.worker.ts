import type { Clock } from '../common/clock.ts';
import { isBackendUnavailable } from '../common/errors.ts';
import type { Topology } from '../db/topology.ts';
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
   * Who uses the store. Without leasesNeeded (one process owns it), leases found at start are a
   * killed process's: the first step frees them instead of waiting `leaseMs` for them to lapse.
   */
  topology: Topology;
}

/** What a chunk came to. */
type ChunkOutcome = 'more' | 'done' | 'lost';

/**
 * Carries out deletion requests chunk by chunk, one transaction per chunk, recording progress
 * in `timerange_remaining` so that a restart (or another replica, once the lease lapses) resumes
 * where it stopped. One chunk per step: a shutdown waits for at most one chunk.
 *
 * Replicas share the requests through their lease (`lease_owner`, `lease_until`): a worker claims
 * a request whose lease is free or lapsed, then works on it chunk after chunk. Each chunk's
 * transaction reads the request again and goes on only while the lease is still this worker's
 * and unexpired, and its save renews it; a chunk that finds the lease gone is dropped unseen
 * (another replica took the request over). The claim and every chunk update the request's row,
 * so a takeover and a chunk cannot both commit. A failure that passes (a commit lost to other
 * writers, the database unavailable) leaves the request as it is, for this worker's next step or,
 * once the lease lapses, another replica; only any other failure marks it `error`.
 */
export class DeletionWorker {
  private resumed = false;
  /** The request whose lease this worker holds, between its chunks. */
  private held: string | undefined;

  constructor(private readonly deps: DeletionWorkerDeps) {}

  /** Returns true while there is more work. */
  async step(): Promise<boolean> {
    const { store } = this.deps;
    if (!this.resumed) {
      if (!this.deps.topology.leasesNeeded) await store.deletions.releaseLeases(this.deps.owner);
      this.resumed = true;
    }
    const id = this.held ?? (await this.claim());
    if (id === undefined) return false;
    this.held = id;
    let outcome: ChunkOutcome;
    try {
      outcome = await this.chunk(id);
    } catch (error) {
      // Contention or an outage: nothing of the chunk was applied. The step fails (the worker
      // logs it and pauses) and the next one tries the chunk again while the lease holds.
      if (isBackendUnavailable(error)) throw error;
      this.held = undefined;
      await this.fail(id, error);
      return true;
    }
    if (outcome !== 'more') this.held = undefined;
    return true;
  }

  /**
   * Gives up the lease of the request this worker was in the middle of (at shutdown), so that
   * another replica or the next start goes on with it at once rather than when the lease lapses.
   */
  async release(): Promise<void> {
    const id = this.held;
    if (id === undefined) return;
    this.held = undefined;
    await this.deps.store.transaction(async (store) => {
      const request = await store.deletions.get(id);
      if (!request || request.lease_owner !== this.deps.owner) return;
      delete request.lease_owner;
      delete request.lease_until;
      await store.deletions.save(request);
    });
  }

  /** Takes the lease of the oldest request that has none (or a lapsed one); returns its id. */
  private async claim(): Promise<string | undefined> {
    const { store, clock } = this.deps;
    // A look outside any transaction first: an idle worker must not take the writer's turn.
    if ((await store.deletions.claimable(clock.now(), 1)).length === 0) {
      await this.purgeExpired();
      return undefined;
    }
    // Two replicas claiming one request both update its row: one commits, the other runs again
    // and finds it leased.
    return store.transaction(async (tx) => {
      const now = clock.now();
      const [candidate] = await tx.deletions.claimable(now, 1);
      if (!candidate) return undefined;
      candidate.status = 'started';
      candidate.lease_owner = this.deps.owner;
      candidate.lease_until = new Date(now.getTime() + this.deps.leaseMs);
      candidate.updated = now;
      await tx.deletions.save(candidate);
      return candidate.id;
    });
  }

  private lastPurge = 0;

  /** Removes expired requests, at most once a minute. */
  private async purgeExpired(): Promise<void> {
    const now = this.deps.clock.now();
    if (now.getTime() - this.lastPurge < 60_000) return;
    this.lastPurge = now.getTime();
    await this.deps.store.deletions.purgeExpired(now);
  }

  /** Whether `request`, as read in a transaction, is still this worker's to work on at `now`. */
  private holds(request: DeletionRecord | null, now: Date): request is DeletionRecord {
    return (
      request !== null &&
      (request.status === 'created' || request.status === 'started') &&
      request.lease_owner === this.deps.owner &&
      request.lease_until !== undefined &&
      request.lease_until > now
    );
  }

  private async chunk(id: string): Promise<ChunkOutcome> {
    const { chunkSize } = this.deps;
    return this.deps.store.transaction(async (store) => {
      const now = this.deps.clock.now();
      const request = await store.deletions.get(id);
      if (!this.holds(request, now)) return 'lost';
      const range = request.timerange_remaining;
      const deleted = await deleteSegments(store, request.flow_id, range, request.object_id, chunkSize, now);
      const last = deleted.at(-1);
      request.updated = now;
      let outcome: ChunkOutcome;
      if (last && deleted.length === chunkSize) {
        // The rest of the range starts where the last deleted segment ended.
        request.timerange_remaining = TimeRange.fromBounds(
          last.timerange.end,
          range.end,
          !last.timerange.endInclusive,
          range.endInclusive,
        );
        // Progress renews the lease: a live worker keeps its request however many chunks it takes.
        request.lease_until = new Date(now.getTime() + this.deps.leaseMs);
        outcome = 'more';
      } else {
        if (request.delete_flow) await store.flows.deleteRow(request.flow_id);
        request.timerange_remaining = TimeRange.EMPTY;
        request.status = 'done';
        request.expiry = new Date(now.getTime() + this.deps.retentionMs);
        delete request.lease_owner;
        delete request.lease_until;
        outcome = 'done';
      }
      if (!request.delete_flow) await segmentsGone(store, request.flow_id, deleted, now);
      await store.deletions.save(request);
      return outcome;
    });
  }

  /** Marks the request failed for good, unless another replica has taken it over meanwhile. */
  private async fail(id: string, error: unknown): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      const now = this.deps.clock.now();
      const request = await store.deletions.get(id);
      if (!this.holds(request, now)) return;
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
      await store.deletions.save(request);
    });
  }
}
