import type { DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { gcRow } from './media-gc.repo.ts';
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
  created: Date;
  /** Whether a segment has used it: false for objects allocated and not yet registered. */
  registered: boolean;
}

export type ObjectLocation = Pick<ObjectRecord, 'storage_id' | 'storage_path' | 'allocated_for'>;

export interface AllocationState {
  /** Objects allocated and never registered. */
  unregistered: ObjectRecord[];
  /** Ids of allocation rows whose objects are in use. */
  used: string[];
  /** Whether allocations_used has rows (see ObjectsRepo.mayHaveRecordedUses). */
  recordedUses: boolean;
}

/** An object as used by a Flow. */
export interface ObjectRef {
  objectId: string;
  flowId: string;
}

/** New segment references of a Flow to an object; `first` marks the object's first use ever. */
export interface NewRefs extends ObjectRef {
  segments: number;
  first?: boolean;
}

export interface AllocationWork {
  /** Allocations whose objects are now in use: their rows can go. */
  used: string[];
  /** Objects allocated before the cutoff and still unused. */
  abandoned: string[];
  /** Whether more work follows at once. */
  more: boolean;
}

/** object_refs rows are keyed by object and Flow together, so per-row updates need one column. */
function refKey(objectId: string, flowId: string): string {
  return `${objectId}\n${flowId}`;
}

/**
 * Media objects, the allocations not yet used, and reference counts. An object's bytes are
 * deleted (through the media_gc queue, by a background worker) when the last segment using it
 * goes. Registration only appends rows and deletes from the small allocations table, so it never
 * searches the objects table.
 */
export class ObjectsRepo {
  constructor(private readonly db: DbSession) {}

  async get(id: string): Promise<ObjectRecord | null> {
    return (await this.getMany([id])).get(id) ?? null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, ObjectRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select(T.objects, { where: and(col('id').in(ids)) });
    const unused = await this.unused(ids);
    return new Map(rows.map((r) => [reqStr(r, 'id'), fromRow(r, !unused.has(reqStr(r, 'id')))]));
  }

  /**
   * The allocations table as a cache needs it: objects allocated and never registered, and the
   * ids of allocation rows whose objects are in use (left for housekeeping).
   */
  async allocationState(): Promise<AllocationState> {
    const recordedUses = (await this.db.count(T.allocationsUsed)) > 0;
    const rows = await this.db.select(T.allocations);
    const used = await this.usedAmong(rows.map((r) => reqStr(r, 'object_id')));
    const unregistered = rows.filter((r) => !used.has(reqStr(r, 'object_id'))).map(allocationRecord);
    // Allocation rows written before they carried the location: read it from the objects.
    const bare = unregistered.filter((o) => o.storage_id === undefined).map((o) => o.id);
    if (bare.length > 0) {
      const objects = await this.db.select(T.objects, { where: and(col('id').in(bare)) });
      const located = new Map(objects.map((r) => [reqStr(r, 'id'), fromRow(r, false)]));
      for (const [i, o] of unregistered.entries()) unregistered[i] = located.get(o.id) ?? o;
    }
    return { unregistered, used: [...used], recordedUses };
  }

  /**
   * Which of these objects a segment has used. The object_refs row written with an object's
   * first segment records it (registration writes nothing else for it); rows of
   * allocations_used, where registration recorded uses before, count too until tidied away.
   */
  async usedAmong(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const where = and(col('object_id').in(ids));
    const refs = await this.db.select(T.objectRefs, { where, columns: ['object_id'] });
    const recorded = this.mayHaveRecordedUses()
      ? await this.db.select(T.allocationsUsed, { where, columns: ['object_id'] })
      : [];
    return new Set([...refs, ...recorded].map((r) => reqStr(r, 'object_id')));
  }

  /**
   * Whether allocations_used may hold rows: registration no longer writes it, so only a store
   * written by an earlier version has any. Without a long-lived view of the store, assume so.
   */
  protected mayHaveRecordedUses(): boolean {
    return true;
  }

  /** Every object allocated and not used yet (management commands). */
  async unusedAllocationIds(): Promise<Set<string>> {
    const ids = (await this.db.select(T.allocations, { columns: ['object_id'] })).map((r) =>
      reqStr(r, 'object_id'),
    );
    const used = await this.usedAmong(ids);
    return new Set(ids.filter((id) => !used.has(id)));
  }

  /**
   * Which of the objects are allocated and unused: an allocation row and no use (usedAmong).
   * Allocation rows are few (housekeeping removes those of used objects), so the lookup of uses
   * runs only for objects that have one.
   */
  private async unused(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const allocated = await this.db.select(T.allocations, {
      where: and(col('object_id').in(ids)),
      columns: ['object_id'],
    });
    if (allocated.length === 0) return new Set();
    const candidates = allocated.map((r) => reqStr(r, 'object_id'));
    const used = await this.usedAmong(candidates);
    return new Set(candidates.filter((id) => !used.has(id)));
  }

  /** Inserts objects; those not `registered` are recorded as allocations awaiting their first use. */
  async insertMany(objects: readonly ObjectRecord[]): Promise<void> {
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
    const pending = objects.filter((o) => !o.registered);
    if (pending.length > 0) {
      await this.db.insert(
        T.allocations,
        pending.map((o) => ({
          object_id: o.id,
          flow_id: o.allocated_for ?? null,
          created: o.created,
          storage_id: o.storage_id ?? null,
          storage_path: o.storage_path ?? null,
        })),
      );
    }
  }

  /**
   * Objects whose first segment is being registered. Nothing to write: the object_refs row of
   * that segment records the use (see usedAmong); the cache takes them out of its unused set.
   */
  async registered(_ids: readonly string[], _now: Date): Promise<void> {}

  /**
   * The next batch of allocation housekeeping, read outside any transaction (ingest keeps the
   * writer): the oldest allocation rows, split into those of objects now in use and those unused
   * since before `cutoff` (none looked for without one). More follows at once only while a batch
   * finds something to do (young unused allocations at the head wait for their grace period).
   * Used ones are reported only when at least `minUsed` are (abandoned ones always).
   */
  async allocationWork(cutoff: Date | undefined, limit: number, minUsed = 1): Promise<AllocationWork> {
    const rows = await this.db.select(T.allocations, {
      columns: ['object_id', 'created'],
      orderBy: [{ column: 'created' }],
      limit,
    });
    const used = await this.usedAmong(rows.map((r) => reqStr(r, 'object_id')));
    const abandoned: string[] = [];
    for (const r of rows) {
      const id = reqStr(r, 'object_id');
      if (cutoff && !used.has(id) && (date(r, 'created')?.getTime() ?? 0) < cutoff.getTime())
        abandoned.push(id);
    }
    const tidied = used.size >= minUsed ? [...used] : [];
    const more = rows.length === limit && (tidied.length > 0 || abandoned.length > 0);
    return { used: tidied, abandoned, more };
  }

  /**
   * Housekeeping of the allocations table (call in a transaction): drops the rows of objects now
   * in use (with any allocations_used rows of theirs), and releases the `abandoned` ones still
   * unused (checked again here: a registration may have used one since it was chosen), their
   * bytes queued for deletion.
   */
  async tidyAllocations(used: readonly string[], abandoned: readonly string[], now: Date): Promise<void> {
    if (used.length > 0) {
      await this.db.delete(T.allocations, and(col('object_id').in(used)));
      if (this.mayHaveRecordedUses()) {
        await this.db.delete(T.allocationsUsed, and(col('object_id').in(used)));
      }
    }
    const stillUnused = await this.unused(abandoned);
    await this.release([...stillUnused], now);
  }

  /**
   * Adds segment references. Objects in `unreferenced` are known to have no references yet, so
   * their counts are inserted without looking for existing rows: the common case of ingest.
   */
  async addRefs(refs: readonly NewRefs[], unreferenced: ReadonlySet<string>): Promise<void> {
    const fresh: Row[] = [];
    const maybe = new Map<string, NewRefs>();
    for (const r of refs) {
      if (unreferenced.has(r.objectId))
        fresh.push(refRow(r.objectId, r.flowId, r.segments, r.first === true));
      else maybe.set(refKey(r.objectId, r.flowId), r);
    }
    if (maybe.size > 0) {
      const existing = await this.refCounts([...maybe.keys()]);
      const changes: Row[] = [];
      for (const [key, r] of maybe) {
        const current = existing.get(key);
        if (current === undefined) fresh.push(refRow(r.objectId, r.flowId, r.segments, false));
        else changes.push({ ref_key: key, segments: BigInt(current + r.segments) });
      }
      if (changes.length > 0) await this.db.updateEach(T.objectRefs, 'ref_key', changes);
    }
    if (fresh.length > 0) await this.db.insert(T.objectRefs, fresh);
  }

  /**
   * Removes segment references; returns the objects no segment of any Flow references any more,
   * whose rows are deleted and whose bytes are queued for deletion.
   */
  async dropRefs(flowId: string, counts: ReadonlyMap<string, number>, now: Date): Promise<string[]> {
    if (counts.size === 0) return [];
    const existing = await this.refCounts([...counts.keys()].map((id) => refKey(id, flowId)));
    const gone: string[] = [];
    const changes: Row[] = [];
    for (const [objectId, n] of counts) {
      const key = refKey(objectId, flowId);
      const remaining = (existing.get(key) ?? 0) - n;
      if (remaining > 0) changes.push({ ref_key: key, segments: BigInt(remaining) });
      else gone.push(objectId);
    }
    if (changes.length > 0) await this.db.updateEach(T.objectRefs, 'ref_key', changes);
    if (gone.length === 0) return [];
    await this.db.delete(T.objectRefs, and(col('ref_key').in(gone.map((id) => refKey(id, flowId)))));
    const stillUsed = await this.db.select(T.objectRefs, {
      where: and(col('object_id').in(gone)),
      columns: ['object_id'],
    });
    const used = new Set(stillUsed.map((r) => reqStr(r, 'object_id')));
    const orphans = gone.filter((id) => !used.has(id));
    await this.release(orphans, now);
    return orphans;
  }

  /** Deletes objects (and unused allocations) and queues the bytes held in a backend for deletion. */
  async release(ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    const objects = await this.getMany(ids);
    const queued: Row[] = [];
    for (const o of objects.values()) {
      if (o.storage_id === undefined || o.storage_path === undefined) continue;
      queued.push(gcRow(o.storage_id, o.storage_path, o.id, o.created, now));
    }
    await this.db.delete(T.objects, and(col('id').in(ids)));
    await this.db.delete(T.allocations, and(col('object_id').in(ids)));
    if (this.mayHaveRecordedUses()) {
      await this.db.delete(T.allocationsUsed, and(col('object_id').in(ids)));
    }
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

  /**
   * The Flow that first registered a segment using the object, while it still does (the spec
   * allows `first_referenced_by_flow` to become unset once that Flow stops using it).
   */
  async firstReferencingFlow(objectId: string): Promise<string | undefined> {
    const [row] = await this.db.select(T.objectRefs, {
      where: and(col('object_id').eq(objectId), col('first').eq(true)),
      columns: ['flow_id'],
      limit: 1,
    });
    return row ? reqStr(row, 'flow_id') : undefined;
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

  /** Rows of the allocations table (unused allocations, and used ones not yet tidied away). */
  async allocationRows(): Promise<number> {
    return this.db.count(T.allocations);
  }

  private async refCounts(keys: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db.select(T.objectRefs, {
      where: and(col('ref_key').in(keys)),
      columns: ['ref_key', 'segments'],
    });
    return new Map(rows.map((r) => [reqStr(r, 'ref_key'), num(r, 'segments') ?? 0]));
  }
}

function refRow(objectId: string, flowId: string, segments: number, first: boolean): Row {
  return {
    ref_key: refKey(objectId, flowId),
    object_id: objectId,
    flow_id: flowId,
    segments: BigInt(segments),
    first,
  };
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

function fromRow(row: Row, registered: boolean): ObjectRecord {
  const record: ObjectRecord = {
    id: reqStr(row, 'id'),
    created: date(row, 'created') ?? new Date(0),
    registered,
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
