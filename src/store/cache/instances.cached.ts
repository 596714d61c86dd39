import type { DbSession } from '../../db/db.types.ts';
import { ObjectInstances } from '../objects/instances.table.ts';
import type { InstanceRecord } from '../objects/instances.types.ts';
import type { CacheView } from './store.cache.ts';

/**
 * Object instances with the ids of the objects that have any kept in memory (the store's cache,
 * where one process owns the database): a page of segments whose objects have none, nearly every
 * page, reads nothing for them; only the objects that have instances cost a read.
 */
export class CachedInstances extends ObjectInstances {
  constructor(
    db: DbSession,
    private readonly view: CacheView,
  ) {
    super(db);
  }

  override async among(ids: readonly string[]): Promise<Map<string, InstanceRecord[]>> {
    const some = ids.filter((id) => this.view.instanced.has(id));
    return some.length === 0 ? new Map() : super.among(some);
  }

  override async insert(records: readonly InstanceRecord[]): Promise<void> {
    await super.insert(records);
    for (const r of records) this.view.instanced.set(r.object_id, true);
  }

  /** As ObjectInstances.remove; the object leaves the ids in memory once it has none left. */
  override async remove(objectId: string, records: readonly InstanceRecord[]): Promise<void> {
    await super.remove(objectId, records);
    const left = await super.among([objectId]);
    if (!left.has(objectId)) this.view.instanced.delete(objectId);
  }

  /** Nothing to mark: pages ask the ids in memory instead (flows.instances is not read). */
  override async markFlows(_flowIds: readonly string[]): Promise<void> {}

  override async markUsers(_objectIds: readonly string[]): Promise<void> {}

  override async dropObjects(ids: readonly string[]): Promise<InstanceRecord[]> {
    const some = ids.filter((id) => this.view.instanced.has(id));
    if (some.length === 0) return [];
    const dropped = await super.dropObjects(some);
    for (const id of some) this.view.instanced.delete(id);
    return dropped;
  }
}
