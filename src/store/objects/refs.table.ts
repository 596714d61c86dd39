import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { bool, num, reqStr } from '../rows.ts';
import { T } from '../tables.ts';
import { FIRST_USE_COLUMNS, type ObjectTimes, putTimes, timesOf } from './object-times.ts';
import type { NewRefs } from './objects.types.ts';

/** object_refs rows are keyed by object and Flow together, so per-row updates need one column. */
function refKey(objectId: string, flowId: string): string {
  return `${objectId}\n${flowId}`;
}

/**
 * The `object_refs` table: how many segments of each Flow use each object. The row written with
 * an object's first segment (`first`) records that the object has been used.
 */
export class ObjectRefs {
  constructor(private readonly db: DbSession) {}

  /** Which of these objects a segment has used: those with a reference row. */
  async usedAmong(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.select(T.objectRefs, {
      where: and(col('object_id').in(ids)),
      columns: ['object_id'],
    });
    return new Set(rows.map((r) => reqStr(r, 'object_id')));
  }

  /**
   * The uses of these objects: which are used, and the reference rows' counts (for `add`, keyed
   * as the rows are). One read whatever the number of objects.
   */
  async usage(ids: readonly string[]): Promise<RefUsage> {
    const usage: RefUsage = { used: new Set(), counts: new Map(), times: new Map(), init: new Set() };
    if (ids.length === 0) return usage;
    const rows = await this.db.select(T.objectRefs, {
      where: and(col('object_id').in(ids)),
      columns: ['object_id', 'ref_key', 'segments', 'init', ...FIRST_USE_COLUMNS],
    });
    for (const r of rows) {
      const objectId = reqStr(r, 'object_id');
      usage.used.add(objectId);
      usage.counts.set(reqStr(r, 'ref_key'), num(r, 'segments') ?? 0);
      const times = timesOf(r);
      if (times) usage.times.set(objectId, times);
      if (bool(r, 'init') === true) usage.init.add(objectId);
    }
    return usage;
  }

  /**
   * Adds segment references. Objects in `unreferenced` are known to have no references yet, so
   * their counts are inserted without looking for existing rows: the common case of ingest.
   * `known`: the counts of every reference row of the other objects, read in this transaction
   * (`usage`), so none is read again.
   */
  async add(refs: readonly NewRefs[], unreferenced: ReadonlySet<string>, known?: RefCounts): Promise<void> {
    const fresh: Row[] = [];
    const maybe = new Map<string, NewRefs>();
    for (const r of refs) {
      if (unreferenced.has(r.objectId))
        fresh.push(refRow(r.objectId, r.flowId, r.segments, r.first === true, r.times, r.init));
      else maybe.set(refKey(r.objectId, r.flowId), r);
    }
    if (maybe.size > 0) {
      const existing = known ?? (await this.counts([...maybe.keys()]));
      const changes: Row[] = [];
      for (const [key, r] of maybe) {
        const current = existing.get(key);
        if (current === undefined)
          fresh.push(refRow(r.objectId, r.flowId, r.segments, false, undefined, r.init));
        else changes.push({ ref_key: key, segments: BigInt(current + r.segments) });
      }
      if (changes.length > 0) await this.db.updateEach(T.objectRefs, 'ref_key', changes);
    }
    if (fresh.length > 0) await this.db.insert(T.objectRefs, fresh);
  }

  /**
   * Removes segment references of one Flow; returns the objects no segment of any Flow
   * references any more, and the times held by the rows removed of objects still used elsewhere
   * (their first reference gone: the caller keeps them on the objects' rows). `most`: they are
   * most of the Flow's references (see below).
   */
  async remove(
    flowId: string,
    counts: ReadonlyMap<string, number>,
    most = false,
  ): Promise<{ orphans: string[]; homeless: Map<string, ObjectTimes> }> {
    const homeless = new Map<string, ObjectTimes>();
    if (counts.size === 0) return { orphans: [], homeless };
    // Every read and write here names the Flow as well as the keys: a Flow's reference rows are
    // spread over the whole table (a live channel's objects are interleaved with every other
    // channel's), so the keys alone mean scanning every ref_key of the table (23 s for 10,000
    // keys among 100M rows). With the Flow named, DuckDB still compares the keys' bounds with
    // every row (2-3 s); where most of the Flow's rows go, they are all read and deleted by the
    // Flow alone (0.2-0.3 s each) and the others written again.
    const scope = col('flow_id').eq(flowId);
    const keys = [...counts.keys()].map((id) => refKey(id, flowId));
    const where = most ? and(scope) : and(scope, col('ref_key').in(keys));
    const existing = await this.db.select(T.objectRefs, {
      where,
      columns: ['object_id', 'segments', 'first', 'init', ...FIRST_USE_COLUMNS],
    });
    const kept: Row[] = [];
    const left = new Map<string, number>(counts);
    const dropped = new Map<string, ObjectTimes>();
    for (const row of existing) {
      const objectId = reqStr(row, 'object_id');
      const remaining = (num(row, 'segments') ?? 0) - (counts.get(objectId) ?? 0);
      const times = timesOf(row);
      if (remaining > 0) {
        const init = bool(row, 'init') === true;
        kept.push(refRow(objectId, flowId, remaining, bool(row, 'first') === true, times, init));
        left.delete(objectId);
      } else if (times) dropped.set(objectId, times);
    }
    // Objects without a row for this Flow any more (or without one at all) may be unused now.
    const gone = [...left.keys()];
    if (existing.length > 0) {
      // The rows still counting segments are written anew rather than updated: an update finds
      // its rows by the key alone, which is the scan avoided above.
      await this.db.delete(T.objectRefs, where);
      if (kept.length > 0) await this.db.insert(T.objectRefs, kept);
    }
    if (gone.length === 0) return { orphans: [], homeless };
    const stillUsed = await this.usedAmong(gone);
    for (const [id, times] of dropped) if (stillUsed.has(id)) homeless.set(id, times);
    return { orphans: gone.filter((id) => !stillUsed.has(id)), homeless };
  }

  /** Flows with segments referencing the object, ordered by id, after `after`, at most `limit` + 1. */
  async referencingFlows(objectId: string, after: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.db.select(T.objectRefs, {
      where: and(col('object_id').eq(objectId), after !== undefined && col('flow_id').gt(after)),
      columns: ['flow_id'],
      orderBy: [{ column: 'flow_id' }],
      limit: limit + 1,
    });
    return rows.map((r) => reqStr(r, 'flow_id'));
  }

  /** The Flow that first registered a segment using the object, while it still does. */
  async firstReferencingFlow(objectId: string): Promise<string | undefined> {
    const [row] = await this.db.select(T.objectRefs, {
      where: and(col('object_id').eq(objectId), col('first').eq(true)),
      columns: ['flow_id'],
      limit: 1,
    });
    return row ? reqStr(row, 'flow_id') : undefined;
  }

  private async counts(keys: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db.select(T.objectRefs, {
      where: and(col('ref_key').in(keys)),
      columns: ['ref_key', 'segments'],
    });
    return new Map(rows.map((r) => [reqStr(r, 'ref_key'), num(r, 'segments') ?? 0]));
  }
}

/** Segments per reference row, keyed as the rows are (object and Flow). */
export type RefCounts = ReadonlyMap<string, number>;

/** What the reference rows of some objects say (ObjectRefs.usage). */
export interface RefUsage {
  /** The objects a segment uses. */
  used: Set<string>;
  counts: Map<string, number>;
  /** What their first reference rows hold of the objects' first segments. */
  times: Map<string, ObjectTimes>;
  /** Those that are initialisation segment objects (their rows say so). */
  init: Set<string>;
}

function refRow(
  objectId: string,
  flowId: string,
  segments: number,
  first: boolean,
  times?: ObjectTimes,
  init?: boolean,
): Row {
  const row: Row = {
    ref_key: refKey(objectId, flowId),
    object_id: objectId,
    flow_id: flowId,
    segments: BigInt(segments),
    first,
  };
  // Left out (null) on media objects' rows, as every row written before init objects existed.
  if (init === true) row.init = true;
  return putTimes(row, times);
}
