import { settleAll } from '../common/settle.ts';
import type { DbSession, Row } from '../db/db.types.ts';
import { gcRow } from './media-gc.repo.ts';
import { Allocations } from './objects/allocations.table.ts';
import type { InstancesStore } from './objects/instances.table.ts';
import { ObjectRows } from './objects/objects.table.ts';
import type {
  AllocationState,
  AllocationWork,
  NewRefs,
  ObjectLocation,
  ObjectRecord,
  ReleaseHint,
} from './objects/objects.types.ts';
import { ObjectRefs, type RefCounts, type RefUsage } from './objects/refs.table.ts';
import { T } from './tables.ts';

export type {
  AllocationState,
  AllocationWork,
  NewRefs,
  ObjectLocation,
  ObjectRecord,
  ObjectRef,
  ReleaseHint,
} from './objects/objects.types.ts';

/**
 * Media objects, the allocations not yet used, and reference counts, over their three tables
 * (objects/). An object's bytes are deleted (through the media_gc queue, by a background worker)
 * when the last segment using it goes. Registration only appends rows, so it never searches the
 * objects table.
 */
/** See ObjectsRepo.lookup. */
export interface ObjectLookup {
  objects: Map<string, ObjectRecord>;
  /** Counts of the objects' reference rows, as read; a row not there has none. */
  refCounts: RefCounts;
}

/**
 * Records, in the transaction that deletes them, that these objects are gone: an OBJECTS_DELETED
 * event in the outbox (outbox/events.types.ts), for the readers that keep rows per object.
 */
export type RecordDeleted = (ids: readonly string[], at: Date) => Promise<unknown>;

/**
 * An object's times (object-times.ts): its first reference row holds them while it stands (the
 * registration writes them there, in the row it inserts anyway), its own row after.
 */
function withTimes(found: ObjectRecord, usage: RefUsage): ObjectRecord {
  // An init object's reference rows say so (refs.table.ts); it has no times.
  const object = usage.init.has(found.id) ? { ...found, init: true } : found;
  if (object.times !== undefined) return object;
  const times = usage.times.get(object.id);
  return times === undefined ? object : { ...object, times };
}

/** What the services use of the objects store, whichever implementation answers. */
export type ObjectsStore = Pick<ObjectsRepo, keyof ObjectsRepo>;

export class ObjectsRepo {
  private readonly objects: ObjectRows;
  private readonly allocations: Allocations;
  private readonly refs: ObjectRefs;

  constructor(
    private readonly db: DbSession,
    private readonly recordDeleted: RecordDeleted,
    /** The objects' instances, deleted with them (their copies' bytes queued as theirs are). */
    private readonly instances: Pick<InstancesStore, 'dropObjects'>,
  ) {
    this.objects = new ObjectRows(db);
    this.allocations = new Allocations(db);
    this.refs = new ObjectRefs(db);
  }

  async get(id: string): Promise<ObjectRecord | null> {
    return (await this.getMany([id])).get(id) ?? null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, ObjectRecord>> {
    return (await this.lookup(ids)).objects;
  }

  /**
   * The objects, and the counts of their reference rows (for addRefs, so that registration reads
   * no table twice). Three tables, read together: one round trip on a remote engine.
   */
  async lookup(ids: readonly string[]): Promise<ObjectLookup> {
    if (ids.length === 0) return { objects: new Map(), refCounts: new Map() };
    const [found, allocated, usage] = await Promise.all([
      this.objects.find(ids),
      this.allocations.among(ids),
      this.refs.usage(ids),
    ]);
    const unused = new Set(allocated.filter((id) => !usage.used.has(id)));
    return {
      objects: new Map(
        found.map((o) => [o.id, withTimes(unused.has(o.id) ? { ...o, registered: false } : o, usage)]),
      ),
      refCounts: usage.counts,
    };
  }

  /**
   * The allocations table as a cache needs it: objects allocated and never registered, and the
   * ids of allocation rows whose objects are in use (left for housekeeping).
   */
  async allocationState(): Promise<AllocationState> {
    const rows = await this.allocations.all();
    const used = await this.refs.usedAmong(rows.map((o) => o.id));
    return { unregistered: rows.filter((o) => !used.has(o.id)), used: [...used] };
  }

  /** Which of these objects a segment has used (see ObjectRefs.usedAmong). */
  usedAmong(ids: readonly string[]): Promise<Set<string>> {
    return this.refs.usedAmong(ids);
  }

  /** Every object allocated and not used yet (management commands). */
  async unusedAllocationIds(): Promise<Set<string>> {
    const ids = await this.allocations.ids();
    const used = await this.refs.usedAmong(ids);
    return new Set(ids.filter((id) => !used.has(id)));
  }

  /**
   * Which of the objects are allocated and unused: an allocation row and no use. Allocation rows
   * are few, so the lookup of uses runs only for objects that have one.
   */
  private async unused(ids: readonly string[]): Promise<Set<string>> {
    const candidates = await this.allocations.among(ids);
    if (candidates.length === 0) return new Set();
    const used = await this.refs.usedAmong(candidates);
    return new Set(candidates.filter((id) => !used.has(id)));
  }

  /** Inserts objects; those not `registered` are recorded as allocations awaiting their first use. */
  async insertMany(objects: readonly ObjectRecord[]): Promise<void> {
    await settleAll([
      this.objects.insert(objects),
      this.allocations.insert(objects.filter((o) => !o.registered)),
    ]);
  }

  /**
   * Allocated objects whose first segment is being registered (the object_refs row of that
   * segment records the use: see usedAmong): their allocation rows go now rather than at the next
   * housekeeping. That is the row housekeeping deletes when it releases an allocation as
   * abandoned (tidyAllocations), so a registration and a release of one object on two replicas
   * change one row and cannot both commit: the one run again either finds the object used or
   * finds it gone. (With the cache, one process owns the store: CachedObjects leaves the rows to
   * housekeeping.)
   */
  async registered(ids: readonly string[], _now: Date): Promise<void> {
    await this.allocations.delete(ids);
  }

  /**
   * The next batch of allocation housekeeping, read outside any transaction (ingest keeps the
   * writer): the oldest allocation rows, split into those of objects now in use and those unused
   * since before `cutoff` (none looked for without one). More follows at once only while a batch
   * finds something to do (young unused allocations at the head wait for their grace period).
   * Used ones are reported only when at least `minUsed` are (abandoned ones always).
   */
  async allocationWork(cutoff: Date | undefined, limit: number, minUsed = 1): Promise<AllocationWork> {
    const rows = await this.allocations.oldest(limit);
    const used = await this.refs.usedAmong(rows.map((r) => r.id));
    const abandoned: string[] = [];
    for (const r of rows) {
      if (cutoff && !used.has(r.id) && (r.created?.getTime() ?? 0) < cutoff.getTime()) abandoned.push(r.id);
    }
    const tidied = used.size >= minUsed ? [...used] : [];
    const more = rows.length === limit && (tidied.length > 0 || abandoned.length > 0);
    return { used: tidied, abandoned, more };
  }

  /**
   * Housekeeping of the allocations table (call in a transaction): drops the rows of objects now
   * in use, and releases the `abandoned` ones still unused (checked again here: a registration
   * may have used one since it was chosen), their bytes queued for deletion.
   */
  async tidyAllocations(used: readonly string[], abandoned: readonly string[], now: Date): Promise<void> {
    await this.allocations.delete(used);
    const stillUnused = await this.unused(abandoned);
    await this.release([...stillUnused], now);
  }

  /** Adds segment references (see ObjectRefs.add). */
  async addRefs(
    refs: readonly NewRefs[],
    unreferenced: ReadonlySet<string>,
    known?: RefCounts,
  ): Promise<void> {
    await this.refs.add(refs, unreferenced, known);
  }

  /**
   * Removes segment references; returns the objects no segment of any Flow references any more,
   * whose rows are deleted and whose bytes are queued for deletion. An object still used whose
   * first reference went gets the times that row held on its own row. `most`: these are most of the
   * Flow's segments (ObjectRefs.remove).
   */
  async dropRefs(
    flowId: string,
    counts: ReadonlyMap<string, number>,
    now: Date,
    most = false,
  ): Promise<string[]> {
    const { orphans, homeless } = await this.refs.remove(flowId, counts, most);
    // An object whose first reference went keeps what its first segment set on its own row.
    await this.objects.setTimes(homeless);
    await this.release(orphans, now, { flowId, whole: most });
    return orphans;
  }

  /**
   * Deletes objects (and unused allocations) and queues the bytes held in a backend for deletion.
   * `hint`: the Flow they were probably allocated for (ObjectRows.findReleasing).
   */
  async release(ids: readonly string[], now: Date, hint?: ReleaseHint): Promise<void> {
    if (ids.length === 0) return;
    const released = await this.objects.findReleasing(ids, hint);
    const objects = released.objects;
    const queued: Row[] = [];
    for (const o of objects) {
      if (o.storage_id === undefined || o.storage_path === undefined) continue;
      queued.push(gcRow(o.storage_id, o.storage_path, o.id, o.created, now));
    }
    // The server's copies go with the object. A copy still being made is queued too: its worker
    // finds the instance gone and writes nothing more (instances.copy.ts).
    for (const i of await this.instances.dropObjects(ids)) {
      if (i.storage_id !== undefined && i.storage_path !== undefined)
        queued.push(gcRow(i.storage_id, i.storage_path, i.object_id, i.created, now));
    }
    await this.objects.deleteReleased(released);
    await this.allocations.delete(ids);
    // The outbox's readers that keep rows per object follow the deletion (analytics' sizes).
    await this.recordDeleted(ids, now);
    if (queued.length > 0) await this.db.insert(T.mediaGc, queued);
  }

  /**
   * Where the object's bytes are from now on (a copy promoted, objects/objects.promote.ts): its
   * row only; its segments, which carry the location too, are the caller's (SegmentsRepo.relocate).
   */
  relocate(id: string, to: { id: string; path: string }): Promise<void> {
    return this.objects.relocate(id, to);
  }

  /** Flows with segments referencing the object, ordered by id, after `after`, at most `limit` + 1. */
  referencingFlows(objectId: string, after: string | undefined, limit: number): Promise<string[]> {
    return this.refs.referencingFlows(objectId, after, limit);
  }

  /**
   * The Flow that first registered a segment using the object, while it still does (the spec
   * allows `first_referenced_by_flow` to become unset once that Flow stops using it).
   */
  firstReferencingFlow(objectId: string): Promise<string | undefined> {
    return this.refs.firstReferencingFlow(objectId);
  }

  /** Where the object's bytes are, and the Flow it was allocated for; undefined for no such object. */
  location(id: string): Promise<ObjectLocation | undefined> {
    return this.objects.location(id);
  }

  /** location() of each object, read at once; an id with no object is not in the answer. */
  locations(ids: readonly string[]): Promise<Map<string, ObjectLocation>> {
    return this.objects.locations(ids);
  }

  /** The id of the object of backend `storageId` at `path`, if any (a scan: see ObjectRows). */
  idAtPath(storageId: string, path: string): Promise<string | undefined> {
    return this.objects.idAtPath(storageId, path);
  }

  /** Rows of the allocations table (unused allocations, and used ones not yet tidied away). */
  allocationRows(): Promise<number> {
    return this.allocations.count();
  }
}
