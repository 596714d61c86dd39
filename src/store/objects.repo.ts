import type { DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { date, num, reqStr, str } from './rows.ts';
import { T } from './tables.ts';

export interface ObjectRecord {
  id: string;
  /** Backend holding the bytes; undefined for external objects (known only by client URLs). */
  storage_id?: string;
  /** Key within the backend, decided at allocation; URLs are generated from it on demand. */
  storage_path?: string;
  /** The Flow whose /storage call allocated it. */
  allocated_for?: string;
  first_referenced_by_flow?: string;
  created: Date;
}

/** An object as used by a Flow. */
export interface ObjectRef {
  objectId: string;
  flowId: string;
}

export interface GcEntry {
  storage_id: string;
  storage_path: string;
  object_id: string;
  attempts: number;
}

/**
 * Media objects and their reference counts. An object's bytes are deleted (through the media_gc
 * queue, by a background worker) when the last segment referencing it goes.
 */
export class ObjectsRepo {
  constructor(private readonly db: DbSession) {}

  async get(id: string): Promise<ObjectRecord | null> {
    const [row] = await this.db.select(T.objects, { where: and(col('id').eq(id)), limit: 1 });
    return row ? fromRow(row) : null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, ObjectRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select(T.objects, { where: and(col('id').in(ids)) });
    return new Map(rows.map((r) => [reqStr(r, 'id'), fromRow(r)]));
  }

  /** Objects allocated and never registered in a segment (to fill an in-memory cache). */
  async unreferenced(): Promise<ObjectRecord[]> {
    const rows = await this.db.select(T.objects, { where: and(col('first_referenced_by_flow').isNull()) });
    return rows.map(fromRow);
  }

  async insertMany(objects: readonly ObjectRecord[]): Promise<void> {
    if (objects.length === 0) return;
    await this.db.insert(
      T.objects,
      objects.map((o) => ({
        id: o.id,
        storage_id: o.storage_id ?? null,
        storage_path: o.storage_path ?? null,
        allocated_for: o.allocated_for ?? null,
        first_referenced_by_flow: o.first_referenced_by_flow ?? null,
        created: o.created,
      })),
    );
  }

  /**
   * Records the Flow that first referenced each object. Only for objects this transaction read
   * as never referenced: each row gets its own Flow in one statement.
   */
  async markReferenced(firsts: readonly ObjectRef[]): Promise<void> {
    if (firsts.length === 0) return;
    await this.db.updateEach(
      T.objects,
      'id',
      firsts.map((f) => ({ id: f.objectId, first_referenced_by_flow: f.flowId })),
    );
  }

  /**
   * Adds segment references: each entry counts the new segments of a Flow using an object.
   * Objects in `unreferenced` are known to have no references yet (never registered), so their
   * counts are inserted without looking for existing ones: the common case of fresh ingest.
   */
  async addRefs(
    refs: readonly (ObjectRef & { segments: number })[],
    unreferenced: ReadonlySet<string>,
  ): Promise<void> {
    const fresh: Row[] = [];
    const known = new Map<string, Map<string, number>>();
    for (const r of refs) {
      if (unreferenced.has(r.objectId)) {
        fresh.push({ object_id: r.objectId, flow_id: r.flowId, segments: BigInt(r.segments) });
      } else {
        const counts = known.get(r.flowId) ?? new Map<string, number>();
        counts.set(r.objectId, (counts.get(r.objectId) ?? 0) + r.segments);
        known.set(r.flowId, counts);
      }
    }
    for (const [flowId, counts] of known) {
      const existing = await this.refsOf(flowId, [...counts.keys()]);
      for (const [objectId, n] of counts) {
        const current = existing.get(objectId);
        if (current === undefined) fresh.push({ object_id: objectId, flow_id: flowId, segments: BigInt(n) });
        else await this.setRefs(objectId, flowId, current + n);
      }
    }
    if (fresh.length > 0) await this.db.insert(T.objectRefs, fresh);
  }

  /**
   * Removes segment references; returns the objects no segment of any Flow references any more,
   * whose rows are deleted and whose bytes are queued for deletion.
   */
  async dropRefs(flowId: string, counts: ReadonlyMap<string, number>, now: Date): Promise<string[]> {
    if (counts.size === 0) return [];
    const existing = await this.refsOf(flowId, [...counts.keys()]);
    const gone: string[] = [];
    for (const [objectId, n] of counts) {
      const remaining = (existing.get(objectId) ?? 0) - n;
      if (remaining > 0) await this.setRefs(objectId, flowId, remaining);
      else gone.push(objectId);
    }
    if (gone.length === 0) return [];
    await this.db.delete(T.objectRefs, and(col('flow_id').eq(flowId), col('object_id').in(gone)));
    const stillUsed = await this.db.select(T.objectRefs, {
      where: and(col('object_id').in(gone)),
      columns: ['object_id'],
    });
    const used = new Set(stillUsed.map((r) => reqStr(r, 'object_id')));
    const orphans = gone.filter((id) => !used.has(id));
    await this.release(orphans, now);
    return orphans;
  }

  /** Deletes object rows and queues the bytes of those stored in a backend for deletion. */
  async release(ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    const objects = await this.getMany(ids);
    const queued: Row[] = [];
    for (const o of objects.values()) {
      if (o.storage_id === undefined || o.storage_path === undefined) continue;
      queued.push({
        storage_id: o.storage_id,
        storage_path: o.storage_path,
        object_id: o.id,
        queued: now,
        attempts: 0,
        next_attempt: now,
        last_error: null,
      });
    }
    await this.db.delete(T.objects, and(col('id').in(ids)));
    if (queued.length > 0) await this.db.insert(T.mediaGc, queued);
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

  /** Entries of the byte-deletion queue that are due. */
  async dueGc(now: Date, limit: number): Promise<GcEntry[]> {
    const rows = await this.db.select(T.mediaGc, {
      where: and(col('next_attempt').le(now)),
      orderBy: [{ column: 'next_attempt' }],
      limit,
    });
    return rows.map((r) => ({
      storage_id: reqStr(r, 'storage_id'),
      storage_path: reqStr(r, 'storage_path'),
      object_id: reqStr(r, 'object_id'),
      attempts: num(r, 'attempts') ?? 0,
    }));
  }

  async gcDone(entry: GcEntry): Promise<void> {
    await this.db.delete(T.mediaGc, gcKey(entry));
  }

  async gcFailed(entry: GcEntry, error: string, nextAttempt: Date): Promise<void> {
    await this.db.update(T.mediaGc, gcKey(entry), {
      attempts: entry.attempts + 1,
      last_error: error,
      next_attempt: nextAttempt,
    });
  }

  async gcBacklog(): Promise<number> {
    return this.db.count(T.mediaGc);
  }

  private async refsOf(flowId: string, objectIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db.select(T.objectRefs, {
      where: and(col('flow_id').eq(flowId), col('object_id').in(objectIds)),
    });
    return new Map(rows.map((r) => [reqStr(r, 'object_id'), num(r, 'segments') ?? 0]));
  }

  private async setRefs(objectId: string, flowId: string, segments: number): Promise<void> {
    await this.db.update(T.objectRefs, and(col('object_id').eq(objectId), col('flow_id').eq(flowId)), {
      segments: BigInt(segments),
    });
  }
}

function gcKey(entry: GcEntry) {
  return and(col('storage_id').eq(entry.storage_id), col('storage_path').eq(entry.storage_path));
}

function fromRow(row: Row): ObjectRecord {
  const record: ObjectRecord = { id: reqStr(row, 'id'), created: date(row, 'created') ?? new Date(0) };
  const set = (key: 'storage_id' | 'storage_path' | 'allocated_for' | 'first_referenced_by_flow') => {
    const v = str(row, key);
    if (v !== undefined) record[key] = v;
  };
  set('storage_id');
  set('storage_path');
  set('allocated_for');
  set('first_referenced_by_flow');
  return record;
}
