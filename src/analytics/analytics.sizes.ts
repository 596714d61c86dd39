import { defaultObjectPath } from '../common/object-ids.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { OutboxEvent } from '../store/events.repo.ts';
import { FollowerLease, type FollowerLeaseOptions } from '../store/leases.follower.ts';
import type { TamsStore } from '../store/store.ts';
import { parseTimeRange } from '../time/index.ts';
import { headSizes, type ObjectToSize } from './analytics.head.ts';

/** The follower's place in the outbox: the seq of the last event it has sized (a service setting). */
export const SIZES_CURSOR = 'analytics.sizes.cursor';
/**
 * A batch stops adding events once it holds this many objects (an event is never split): about
 * what bulk ingest registers between two batches (~33,000 objects a second on the bench, batches
 * FOLLOWER_MIN_PAUSE_MS apart), so that one transaction, not several, follows each pause. A
 * follower further behind runs batch after batch without pausing.
 */
const BATCH_OBJECTS = 12_000;
/** Events read at a time while a batch fills (each read parses the events' payloads). */
const READ_EVENTS = 200;

/** `owner` names this process in the `analytics-sizes` lease. */
export interface SizeFollowerDeps extends FollowerLeaseOptions {
  media: MediaRegistry;
  log: WorkerLog;
  onBatch?: (report: SizeReport) => void;
}

export interface SizeReport {
  events: number;
  sized: number;
  missing: number;
  cursor: bigint;
}

export async function readSizesCursor(store: TamsStore): Promise<bigint> {
  const value = await store.settings.get(SIZES_CURSOR);
  return typeof value === 'string' ? BigInt(value) : 0n;
}

interface StoredSegment {
  object_id: string;
  timerange: string;
  storage?: { id: string; path?: string };
}

/**
 * Adds the objects a `flows/segments_added` event registers to `seen` (each object once, where it
 * was first seen); other events add nothing.
 */
export function addObjects(seen: Map<string, ObjectToSize>, event: OutboxEvent): void {
  const flowId = event.flow_id;
  if (event.event_type !== 'flows/segments_added' || flowId === undefined) return;
  const segments = (event.payload as { segments?: StoredSegment[] }).segments ?? [];
  for (const s of segments) {
    // External objects (client URLs only) have no backend to ask.
    if (s.storage === undefined || seen.has(s.object_id)) continue;
    const start = parseTimeRange(s.timerange).start;
    seen.set(s.object_id, {
      objectId: s.object_id,
      storageId: s.storage.id,
      path: s.storage.path ?? defaultObjectPath(flowId, s.object_id),
      flowId,
      ...(start !== null && { segStart: start }),
      registered: event.event_timestamp,
    });
  }
}

/**
 * Records the size of every object registered, following the event outbox (`flows/segments_added`)
 * as the search indexer and the EXR catalogue do: HEADs through the media backends outside any
 * transaction, then one transaction appending the sizes and moving the cursor past the batch,
 * under the `analytics-sizes` lease, so that one replica at a time does it and a restart goes on
 * from the cursor. Ingest never waits: registration only records its event; the outbox keeps the
 * events until the cursor is past them (deps.ts, outboxHoldBack). An object already sized (reused
 * by a later segment) is not asked again.
 */
export class SizeFollower {
  private readonly lease: FollowerLease;
  /**
   * Objects per event in the last read: the next read asks for about as many events as the
   * batch still has room for. A bulk registration's event lists 1,000 segments; reading 200 of
   * those (one read's worth of single registrations) parsed ~200,000 segments of JSON on the
   * server's thread to use one event, and stalled its requests ~100 ms at a time after a restart.
   */
  private perEvent = 1;

  constructor(private readonly deps: SizeFollowerDeps) {
    this.lease = new FollowerLease('analytics-sizes', deps);
  }

  /** One batch; true when there may be more to do at once. */
  async step(): Promise<boolean> {
    const { store, clock } = this.deps;
    if (!(await this.lease.mayWork())) return false;
    const cursor = await readSizesCursor(store);
    const upTo = await store.events.settled();
    const batch: OutboxEvent[] = [];
    const seen = new Map<string, ObjectToSize>();
    // Read until the batch holds its objects or the outbox has no more: `more` when it may.
    let more = false;
    let after = cursor;
    for (;;) {
      const limit = Math.max(
        1,
        Math.min(READ_EVENTS, Math.floor((BATCH_OBJECTS - seen.size) / this.perEvent)),
      );
      const events = await store.events.after(after, limit, upTo);
      const before = seen.size;
      let taken = 0;
      for (const event of events) {
        if (seen.size >= BATCH_OBJECTS) break;
        batch.push(event);
        addObjects(seen, event);
        taken++;
      }
      if (taken > 0) this.perEvent = Math.max(1, (seen.size - before) / taken);
      if (taken < events.length || seen.size >= BATCH_OBJECTS) {
        more = true;
        break;
      }
      if (events.length < limit) break;
      after = (events[events.length - 1] as OutboxEvent).seq;
    }
    if (batch.length === 0) {
      await this.lease.idle();
      return false;
    }
    const objects = [...seen.values()];
    const known = await store.objectSizes.known(objects.map((o) => o.objectId));
    const sizes = await headSizes(
      this.deps.media,
      objects.filter((o) => !known.has(o.objectId)),
      () => clock.now(),
    );
    const last = (batch[batch.length - 1] as OutboxEvent).seq;
    const committed = await store.transaction(async (tx) => {
      if (!(await this.lease.take(tx))) return false;
      // Another holder moved the cursor since this batch was read: its work stands, this goes.
      if ((await readSizesCursor(tx)) !== cursor) return false;
      await tx.objectSizes.insert(sizes);
      await tx.settings.set(SIZES_CURSOR, last.toString());
      return true;
    });
    this.lease.settle(committed);
    if (committed) {
      const missing = sizes.filter((s) => s.size === null).length;
      this.deps.onBatch?.({ events: batch.length, sized: sizes.length - missing, missing, cursor: last });
    }
    return committed && more;
  }

  release(): Promise<void> {
    return this.lease.release();
  }
}
