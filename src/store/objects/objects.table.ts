import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { date, reqStr, str } from '../rows.ts';
import { T } from '../tables.ts';
import type { ObjectLocation, ObjectRecord } from './objects.types.ts';

/** The `objects` table: where each media object's bytes are, and the Flow it was allocated for. */
export class ObjectRows {
  constructor(private readonly db: DbSession) {}

  /** The objects among `ids` (registered: true; the caller knows better for allocated ones). */
  async find(ids: readonly string[]): Promise<ObjectRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.select(T.objects, { where: and(col('id').in(ids)) });
    return rows.map(objectRecord);
  }

  async insert(objects: readonly ObjectRecord[]): Promise<void> {
    if (objects.length === 0) return;
    await this.db.insert(
      T.objects,
      objects.map((o) => ({
        id: o.id,
        storage_id: o.storage_id ?? null,
        storage_path: o.storage_path ?? null,
        allocated_for: o.allocated_for ?? null,
        created: o.created,
      })),
    );
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.db.delete(T.objects, and(col('id').in(ids)));
  }

  /** Where the object's bytes are, and the Flow it was allocated for; undefined for no such object. */
  async location(id: string): Promise<ObjectLocation | undefined> {
    const [row] = await this.db.select(T.objects, {
      where: and(col('id').eq(id)),
      columns: ['storage_id', 'storage_path', 'allocated_for'],
      limit: 1,
    });
    if (!row) return undefined;
    return {
      storage_id: str(row, 'storage_id'),
      storage_path: str(row, 'storage_path'),
      allocated_for: str(row, 'allocated_for'),
    };
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
  return record;
}
