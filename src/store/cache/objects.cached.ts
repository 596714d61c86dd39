import type { DbSession } from '../../db/db.types.ts';
import type { ObjectInstances } from '../objects/instances.table.ts';
import {
  type AllocationWork,
  type ObjectLocation,
  type ObjectLookup,
  type ObjectRecord,
  ObjectsRepo,
  type RecordDeleted,
  type ReleaseHint,
} from '../objects.repo.ts';
import { packPending, unpackPending } from './pending-objects.ts';
import type { CacheView } from './store.cache.ts';

/**
 * Objects, with those allocated but not yet registered kept in memory: ingest registers exactly
 * those, so registration needs no lookup in a table of millions of objects. Everything else is
 * answered by the database, as ObjectsRepo does.
 */
export class CachedObjects extends ObjectsRepo {
  constructor(
    db: DbSession,
    private readonly view: CacheView,
    recordDeleted: RecordDeleted,
    instances: ObjectInstances,
  ) {
    super(db, recordDeleted, instances);
  }

  override async lookup(ids: readonly string[]): Promise<ObjectLookup> {
    const result = new Map<string, ObjectRecord>();
    const misses: string[] = [];
    for (const id of ids) {
      const pending = this.view.pendingObjects.get(id);
      if (pending) result.set(id, unpackPending(id, pending));
      else misses.push(id);
    }
    // Every allocation not yet used is in memory (and used by no segment): any other object is
    // registered.
    if (misses.length === 0) return { objects: result, refCounts: new Map() };
    const found = await super.lookup(misses);
    for (const [id, o] of found.objects) result.set(id, { ...o, registered: true });
    return { objects: result, refCounts: found.refCounts };
  }

  /** Allocations not yet used (where uploads go) from memory. */
  override async location(id: string): Promise<ObjectLocation | undefined> {
    const pending = this.view.pendingObjects.get(id);
    return pending ? unpackPending(id, pending) : super.location(id);
  }

  override async insertMany(objects: readonly ObjectRecord[]): Promise<void> {
    await super.insertMany(objects);
    const flowId = (id: string) => this.view.flows.get(id)?.id;
    for (const o of objects) {
      if (!o.registered) this.view.pendingObjects.set(o.id, packPending(o, flowId));
    }
  }

  /**
   * Nothing written: one process owns the store, so no release can race a registration, and the
   * allocation rows of used objects go in batches at housekeeping (allocationWork), off the
   * registration's path.
   */
  override async registered(ids: readonly string[], _now: Date): Promise<void> {
    for (const id of ids) {
      this.view.pendingObjects.delete(id);
      this.view.allocationUsed(id);
    }
  }

  /**
   * Housekeeping from memory, with no database read: the allocations used since it last ran,
   * and unused ones older than the cutoff.
   */
  override async allocationWork(
    cutoff: Date | undefined,
    limit: number,
    minUsed = 1,
  ): Promise<AllocationWork> {
    const queue = this.view.cache.usedAllocations;
    const used = queue.length >= minUsed ? queue.splice(0, limit) : [];
    const abandoned: string[] = [];
    if (cutoff !== undefined) {
      const before = cutoff.getTime();
      for (const [id, object] of this.view.pendingObjects.entries()) {
        if (object.createdMs < before) abandoned.push(id);
        if (abandoned.length >= limit) break;
      }
    }
    return { used, abandoned, more: used.length > 0 && queue.length >= Math.min(minUsed, limit) };
  }

  override async release(ids: readonly string[], now: Date, hint?: ReleaseHint): Promise<void> {
    await super.release(ids, now, hint);
    for (const id of ids) this.view.pendingObjects.delete(id);
  }
}
