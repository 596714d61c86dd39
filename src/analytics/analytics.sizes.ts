import { defaultObjectPath } from '../common/object-ids.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import { HeldCursor } from '../store/followers/follower.cursor.ts';
import { dryRun, failureReason, isPassing, refusedItems } from '../store/followers/follower.failures.ts';
import { FollowerLease, type FollowerLeaseOptions } from '../store/followers/leases.follower.ts';
import type { OutboxEvent } from '../store/outbox/events.repo.ts';
import { OBJECTS_DELETED, type ObjectsDeletedPayload } from '../store/outbox/events.types.ts';
import type { StoreSession, StoreTx } from '../store/store.ts';
import { parseTimeRange } from '../time/index.ts';
import { headSizes, type ObjectToSize } from './analytics.head.ts';
import { type ObjectSize, objectSizes } from './store/sizes.repo.ts';

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
  /** Objects deleted from the store whose rows went (OBJECTS_DELETED events). */
  removed: number;
  missing: number;
  /** Objects recorded without a size because the backend refused them alone (or not at all). */
  failed: number;
  /** Events passed over because their payload did not read. */
  skipped: number;
  cursor: bigint;
}

/** An event the follower passed over, and why. */
interface SkippedEvent {
  seq: string;
  event_type: string;
  flow_id?: string;
  reason: string;
}

export async function readSizesCursor(store: StoreSession): Promise<bigint> {
  const value = await store.settings.get(SIZES_CURSOR);
  return typeof value === 'string' ? BigInt(value) : 0n;
}

interface StoredSegment {
  object_id: string;
  timerange: string;
  storage?: { id: string; path?: string; first?: true };
}

/** An object to size, and whether its registration was its first use (then it has no size yet). */
type SeenObject = ObjectToSize & { first: boolean };

/** What a batch of events changes: objects to size, and objects whose rows go. */
export interface SizeChanges {
  /** Objects registered (each once, where it was first seen since its deletion, if any). */
  seen: Map<string, SeenObject>;
  /** Objects deleted from the store: their rows are deleted before the batch's sizes are added. */
  deleted: Set<string>;
}

/**
 * Adds what one event changes to `changes`, in outbox order: the objects a `flows/segments_added`
 * event registers, and the objects an OBJECTS_DELETED event says the store deleted (an object
 * seen earlier in the batch is then not sized: its row would describe an object gone). Other
 * events change nothing. An object's first use is taken as meaning it has no size only in events
 * after `trustFirstAfter` (null: in none), or after its deletion in the same batch.
 */
export function addObjects(changes: SizeChanges, event: OutboxEvent, trustFirstAfter: bigint | null): void {
  const { seen, deleted } = changes;
  if (event.event_type === OBJECTS_DELETED) {
    for (const id of (event.payload as Partial<ObjectsDeletedPayload>).object_ids ?? []) {
      seen.delete(id);
      deleted.add(id);
    }
    return;
  }
  const flowId = event.flow_id;
  if (event.event_type !== 'flows/segments_added' || flowId === undefined) return;
  const segments = (event.payload as { segments?: StoredSegment[] }).segments ?? [];
  for (const s of segments) {
    if (seen.has(s.object_id)) continue;
    const start = parseTimeRange(s.timerange).start;
    // External objects (client URLs only) have no backend to ask: their row records them unsized,
    // for the Flow and time that registered them, as the reports count every object.
    const where = s.storage && {
      storageId: s.storage.id,
      path: s.storage.path ?? defaultObjectPath(flowId, s.object_id),
    };
    seen.set(s.object_id, {
      objectId: s.object_id,
      ...where,
      flowId,
      ...(start !== null && { segStart: start }),
      registered: event.event_timestamp,
      // Deleted earlier in the batch: its row, if any, goes before this one is added.
      first:
        deleted.has(s.object_id) ||
        (s.storage?.first === true && trustFirstAfter !== null && event.seq > trustFirstAfter),
    });
  }
}

/**
 * Records the size of every object registered, following the event outbox (`flows/segments_added`)
 * as the search indexer and the EXR catalogue do: HEADs through the media backends outside any
 * transaction, then one transaction appending the sizes and moving the cursor past the batch,
 * under the `analytics-sizes` lease, so that one replica at a time does it and a restart goes on
 * from the cursor. Ingest never waits: registration only records its event; the outbox keeps the
 * events until the cursor is past them (the features' hold on the outbox). An object already
 * sized (reused by a later segment) is not asked again. Deletion never waits either: the store
 * records an `objects/deleted` event with the objects it deleted, and their rows go in the batch
 * that comes to it.
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
  /** Events after this seq say truly whether an object is new (see step); null: none do. */
  private trustFirstAfter: bigint | null | undefined;

  /** The cursor past batches whose sizes are written, when it is not written yet (HeldCursor). */
  private readonly held: HeldCursor;

  constructor(private readonly deps: SizeFollowerDeps) {
    this.lease = new FollowerLease('analytics-sizes', deps);
    this.held = new HeldCursor(this.lease.topology, deps.clock);
  }

  /** One batch; true when there may be more to do at once. */
  async step(): Promise<boolean> {
    const { store, clock } = this.deps;
    if (!(await this.lease.mayWork())) return false;
    // Sizes of events up to here may have been written by this follower before a restart, past
    // the cursor it had written (HeldCursor): for those, a first use proves nothing. Nor for any
    // on a shared database, where `tams-mgmt analytics sizes` may size objects between batches.
    if (this.trustFirstAfter === undefined) {
      this.trustFirstAfter = this.lease.topology.ownsStore ? await store.events.lastSeq() : null;
    }
    const written = await readSizesCursor(store);
    const base = written.toString();
    const cursor = this.held.from(base, written);
    const upTo = await store.events.settled();
    const batch: OutboxEvent[] = [];
    const changes: SizeChanges = { seen: new Map(), deleted: new Set() };
    const { seen, deleted } = changes;
    // Objects to size and rows to delete: what fills a batch.
    const held = () => seen.size + deleted.size;
    const skipped: SkippedEvent[] = [];
    // Read until the batch holds its objects or the outbox has no more: `more` when it may.
    let more = false;
    let after = cursor;
    for (;;) {
      const limit = Math.max(1, Math.min(READ_EVENTS, Math.floor((BATCH_OBJECTS - held()) / this.perEvent)));
      const events = await store.events.after(after, limit, upTo);
      const before = held();
      let taken = 0;
      for (const event of events) {
        if (held() >= BATCH_OBJECTS) break;
        batch.push(event);
        try {
          addObjects(changes, event, this.trustFirstAfter);
        } catch (error) {
          // A payload that does not read (store/followers/follower.failures.ts): the event is passed over
          // from the segment that failed; the objects of those before it are sized.
          skipped.push({
            seq: event.seq.toString(),
            event_type: event.event_type,
            ...(event.flow_id !== undefined && { flow_id: event.flow_id }),
            reason: failureReason(error),
          });
        }
        taken++;
      }
      if (taken > 0) this.perEvent = Math.max(1, (held() - before) / taken);
      if (taken < events.length || held() >= BATCH_OBJECTS) {
        more = true;
        break;
      }
      if (events.length < limit) break;
      after = (events[events.length - 1] as OutboxEvent).seq;
    }
    if (batch.length === 0) {
      await this.writeHeld();
      await this.lease.idle();
      return false;
    }
    const objects = [...seen.values()];
    // Only objects used before may have a size already: most are new, and the table of every
    // object's size need not be asked about them.
    const known = await objectSizes(store).known(objects.filter((o) => !o.first).map((o) => o.objectId));
    let sizes = await headSizes(
      this.deps.media,
      objects.filter((o) => !known.has(o.objectId)),
      () => clock.now(),
    );
    const last = (batch[batch.length - 1] as OutboxEvent).seq;
    // Held (where no other process writes sizes), the batch's transaction only writes its sizes
    // (appends through the append journal on the embedded engine, unless objects were deleted):
    // `known` was read after every earlier batch's sizes committed, so none is recorded twice, and
    // a deletion done again after a crash deletes what it deleted. A batch with failures writes
    // its cursor, so that a crash does not have them logged again.
    const failing = skipped.length > 0 || sizes.some((s) => s.error !== undefined);
    let holding = !failing && this.held.mayHold(base);
    let committed: boolean;
    let dropped: ObjectSize[] = [];
    const gone = [...deleted];
    try {
      committed = await this.commit(gone, sizes, written, last, holding);
    } catch (error) {
      if (isPassing(error)) throw error;
      ({ sizes, dropped } = await this.isolate(gone, sizes, written, last, error));
      holding = false;
      committed = await this.commit(gone, sizes, written, last, holding);
    }
    this.lease.settle(committed);
    if (committed && holding) this.held.hold(base, last);
    else if (committed) this.held.written();
    if (committed) {
      this.logFailures(sizes, dropped, skipped);
      // External objects have no backend to miss their bytes: neither sized nor missing.
      const missing = sizes.filter(
        (s) => s.size === null && s.error === undefined && s.storageId !== undefined,
      ).length;
      const failed = sizes.filter((s) => s.error !== undefined).length + dropped.length;
      this.deps.onBatch?.({
        events: batch.length,
        sized: sizes.filter((s) => s.size !== null).length,
        removed: gone.length,
        missing,
        failed,
        skipped: skipped.length,
        cursor: last,
      });
    }
    return committed && more;
  }

  /**
   * One transaction: the rows of the objects `gone` deleted, the sizes, and the cursor unless it
   * is held; false when it was not this one's to write.
   */
  private commit(
    gone: readonly string[],
    sizes: readonly ObjectSize[],
    written: bigint,
    last: bigint,
    holding: boolean,
  ): Promise<boolean> {
    return this.deps.store.transaction(async (tx) => {
      if (!(await this.lease.take(tx))) return false;
      if (!holding) {
        // Another holder moved the cursor since this batch was read: its work stands, this goes.
        if ((await readSizesCursor(tx)) !== written) return false;
        await tx.settings.set(SIZES_CURSOR, last.toString());
      }
      // Deleted first: an object deleted and registered again within the batch keeps its new row.
      await objectSizes(tx).delete(gone);
      await objectSizes(tx).insert(sizes);
      return true;
    });
  }

  /**
   * After the store refused a batch for a reason that does not pass (`error`): the size rows it
   * refuses on their own (store/followers/follower.failures.ts) become rows without a size that say why;
   * those refused too are dropped (logged and counted). When even the cursor and the deletions
   * alone are refused, no row is to blame: `error` is thrown.
   */
  private async isolate(
    gone: readonly string[],
    sizes: readonly ObjectSize[],
    written: bigint,
    last: bigint,
    error: unknown,
  ): Promise<{ sizes: ObjectSize[]; dropped: ObjectSize[] }> {
    const { store } = this.deps;
    const insert = async (tx: StoreTx, group: readonly ObjectSize[]) => objectSizes(tx).insert(group);
    const bare = await dryRun(store, async (tx) => {
      if ((await readSizesCursor(tx)) === written) await tx.settings.set(SIZES_CURSOR, last.toString());
      await objectSizes(tx).delete(gone);
    });
    if (bare !== undefined) throw error;
    const refused = new Map((await refusedItems(store, sizes, insert)).map((r) => [r.item, r.error]));
    const replaced = sizes.map((s) => {
      const why = refused.get(s);
      return why === undefined
        ? s
        : { ...s, size: null, error: `the store refused the size row: ${failureReason(why)}` };
    });
    const again = new Set((await refusedItems(store, replaced, insert)).map((r) => r.item));
    return { sizes: replaced.filter((s) => !again.has(s)), dropped: replaced.filter((s) => again.has(s)) };
  }

  /** One warning per object not sized and per event skipped, once the batch recording them committed. */
  private logFailures(
    sizes: readonly ObjectSize[],
    dropped: readonly ObjectSize[],
    skipped: SkippedEvent[],
  ): void {
    const { log } = this.deps;
    for (const s of sizes) {
      if (s.error === undefined) continue;
      log.warn(
        { object_id: s.objectId, storage_id: s.storageId, reason: s.error },
        'analytics: object not sized',
      );
    }
    for (const s of dropped) {
      log.warn(
        { object_id: s.objectId, reason: s.error },
        'analytics: object not sized: the store refused its row',
      );
    }
    for (const e of skipped) log.warn({ ...e }, 'analytics: event skipped');
  }

  /** Writes the cursor held in memory, if any (see HeldCursor). */
  private writeHeld(): Promise<void> {
    return this.held.write(this.deps.store, this.lease, async (tx, held) => {
      if ((await readSizesCursor(tx)).toString() !== held.base) return false;
      await tx.settings.set(SIZES_CURSOR, held.cursor.toString());
      return true;
    });
  }

  async release(): Promise<void> {
    await this.writeHeld();
    await this.lease.release();
  }
}
