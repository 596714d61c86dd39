import type {
  AllocationState,
  AllocationWork,
  ObjectLocation,
  ObjectLookup,
  ObjectRecord,
  ObjectsRepo,
  ObjectsStore,
  ReleaseHint,
} from '../../store/objects.repo.ts';
import { packPending, unpackPending } from './pending-objects.ts';
import type { CacheView } from './store.cache.ts';

/**
 * Objects, with those allocated but not yet registered kept in memory: ingest registers exactly
 * those, so registration needs no lookup in a table of millions of objects. Everything else is
 * answered by the core repository, which every write goes through first.
 */
export class CachedObjects implements ObjectsStore {
  constructor(
    private readonly core: ObjectsRepo,
    private readonly view: CacheView,
  ) {}

  async lookup(ids: readonly string[]): Promise<ObjectLookup> {
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
    const found = await this.core.lookup(misses);
    for (const [id, o] of found.objects) result.set(id, { ...o, registered: true });
    return { objects: result, refCounts: found.refCounts };
  }

  /** Allocations not yet used (where uploads go) from memory. */
  async location(id: string): Promise<ObjectLocation | undefined> {
    const pending = this.view.pendingObjects.get(id);
    return pending ? unpackPending(id, pending) : this.core.location(id);
  }

  async insertMany(objects: readonly ObjectRecord[]): Promise<void> {
    await this.core.insertMany(objects);
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
  async registered(ids: readonly string[], _now: Date): Promise<void> {
    for (const id of ids) {
      this.view.pendingObjects.delete(id);
      this.view.allocationUsed(id);
    }
  }

  /**
   * Housekeeping from memory, with no database read: the allocations used since it last ran,
   * and unused ones older than the cutoff.
   */
  async allocationWork(cutoff: Date | undefined, limit: number, minUsed = 1): Promise<AllocationWork> {
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

  async release(ids: readonly string[], now: Date, hint?: ReleaseHint): Promise<void> {
    await this.core.release(ids, now, hint);
    for (const id of ids) this.view.pendingObjects.delete(id);
  }

  async get(id: string): Promise<ObjectRecord | null> {
    return (await this.getMany([id])).get(id) ?? null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, ObjectRecord>> {
    return (await this.lookup(ids)).objects;
  }

  /** As the core's; the abandoned allocations it releases leave memory too (see release). */
  async tidyAllocations(used: readonly string[], abandoned: readonly string[], now: Date): Promise<void> {
    await this.core.tidyAllocations(used, abandoned, now);
    // Those it keeps were used since they were chosen, and left memory then (registered).
    for (const id of abandoned) this.view.pendingObjects.delete(id);
  }

  /** As the core's; the objects it releases leave memory too (see release). */
  async dropRefs(...args: Parameters<ObjectsRepo['dropRefs']>): Promise<string[]> {
    const orphans = await this.core.dropRefs(...args);
    for (const id of orphans) this.view.pendingObjects.delete(id);
    return orphans;
  }

  // The rest is the core repository's.

  allocationState(): Promise<AllocationState> {
    return this.core.allocationState();
  }

  usedAmong(ids: readonly string[]): Promise<Set<string>> {
    return this.core.usedAmong(ids);
  }

  unusedAllocationIds(): Promise<Set<string>> {
    return this.core.unusedAllocationIds();
  }

  addRefs(...args: Parameters<ObjectsRepo['addRefs']>): ReturnType<ObjectsRepo['addRefs']> {
    return this.core.addRefs(...args);
  }

  relocate(id: string, to: { id: string; path: string }): Promise<void> {
    return this.core.relocate(id, to);
  }

  referencingFlows(objectId: string, after: string | undefined, limit: number): Promise<string[]> {
    return this.core.referencingFlows(objectId, after, limit);
  }

  firstReferencingFlow(objectId: string): Promise<string | undefined> {
    return this.core.firstReferencingFlow(objectId);
  }

  locations(ids: readonly string[]): Promise<Map<string, ObjectLocation>> {
    return this.core.locations(ids);
  }

  idAtPath(storageId: string, path: string): Promise<string | undefined> {
    return this.core.idAtPath(storageId, path);
  }

  allocationRows(): Promise<number> {
    return this.core.allocationRows();
  }
}
