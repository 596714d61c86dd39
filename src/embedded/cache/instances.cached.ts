import type { Row } from '../../db/db.types.ts';
import type { InstancesStore, ObjectInstances } from '../../store/objects/instances.table.ts';
import type { InstanceRecord } from '../../store/objects/instances.types.ts';
import type { CacheView } from './store.cache.ts';

/**
 * Object instances with the ids of the objects that have any kept in memory (the store's cache,
 * where one process owns the database): a page of segments whose objects have none, nearly every
 * page, reads nothing for them; only the objects that have instances cost a read.
 */
export class CachedInstances implements InstancesStore {
  constructor(
    private readonly core: ObjectInstances,
    private readonly view: CacheView,
  ) {}

  async among(ids: readonly string[]): Promise<Map<string, InstanceRecord[]>> {
    const some = ids.filter((id) => this.view.instanced.has(id));
    return some.length === 0 ? new Map() : this.core.among(some);
  }

  async insert(records: readonly InstanceRecord[]): Promise<void> {
    await this.core.insert(records);
    for (const r of records) this.view.instanced.set(r.object_id, true);
  }

  /** As ObjectInstances.remove; the object leaves the ids in memory once it has none left. */
  async remove(objectId: string, records: readonly InstanceRecord[]): Promise<void> {
    await this.core.remove(objectId, records);
    const left = await this.core.among([objectId]);
    if (!left.has(objectId)) this.view.instanced.delete(objectId);
  }

  /** Nothing to mark: pages ask the ids in memory instead (flows.instances is not read). */
  async markFlows(_flowIds: readonly string[]): Promise<void> {}

  async markUsers(_objectIds: readonly string[]): Promise<void> {}

  async dropObjects(ids: readonly string[]): Promise<InstanceRecord[]> {
    const some = ids.filter((id) => this.view.instanced.has(id));
    if (some.length === 0) return [];
    const dropped = await this.core.dropObjects(some);
    for (const id of some) this.view.instanced.delete(id);
    return dropped;
  }

  // The rest is the core repository's.

  byKey(objectId: string, key: string): Promise<InstanceRecord | undefined> {
    return this.core.byKey(objectId, key);
  }

  copiesDue(now: Date, limit: number): Promise<InstanceRecord[]> {
    return this.core.copiesDue(now, limit);
  }

  change(record: InstanceRecord, changes: Row): Promise<void> {
    return this.core.change(record, changes);
  }

  freeLeases(): Promise<void> {
    return this.core.freeLeases();
  }

  objectIds(): Promise<Set<string>> {
    return this.core.objectIds();
  }
}
