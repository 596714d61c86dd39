import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { date, reqStr, str } from '../rows.ts';
import { T } from '../tables.ts';
import type { ObjectRecord } from './objects.types.ts';

/**
 * The `allocations` table: objects allocated by /storage and not used yet (the registration of
 * an object's first segment deletes its row; with the store's cache, housekeeping does, in
 * batches). Few rows at any time, so registration never searches the large tables for them.
 */
export class Allocations {
  constructor(private readonly db: DbSession) {}

  /** Records objects allocated and awaiting their first use. */
  async insert(objects: readonly ObjectRecord[]): Promise<void> {
    if (objects.length === 0) return;
    await this.db.insert(
      T.allocations,
      objects.map((o) => ({
        object_id: o.id,
        flow_id: o.allocated_for ?? null,
        created: o.created,
        storage_id: o.storage_id ?? null,
        storage_path: o.storage_path ?? null,
      })),
    );
  }

  /** Every allocation row, as the unused object it stands for. */
  async all(): Promise<ObjectRecord[]> {
    return (await this.db.select(T.allocations)).map(allocationRecord);
  }

  /** Every allocated object's id. */
  async ids(): Promise<string[]> {
    return (await this.db.select(T.allocations, { columns: ['object_id'] })).map((r) =>
      reqStr(r, 'object_id'),
    );
  }

  /** Which of `ids` have an allocation row. */
  async among(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.select(T.allocations, {
      where: and(col('object_id').in(ids)),
      columns: ['object_id'],
    });
    return rows.map((r) => reqStr(r, 'object_id'));
  }

  /** The `limit` oldest allocation rows. */
  async oldest(limit: number): Promise<{ id: string; created: Date | undefined }[]> {
    const rows = await this.db.select(T.allocations, {
      columns: ['object_id', 'created'],
      orderBy: [{ column: 'created' }],
      limit,
    });
    return rows.map((r) => ({ id: reqStr(r, 'object_id'), created: date(r, 'created') }));
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.db.delete(T.allocations, and(col('object_id').in(ids)));
  }

  async count(): Promise<number> {
    return this.db.count(T.allocations);
  }
}

/** An unused allocation, from its allocations row. */
function allocationRecord(row: Row): ObjectRecord {
  const record: ObjectRecord = {
    id: reqStr(row, 'object_id'),
    created: date(row, 'created') ?? new Date(0),
    registered: false,
  };
  const flow = str(row, 'flow_id');
  if (flow !== undefined) record.allocated_for = flow;
  const storageId = str(row, 'storage_id');
  const storagePath = str(row, 'storage_path');
  if (storageId !== undefined && storagePath !== undefined) {
    record.storage_id = storageId;
    record.storage_path = storagePath;
  }
  return record;
}
