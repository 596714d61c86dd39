import type { DbSession, Predicate, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, date, reqStr, str } from '../../store/rows.ts';
import type { RepoSet, StoreSession } from '../../store/store.ts';
import { T } from '../../store/tables.ts';
import { AT } from './analytics.tables.ts';

/**
 * Ids per lookup. Object ids are time-ordered (src/common/object-ids.ts), so the objects of a
 * batch, sorted, sit in a narrow range, and a lookup names its range besides its list: DuckDB
 * reads only the row groups whose ids can fall in it (it would not for a long list alone, which
 * it cannot bound before the scan). The size follower looks up thousands of objects a batch:
 * one lookup of up to this many instead of one per 64 (the most DuckDB's inlined lists prune by).
 */
const LOOKUP = 2000;

/**
 * `ids` sorted and cut into lookups of at most LOOKUP, each with its range and list. Only ASCII
 * ids are ranged: their order here is the byte order the engines compare strings in (an id with
 * other characters, which clients may give external objects, is looked up by the list alone).
 */
function lookups(column: string, ids: Iterable<string>): Predicate[] {
  const ascii: string[] = [];
  const other: string[] = [];
  for (const id of new Set(ids)) (/^[\x20-\x7e]*$/.test(id) ? ascii : other).push(id);
  ascii.sort();
  const out: Predicate[] = [];
  for (let i = 0; i < ascii.length; i += LOOKUP) {
    const chunk = ascii.slice(i, i + LOOKUP);
    out.push(
      and(col(column).ge(chunk[0] as string), col(column).le(chunk.at(-1) as string), col(column).in(chunk)),
    );
  }
  for (let i = 0; i < other.length; i += LOOKUP) out.push(and(col(column).in(other.slice(i, i + LOOKUP))));
  return out;
}

/** A recorded size (see analytics.tables.ts). */
export interface ObjectSize {
  objectId: string;
  /**
   * Null: unsized (the backend had no object at its path, or (with `error`) refused to say, or
   * there is no backend: external).
   */
  size: bigint | null;
  /** Why the size could not be read (the object's own failure, see analytics.head.ts). */
  error?: string;
  checked: Date;
  storageId?: string;
  flowId?: string;
  segStart?: bigint;
  registered?: Date;
}

/**
 * `object_sizes`: appended by the size follower and the backfill; the follower deletes the rows of
 * objects the store deleted as it comes to their OBJECTS_DELETED events.
 */
export class ObjectSizesRepo {
  constructor(private readonly db: DbSession) {}

  /** Which of these objects have a size row already (a size, or a recorded miss). */
  async known(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const where of lookups('object_id', ids)) {
      for (const r of await this.db.select(AT.sizes, { where, columns: ['object_id'] })) {
        found.add(reqStr(r, 'object_id'));
      }
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
    for (const where of lookups('object_id', ids)) {
      const rows = await this.db.select(T.objectRefs, {
        where: and(where, col('first').eq(true)),
        columns: ['object_id', 'flow_id'],
      });
      for (const r of rows) out.set(reqStr(r, 'object_id'), reqStr(r, 'flow_id'));
    }
    return out;
  }

  /** The rows of these objects. */
  async get(ids: readonly string[]): Promise<ObjectSize[]> {
    const out: ObjectSize[] = [];
    for (const where of lookups('object_id', ids))
      out.push(...(await this.db.select(AT.sizes, { where })).map(sizeOf));
    return out;
  }

  /**
   * Object ids whose recorded size is a miss (null, in a backend: external objects have none to
   * ask), after `after` in id order, at most `limit`.
   */
  async missing(after: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.db.select(AT.sizes, {
      where: and(
        col('size').isNull(),
        col('storage_id').isNotNull(),
        after !== undefined && col('object_id').gt(after),
      ),
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

  /** Deletes the rows of these objects (a lookup at a time: a batch may name many thousands). */
  async delete(ids: readonly string[]): Promise<void> {
    for (const where of lookups('object_id', ids)) await this.db.delete(AT.sizes, where);
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
    error: s.error ?? null,
  };
}

function sizeOf(row: Row): ObjectSize {
  const storageId = str(row, 'storage_id');
  const flowId = str(row, 'flow_id');
  const segStart = big(row, 'seg_start');
  const registered = date(row, 'registered');
  const error = str(row, 'error');
  return {
    objectId: reqStr(row, 'object_id'),
    size: big(row, 'size') ?? null,
    checked: date(row, 'checked') ?? new Date(0),
    ...(storageId !== undefined && { storageId }),
    ...(flowId !== undefined && { flowId }),
    ...(segStart !== undefined && { segStart }),
    ...(registered !== undefined && { registered }),
    ...(error !== undefined && { error }),
  };
}

const SIZES: RepoSet<ObjectSizesRepo> = { open: (db) => new ObjectSizesRepo(db) };

/** The object sizes table on `store`'s session (the root's, or a transaction's). */
export function objectSizes(store: StoreSession): ObjectSizesRepo {
  return store.repos(SIZES);
}
