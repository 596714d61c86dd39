import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col, or } from '../../db/predicate.ts';
import { bool, date, num, reqStr, str } from '../rows.ts';
import { T } from '../tables.ts';
import { byWritten, type InstanceRecord, type InstanceState, instanceKey } from './instances.types.ts';

/** What the services use of the instances store, whichever implementation answers. */
export type InstancesStore = Pick<ObjectInstances, keyof ObjectInstances>;

/**
 * The `object_instances` table (instances.types.ts). Most stores have few rows or none: objects
 * are read with the instances of the few that have some (`among`), which with the store's cache
 * (CachedInstances) costs no read at all for objects that have none.
 */
export class ObjectInstances {
  constructor(protected readonly db: DbSession) {}

  /** Every instance of these objects (any state), each object's in `get_urls` order. */
  async among(ids: readonly string[]): Promise<Map<string, InstanceRecord[]>> {
    const found = new Map<string, InstanceRecord[]>();
    if (ids.length === 0) return found;
    const rows = await this.db.select(T.instances, { where: and(col('object_id').in([...new Set(ids)])) });
    for (const row of rows) {
      const record = instanceRecord(row);
      const list = found.get(record.object_id);
      if (list) list.push(record);
      else found.set(record.object_id, [record]);
    }
    for (const list of found.values()) list.sort(byWritten);
    return found;
  }

  async insert(records: readonly InstanceRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.insert(T.instances, records.map(instanceRow));
  }

  /** Deletes these instances of one object (found by their keys). */
  async remove(objectId: string, records: readonly InstanceRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.delete(
      T.instances,
      and(col('object_id').eq(objectId), col('instance_key').in(records.map(instanceKey))),
    );
  }

  /**
   * Deletes every instance of these objects (they are being deleted); returns the controlled
   * ones, whose bytes the caller queues for deletion.
   */
  async dropObjects(ids: readonly string[]): Promise<InstanceRecord[]> {
    if (ids.length === 0) return [];
    const where = and(col('object_id').in(ids));
    const rows = await this.db.select(T.instances, {
      where,
      columns: ['object_id', 'controlled', 'storage_id', 'storage_path', 'created'],
    });
    if (rows.length === 0) return [];
    await this.db.delete(T.instances, where);
    return rows
      .filter((r) => r.controlled === true)
      .map((r) => instanceRecord({ ...r, state: 'ready', pos: 0 }));
  }

  /** One instance, by its key (instanceKey), as stored. */
  async byKey(objectId: string, key: string): Promise<InstanceRecord | undefined> {
    const [row] = await this.db.select(T.instances, {
      where: and(col('object_id').eq(objectId), col('instance_key').eq(key)),
      limit: 1,
    });
    return row && instanceRecord(row);
  }

  /** Copies to make at `now`: being copied, due, with no lease or a lapsed one; oldest first. */
  async copiesDue(now: Date, limit: number): Promise<InstanceRecord[]> {
    const rows = await this.db.select(T.instances, {
      where: and(
        col('state').eq('copying'),
        or(col('next_attempt').isNull(), col('next_attempt').le(now)),
        or(col('lease_until').isNull(), col('lease_until').lt(now)),
      ),
      orderBy: [{ column: 'created' }],
      limit,
    });
    return rows.map(instanceRecord);
  }

  /** Changes columns of one instance (found by its key). */
  async change(record: InstanceRecord, changes: Row): Promise<void> {
    await this.db.updateEach(T.instances, 'instance_key', [
      { instance_key: instanceKey(record), ...changes },
    ]);
  }

  /** Frees the leases of copies whoever holds them (a store one process owns, at its start). */
  async freeLeases(): Promise<void> {
    await this.db.update(T.instances, and(col('lease_owner').isNotNull()), {
      lease_owner: null,
      lease_until: null,
    });
  }

  /**
   * Marks the Flows as using objects that may have instances (flows.instances), so that their
   * segment pages look instances up: a Flow given get_urls, or re-using an object (the object
   * may get instances meanwhile, from another replica: re-use marks the Flow whatever it finds).
   */
  async markFlows(flowIds: readonly string[]): Promise<void> {
    if (flowIds.length === 0) return;
    await this.db.update(
      T.flows,
      and(col('id').in([...new Set(flowIds)]), or(col('instances').isNull(), col('instances').eq(false))),
      { instances: true },
    );
  }

  /** markFlows of every Flow whose segments use these objects (they got instances). */
  async markUsers(objectIds: readonly string[]): Promise<void> {
    if (objectIds.length === 0) return;
    const refs = await this.db.select(T.objectRefs, {
      where: and(col('object_id').in([...new Set(objectIds)])),
      columns: ['flow_id'],
    });
    await this.markFlows(refs.map((r) => reqStr(r, 'flow_id')));
  }

  /** The ids of every object with instances (to fill the store's cache). */
  async objectIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    await this.db.scan(T.instances, { columns: ['object_id'] }, (rows) => {
      for (const row of rows) ids.add(reqStr(row, 'object_id'));
    });
    return ids;
  }
}

export function instanceRow(i: InstanceRecord): Row {
  return {
    object_id: i.object_id,
    instance_key: instanceKey(i),
    controlled: i.controlled,
    url: i.url ?? null,
    label: i.label ?? null,
    storage_id: i.storage_id ?? null,
    storage_path: i.storage_path ?? null,
    state: i.state,
    created: i.created,
    pos: i.pos,
    attempts: i.attempts ?? null,
    next_attempt: i.next_attempt ?? null,
    error: i.error ?? null,
    lease_owner: i.lease_owner ?? null,
    lease_until: i.lease_until ?? null,
  };
}

export function instanceRecord(row: Row): InstanceRecord {
  const record: InstanceRecord = {
    object_id: reqStr(row, 'object_id'),
    controlled: bool(row, 'controlled') === true,
    state: (str(row, 'state') ?? 'ready') as InstanceState,
    created: date(row, 'created') ?? new Date(0),
    pos: num(row, 'pos') ?? 0,
  };
  for (const key of ['url', 'label', 'storage_id', 'storage_path', 'error', 'lease_owner'] as const) {
    const v = str(row, key);
    if (v !== undefined) record[key] = v;
  }
  const attempts = num(row, 'attempts');
  if (attempts !== undefined) record.attempts = attempts;
  const next = date(row, 'next_attempt');
  if (next !== undefined) record.next_attempt = next;
  const until = date(row, 'lease_until');
  if (until !== undefined) record.lease_until = until;
  return record;
}
