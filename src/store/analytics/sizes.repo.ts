import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, date, reqStr, str } from '../rows.ts';
import { T } from '../tables.ts';
import { AT } from './analytics.tables.ts';

/**
 * Ids per lookup: up to 64 the engine inlines an `in` list, and DuckDB then reads only the row
 * groups whose id range can hold them (object ids are time-ordered, src/common/object-ids.ts, so
 * recent objects sit in the last groups); a longer list is a scan of the whole table.
 */
const LOOKUP = 64;

/** A recorded size (see analytics.tables.ts). */
export interface ObjectSize {
  objectId: string;
  /** Null: the backend had no object at its path. */
  size: bigint | null;
  checked: Date;
  storageId?: string;
  flowId?: string;
  segStart?: bigint;
  registered?: Date;
}

/** `object_sizes`: appended by the size follower and the backfill, deleted with the objects. */
export class ObjectSizesRepo {
  constructor(private readonly db: DbSession) {}

  /** Which of these objects have a size row already (a size, or a recorded miss). */
  async known(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += LOOKUP) {
      const rows = await this.db.select(AT.sizes, {
        where: and(col('object_id').in(unique.slice(i, i + LOOKUP))),
        columns: ['object_id'],
      });
      for (const r of rows) found.add(reqStr(r, 'object_id'));
    }
    return found;
  }

  /**
   * The Flow that first registered each of these objects, where it still uses it (the
   * `first` reference row): the backfill counts an object's bytes for that Flow, as the follower
   * does when it sees the registrations in order.
   */
  async firstFlows(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < ids.length; i += LOOKUP) {
      const rows = await this.db.select(T.objectRefs, {
        where: and(col('object_id').in(ids.slice(i, i + LOOKUP)), col('first').eq(true)),
        columns: ['object_id', 'flow_id'],
      });
      for (const r of rows) out.set(reqStr(r, 'object_id'), reqStr(r, 'flow_id'));
    }
    return out;
  }

  /** The rows of these objects. */
  async get(ids: readonly string[]): Promise<ObjectSize[]> {
    const out: ObjectSize[] = [];
    for (let i = 0; i < ids.length; i += LOOKUP) {
      const rows = await this.db.select(AT.sizes, {
        where: and(col('object_id').in(ids.slice(i, i + LOOKUP))),
      });
      out.push(...rows.map(sizeOf));
    }
    return out;
  }

  /** Object ids whose recorded size is a miss (null), after `after` in id order, at most `limit`. */
  async missing(after: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.db.select(AT.sizes, {
      where: and(col('size').isNull(), after !== undefined && col('object_id').gt(after)),
      columns: ['object_id'],
      orderBy: [{ column: 'object_id' }],
      limit,
    });
    return rows.map((r) => reqStr(r, 'object_id'));
  }

  async insert(sizes: readonly ObjectSize[]): Promise<void> {
    if (sizes.length === 0) return;
    await this.db.insert(AT.sizes, sizes.map(sizeRow));
  }

  /** Replaces the rows of these objects (a miss found later, by the backfill). */
  async replace(sizes: readonly ObjectSize[]): Promise<void> {
    if (sizes.length === 0) return;
    await this.delete(sizes.map((s) => s.objectId));
    await this.insert(sizes);
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.db.delete(AT.sizes, and(col('object_id').in(ids)));
  }
}

function sizeRow(s: ObjectSize): Row {
  return {
    object_id: s.objectId,
    size: s.size,
    checked: s.checked,
    storage_id: s.storageId ?? null,
    flow_id: s.flowId ?? null,
    seg_start: s.segStart ?? null,
    registered: s.registered ?? null,
  };
}

function sizeOf(row: Row): ObjectSize {
  const storageId = str(row, 'storage_id');
  const flowId = str(row, 'flow_id');
  const segStart = big(row, 'seg_start');
  const registered = date(row, 'registered');
  return {
    objectId: reqStr(row, 'object_id'),
    size: big(row, 'size') ?? null,
    checked: date(row, 'checked') ?? new Date(0),
    ...(storageId !== undefined && { storageId }),
    ...(flowId !== undefined && { flowId }),
    ...(segStart !== undefined && { segStart }),
    ...(registered !== undefined && { registered }),
  };
}
