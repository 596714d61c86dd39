import type { DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { date, num, reqStr } from './rows.ts';
import { T } from './tables.ts';

/** A row of the byte-deletion queue (media_gc). */
export interface GcEntry {
  storage_id: string;
  storage_path: string;
  object_id: string;
  attempts: number;
  queued: Date;
  /** When the object was allocated; unknown in rows queued by earlier versions. */
  allocated?: Date;
  /** Whether the bytes were deleted once already (the row waits for PUT URLs to expire). */
  deleted: boolean;
}

/** An object whose bytes are to go: where they are, and when it was allocated. */
export interface QueuedObject {
  storage_id: string;
  storage_path: string;
  object_id: string;
  allocated: Date;
}

/** The queue row of an object's bytes, written where the object goes (ObjectsRepo.release). */
export function gcRow(storageId: string, path: string, objectId: string, allocated: Date, now: Date): Row {
  return {
    storage_id: storageId,
    storage_path: path,
    object_id: objectId,
    queued: now,
    attempts: 0,
    next_attempt: now,
    last_error: null,
    allocated,
    deleted: null,
  };
}

function gcKey(entry: GcEntry) {
  return and(col('storage_id').eq(entry.storage_id), col('storage_path').eq(entry.storage_path));
}

/**
 * The byte-deletion queue the media GC worker (media.gc.ts) works through: bytes of objects that
 * are gone, deleted with retries, and deleted again once every PUT URL issued for them expired.
 */
export class MediaGcRepo {
  constructor(private readonly db: DbSession) {}

  /** Entries that are due. */
  async due(now: Date, limit: number): Promise<GcEntry[]> {
    const rows = await this.db.select(T.mediaGc, {
      where: and(col('next_attempt').le(now)),
      orderBy: [{ column: 'next_attempt' }],
      limit,
    });
    return rows.map((r) => {
      const entry: GcEntry = {
        storage_id: reqStr(r, 'storage_id'),
        storage_path: reqStr(r, 'storage_path'),
        object_id: reqStr(r, 'object_id'),
        attempts: num(r, 'attempts') ?? 0,
        queued: date(r, 'queued') ?? new Date(0),
        deleted: date(r, 'deleted') !== undefined,
      };
      const allocated = date(r, 'allocated');
      if (allocated !== undefined) entry.allocated = allocated;
      return entry;
    });
  }

  async done(entry: GcEntry): Promise<void> {
    await this.db.delete(T.mediaGc, gcKey(entry));
  }

  /** The bytes were deleted; the key is to be deleted again at `again`. */
  async deletedOnce(entry: GcEntry, now: Date, again: Date): Promise<void> {
    await this.db.update(T.mediaGc, gcKey(entry), {
      deleted: now,
      attempts: 0,
      last_error: null,
      next_attempt: again,
    });
  }

  async failed(entry: GcEntry, error: string, nextAttempt: Date): Promise<void> {
    await this.db.update(T.mediaGc, gcKey(entry), {
      attempts: entry.attempts + 1,
      last_error: error,
      next_attempt: nextAttempt,
    });
  }

  /** Queues the bytes of objects that are gone (their rows deleted in the same transaction). */
  async queue(objects: readonly QueuedObject[], now: Date): Promise<void> {
    if (objects.length === 0) return;
    await this.db.insert(
      T.mediaGc,
      objects.map((o) => gcRow(o.storage_id, o.storage_path, o.object_id, o.allocated, now)),
    );
  }

  /** Storage paths of backend `storageId` queued for deletion. */
  async queuedPaths(storageId: string): Promise<Set<string>> {
    const rows = await this.db.select(T.mediaGc, {
      where: and(col('storage_id').eq(storageId)),
      columns: ['storage_path'],
    });
    return new Set(rows.map((r) => reqStr(r, 'storage_path')));
  }

  /** Objects whose bytes are still to be deleted (rows waiting to delete them again not counted). */
  async backlog(): Promise<number> {
    return this.db.count(T.mediaGc, and(col('deleted').isNull()));
  }
}
