import type { DbSession, Predicate, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { date, reqStr, str } from '../rows.ts';
import { T } from '../tables.ts';
import { INIT_OBJECT, type ObjectTimes, putTimes, timesColumns, timesOf } from './object-times.ts';
import type { ObjectLocation, ObjectRecord, ReleasedObjects, ReleaseHint } from './objects.types.ts';

/** The `objects` table: where each media object's bytes are, and the Flow it was allocated for. */
export class ObjectRows {
  constructor(private readonly db: DbSession) {}

  /** The objects among `ids` (registered: true; the caller knows better for allocated ones). */
  async find(ids: readonly string[]): Promise<ObjectRecord[]> {
    if (ids.length === 0) return [];
    return this.select(and(col('id').in(ids)));
  }

  /**
   * The objects among `ids`, to be released, looked for first among those allocated for the
   * hinted Flow. A Flow's objects are spread over the whole table (allocated between every other
   * channel's), so ids alone mean scanning every id of the table (10 s for 10,000 ids among 100M
   * objects), while the allocating Flow's column is read first and the ids only where it matches
   * (0.6 s, but 1.3-2 s as DuckDB compares the ids' bounds with every row); when most of the
   * Flow's objects go, they are read whole (0.3 s). The ids not found there are looked for by id
   * alone.
   */
  async findReleasing(ids: readonly string[], hint?: ReleaseHint): Promise<ReleasedObjects> {
    if (ids.length === 0) return { objects: [] };
    if (hint === undefined) return { objects: await this.find(ids) };
    const scope = col('allocated_for').eq(hint.flowId);
    let objects: ObjectRecord[];
    let allOf: ReleasedObjects['allOf'];
    if (hint.whole) {
      const wanted = new Set(ids);
      const all = await this.select(and(scope));
      objects = [];
      const keep: ObjectRecord[] = [];
      for (const o of all) (wanted.has(o.id) ? objects : keep).push(o);
      if (keep.length <= objects.length) allOf = { flowId: hint.flowId, keep };
    } else {
      objects = await this.select(and(scope, col('id').in(ids)));
    }
    if (objects.length === ids.length) return { objects, allOf };
    const seen = new Set(objects.map((o) => o.id));
    const rest = await this.find(ids.filter((id) => !seen.has(id)));
    return { objects: objects.concat(rest), allOf };
  }

  private async select(where: Predicate): Promise<ObjectRecord[]> {
    return (await this.db.select(T.objects, { where })).map(objectRecord);
  }

  async insert(objects: readonly ObjectRecord[]): Promise<void> {
    if (objects.length === 0) return;
    await this.db.insert(
      T.objects,
      objects.map((o) =>
        putTimes(
          {
            id: o.id,
            storage_id: o.storage_id ?? null,
            storage_path: o.storage_path ?? null,
            allocated_for: o.allocated_for ?? null,
            created: o.created,
          },
          o.times,
        ),
      ),
    );
  }

  /**
   * Records what objects' first segments set (object-times.ts), one statement for them all. A
   * row gone meanwhile (released) is simply not there to change.
   */
  async setTimes(times: ReadonlyMap<string, ObjectTimes>): Promise<void> {
    if (times.size === 0) return;
    const rows = [...times].map(([id, t]) => ({
      id,
      ...timesColumns(t),
      [INIT_OBJECT]: t.init_object_id ?? null,
    }));
    await this.db.updateEach(T.objects, 'id', rows);
  }

  /** Moves the object's bytes' location (TAMS 8.2's promotion of a copy). */
  async relocate(id: string, to: { id: string; path: string }): Promise<void> {
    await this.db.update(T.objects, and(col('id').eq(id)), { storage_id: to.id, storage_path: to.path });
  }

  /** Deletes objects found by findReleasing, by the Flow each was allocated for as well. */
  async deleteReleased(released: ReleasedObjects): Promise<void> {
    const byFlow = new Map<string | undefined, string[]>();
    for (const o of released.objects) {
      const ids = byFlow.get(o.allocated_for);
      if (ids) ids.push(o.id);
      else byFlow.set(o.allocated_for, [o.id]);
    }
    for (const [flowId, ids] of byFlow) {
      if (flowId !== undefined && flowId === released.allOf?.flowId) {
        // Deleted by the Flow alone and the fewer kept written again: naming the ids as well
        // costs 2-4 s among 100M objects, as in findReleasing.
        await this.db.delete(T.objects, and(col('allocated_for').eq(flowId)));
        await this.insert(released.allOf.keep);
        continue;
      }
      const scope = flowId === undefined ? col('allocated_for').isNull() : col('allocated_for').eq(flowId);
      await this.db.delete(T.objects, and(scope, col('id').in(ids)));
    }
  }

  /** Where each of the objects' bytes are (init objects of a page of segments); absent: no such object. */
  async locations(ids: readonly string[]): Promise<Map<string, ObjectLocation>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select(T.objects, {
      where: and(col('id').in(ids)),
      columns: ['id', 'storage_id', 'storage_path', 'allocated_for'],
    });
    return new Map(rows.map((row) => [reqStr(row, 'id'), locationOf(row)]));
  }

  /** Where the object's bytes are, and the Flow it was allocated for; undefined for no such object. */
  async location(id: string): Promise<ObjectLocation | undefined> {
    const [row] = await this.db.select(T.objects, {
      where: and(col('id').eq(id)),
      columns: ['storage_id', 'storage_path', 'allocated_for'],
      limit: 1,
    });
    return row ? locationOf(row) : undefined;
  }

  /**
   * The id of the object of backend `storageId` whose storage path is `path`, if any. A scan of
   * the objects table by path: for the rare lookups that have no object id (see StorageService).
   */
  async idAtPath(storageId: string, path: string): Promise<string | undefined> {
    const [row] = await this.db.select(T.objects, {
      where: and(col('storage_path').eq(path), col('storage_id').eq(storageId)),
      columns: ['id'],
      limit: 1,
    });
    return row ? reqStr(row, 'id') : undefined;
  }
}

function locationOf(row: Row): ObjectLocation {
  return {
    storage_id: str(row, 'storage_id'),
    storage_path: str(row, 'storage_path'),
    allocated_for: str(row, 'allocated_for'),
  };
}

function objectRecord(row: Row): ObjectRecord {
  const record: ObjectRecord = {
    id: reqStr(row, 'id'),
    created: date(row, 'created') ?? new Date(0),
    registered: true,
  };
  const set = (key: 'storage_id' | 'storage_path' | 'allocated_for') => {
    const v = str(row, key);
    if (v !== undefined) record[key] = v;
  };
  set('storage_id');
  set('storage_path');
  set('allocated_for');
  const times = timesOf(row);
  if (times) record.times = times;
  return record;
}
