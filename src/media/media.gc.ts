import type { Clock } from '../common/clock.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { GcEntry } from '../store/media-gc.repo.ts';
import type { TamsStore } from '../store/store.ts';
import type { MediaRegistry } from './media.registry.ts';

const BATCH = 100;
/**
 * Allocation rows tidied per transaction. Each pass costs two scans of the allocations tables
 * whatever its size, and holds the writer meanwhile: at 5,000 rows, bulk ingest at ~25,000
 * segments/s needed ~5 passes a second (~40 ms each) and its batches waited for them.
 */
const ALLOCATIONS_BATCH = 50_000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;
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
 */
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
       * Rows of used allocations are tidied once a full batch waits, or this long after the last
       * tidy: each pass holds the writer for two scans of the allocations tables whatever its
       * size (~35 ms with ~7,000 rows on the 10M data set), which every second under ingest was
       * ~3.5% of the writer's time for rows nothing needs gone soon.
       */
      tidyEveryMs: number;
    },
  ) {}

  private lastTidy = Number.NEGATIVE_INFINITY;

  /** Returns true when a full batch was processed (more may be due). */
  async step(): Promise<boolean> {
    const tidied = await this.tidyAllocations();
    const deleted = await this.deleteBytes();
    return tidied || deleted;
  }

  /**
   * One batch of the allocations table: rows of objects in use go; objects unused beyond the
   * grace period are released. Reads happen outside any transaction, so ingest keeps the writer.
   */
  private async tidyAllocations(): Promise<boolean> {
    const { store, clock, unusedGraceMs } = this.deps;
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
    if (work.used.length > 0 || work.abandoned.length > 0) {
      await store.transaction((tx) => tx.objects.tidyAllocations(work.used, work.abandoned, clock.now()));
    }
    return work.more;
  }

  private async deleteBytes(): Promise<boolean> {
    const { store, media, clock } = this.deps;
    const due = await store.mediaGc.due(clock.now(), BATCH);
    for (const entry of due) {
      const backend = media.get(entry.storage_id);
      try {
        if (!backend) throw new Error(`storage backend ${entry.storage_id} is not configured`);
        await backend.delete(entry.storage_path);
        const now = clock.now();
        const again = this.urlsExpired(entry);
        if (again > now.getTime()) await store.mediaGc.deletedOnce(entry, now, new Date(again));
        else await store.mediaGc.done(entry);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(entry.attempts, 22));
        await store.mediaGc.failed(entry, message, new Date(clock.now().getTime() + delay));
        this.deps.log.error(
          { storage_id: entry.storage_id, object_id: entry.object_id, error: message },
          'media delete failed',
        );
      }
    }
    return due.length === BATCH;
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
