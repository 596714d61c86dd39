import type { Clock } from '../common/clock.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { Topology } from '../db/topology.ts';
import { JOB_LEASES, type JobLease } from '../store/leases.repo.ts';
import type { GcEntry } from '../store/media-gc.repo.ts';
import type { StoreTx, TamsStore } from '../store/store.ts';
import type { DeletionHold } from './media.hold.ts';
import type { MediaRegistry } from './media.registry.ts';

const BATCH = 100;
/**
 * Allocation rows tidied per transaction. Each pass costs two scans of the allocations tables
 * whatever its size, and holds the writer meanwhile: at 5,000 rows, bulk ingest at ~25,000
 * segments/s needed ~5 passes a second (~40 ms each) and its batches waited for them.
 */
const ALLOCATIONS_BATCH = 50_000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;
/** How long a job lease lasts unless its holder renews it (a write of the job renews it). */
const DEFAULT_LEASE_MS = 60_000;
/**
 * How long after a PUT URL's expiry its upload may still land: the object store's clock may run
 * behind ours, and a server checks a URL when the upload starts, not when its last byte arrives.
 */
export const UPLOAD_GRACE_MS = 15 * 60 * 1000;

/**
 * Deletes the bytes of objects no segment references any more. The queue (media_gc) is written
 * in the transaction that dropped the last reference, so nothing is lost in a crash; failures
 * are retried with exponential backoff, never blocking the API. It also tidies allocations:
 * objects allocated and never used for `unusedGraceMs` (uploads abandoned before registration)
 * are released, so their bytes go too.
 *
 * A PUT URL issued at allocation stays valid after its object is gone (S3 knows nothing of
 * allocations), and a replay then writes bytes nothing tracks. So when such a URL may still be
 * valid at the first deletion, the key is deleted once more after the URL has expired (the
 * allocation time plus `putUrlValidMs` and UPLOAD_GRACE_MS): orphans are collected without
 * listing buckets.
 *
 * Replicas sharing the store run the two jobs one at a time each, under a job lease
 * (leases.repo.ts): `media-gc` for byte deletion and `allocations` for the housekeeping. A
 * replica takes the lease when it finds work, keeps it while it works (each of its writes
 * renews it, and commits only while it still holds it), and gives it up once it finds nothing
 * to do; a holder that dies is replaced when its lease lapses. So each key is deleted, and each
 * queue row finished, by one replica; only a holder stalled past its lease has its last writes
 * dropped, and its successor deletes those keys again (deleting a key is idempotent).
 */
/** What a queue entry came to in one attempt. */
type Outcome = { entry: GcEntry } & (
  | { kind: 'done' }
  | { kind: 'again'; deleted: Date; again: Date }
  | { kind: 'failed'; error: string; next: Date }
);

export class MediaGarbageCollector {
  constructor(
    private readonly deps: {
      store: TamsStore;
      media: MediaRegistry;
      clock: Clock;
      log: WorkerLog;
      unusedGraceMs: number;
      /** Validity of the PUT URLs issued at allocation (TAMS_PRESIGN_EXPIRY_SECONDS). */
      putUrlValidMs: number;
      /**
       * Which of these unused allocations are kept all the same: objects no segment uses but
       * something else names (an HLS init segment named by a Flow tag, src/hls). They stay
       * allocated, and go as abandoned once nothing names them. None kept when absent.
       */
      kept?: (objectIds: readonly string[]) => Promise<ReadonlySet<string>>;
      /**
       * Rows of used allocations are tidied once a full batch waits, or this long after the last
       * tidy: each pass holds the writer for two scans of the allocations tables whatever its
       * size (~35 ms with ~7,000 rows on the 10M data set), which every second under ingest was
       * ~3.5% of the writer's time for rows nothing needs gone soon.
       */
      tidyEveryMs: number;
      /** Identifies this process among replicas (the job leases). */
      owner: string;
      /** How long a job lease lasts unless renewed (each write of the job renews it). */
      leaseMs?: number;
      /**
       * Who uses the store. Without leasesNeeded (one process owns it), leases found at start
       * are a killed process's: the first step frees them instead of waiting for them to lapse.
       */
      topology: Topology;
      /** Passed before each deletion: a backup holds deletions while it reads the objects (media.hold.ts). */
      hold?: DeletionHold;
    },
  ) {}

  private lastTidy = Number.NEGATIVE_INFINITY;
  /** The job leases this collector holds (as far as it knows: a lapsed one is found out at its next write). */
  private readonly held = new Set<JobLease>();

  private get leaseMs(): number {
    return this.deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  private resumed = false;

  /** Returns true when a full batch was processed (more may be due). */
  async step(): Promise<boolean> {
    if (!this.resumed) {
      if (!this.deps.topology.leasesNeeded) await this.deps.store.leases.freeAll(JOB_LEASES);
      this.resumed = true;
    }
    const tidied = await this.tidyAllocations();
    const deleted = await this.deleteBytes();
    return tidied || deleted;
  }

  /** Gives up the leases held (at shutdown), so that another replica need not wait for them to lapse. */
  async release(): Promise<void> {
    for (const job of [...this.held]) await this.releaseLease(job);
  }

  private async releaseLease(job: JobLease): Promise<void> {
    this.held.delete(job);
    await this.deps.store.leases.release(job, this.deps.owner);
  }

  /** Whether another replica holds the job's lease (read outside any transaction: a hint). */
  private async elsewhere(job: JobLease): Promise<boolean> {
    const holder = await this.deps.store.leases.holder(job, this.deps.clock.now());
    return holder !== undefined && holder.owner !== this.deps.owner;
  }

  /**
   * In the transaction doing the job's work: takes or renews its lease; false when another
   * replica holds it (the work is then left to that one).
   */
  private async lease(tx: StoreTx, job: JobLease): Promise<boolean> {
    return tx.leases.take(job, this.deps.owner, this.deps.clock.now(), this.leaseMs);
  }

  /**
   * One batch of the allocations table: rows of objects in use go; objects unused beyond the
   * grace period are released. Reads happen outside any transaction, so ingest keeps the writer.
   */
  private async tidyAllocations(): Promise<boolean> {
    const { store, clock, unusedGraceMs } = this.deps;
    if (await this.elsewhere('allocations')) {
      this.held.delete('allocations');
      return false;
    }
    const now = clock.now().getTime();
    const cutoff = new Date(now - unusedGraceMs);
    const due = now - this.lastTidy >= this.deps.tidyEveryMs;
    // Abandoned allocations are looked for on the same schedule (a pass over every unused one).
    const work = await store.objects.allocationWork(
      due ? cutoff : undefined,
      ALLOCATIONS_BATCH,
      due ? 1 : ALLOCATIONS_BATCH,
    );
    if (due) this.lastTidy = now;
    if (work.abandoned.length > 0 && this.deps.kept) {
      const kept = await this.deps.kept(work.abandoned);
      if (kept.size > 0) work.abandoned = work.abandoned.filter((id) => !kept.has(id));
    }
    if (work.used.length === 0 && work.abandoned.length === 0) {
      if (this.held.has('allocations')) await this.releaseLease('allocations');
      return false;
    }
    const leased = await store.transaction(async (tx) => {
      if (!(await this.lease(tx, 'allocations'))) return false;
      // A registration using one of them meanwhile deletes its allocation row, as a release
      // does: of the two transactions only one commits (ObjectsRepo.registered).
      await tx.objects.tidyAllocations(work.used, work.abandoned, clock.now());
      return true;
    });
    if (!leased) {
      this.held.delete('allocations');
      return false;
    }
    this.held.add('allocations');
    return work.more;
  }

  private async deleteBytes(): Promise<boolean> {
    const { store, clock } = this.deps;
    if (await this.elsewhere('media-gc')) {
      this.held.delete('media-gc');
      return false;
    }
    // A look outside any transaction first: an idle collector must not take the writer's turn.
    if ((await store.mediaGc.due(clock.now(), 1)).length === 0) {
      if (this.held.has('media-gc')) await this.releaseLease('media-gc');
      return false;
    }
    // The batch is read in the transaction that takes the lease: what a previous holder finished
    // before giving the lease up is not seen as due.
    const due = await store.transaction(async (tx) =>
      (await this.lease(tx, 'media-gc')) ? tx.mediaGc.due(clock.now(), BATCH) : undefined,
    );
    if (due === undefined) {
      this.held.delete('media-gc');
      return false;
    }
    this.held.add('media-gc');
    let outcomes: Outcome[] = [];
    let renewed = clock.now().getTime();
    for (const entry of due) {
      // Deletions are slow at times (an S3 server retrying): the lease is renewed (with the
      // outcomes so far) before half of it has gone.
      if (clock.now().getTime() - renewed >= this.leaseMs / 2) {
        if (!(await this.record(outcomes))) return false;
        outcomes = [];
        renewed = clock.now().getTime();
      }
      outcomes.push(await this.attempt(entry));
    }
    if (!(await this.record(outcomes))) return false;
    return due.length === BATCH;
  }

  /** Deletes the entry's bytes; what to write of it. */
  private async attempt(entry: GcEntry): Promise<Outcome> {
    const { media, clock } = this.deps;
    const backend = media.get(entry.storage_id);
    try {
      if (!backend) throw new Error(`storage backend ${entry.storage_id} is not configured`);
      await this.deps.hold?.pass();
      await backend.delete(entry.storage_path);
      const now = clock.now();
      const again = this.urlsExpired(entry);
      if (again > now.getTime()) return { entry, kind: 'again', deleted: now, again: new Date(again) };
      return { entry, kind: 'done' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(entry.attempts, 22));
      this.deps.log.error(
        { storage_id: entry.storage_id, object_id: entry.object_id, error: message },
        'media delete failed',
      );
      return { entry, kind: 'failed', error: message, next: new Date(clock.now().getTime() + delay) };
    }
  }

  /**
   * Writes the outcomes in one transaction that renews the lease; false (nothing written) when
   * the lease was lost: another replica works through the queue now, these entries included.
   */
  private async record(outcomes: readonly Outcome[]): Promise<boolean> {
    const held = await this.deps.store.transaction(async (tx) => {
      if (!(await this.lease(tx, 'media-gc'))) return false;
      for (const o of outcomes) {
        if (o.kind === 'done') await tx.mediaGc.done(o.entry);
        else if (o.kind === 'again') await tx.mediaGc.deletedOnce(o.entry, o.deleted, o.again);
        else await tx.mediaGc.failed(o.entry, o.error, o.next);
      }
      return true;
    });
    if (!held) {
      this.held.delete('media-gc');
      this.deps.log.warn(
        { job: 'media-gc' },
        'media GC lease taken over by another replica; batch left to it',
      );
    }
    return held;
  }

  /**
   * When no PUT URL of the entry's object can still write: its allocation time (or, in rows
   * queued by earlier versions, the queueing time, which is later) plus the URLs' validity.
   */
  private urlsExpired(entry: GcEntry): number {
    const issued = (entry.allocated ?? entry.queued).getTime();
    return issued + this.deps.putUrlValidMs + UPLOAD_GRACE_MS;
  }
}
