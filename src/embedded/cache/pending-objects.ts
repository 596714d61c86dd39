import { defaultObjectPath } from '../../common/object-ids.ts';
import type { ObjectRecord } from '../../store/objects.repo.ts';

/**
 * An allocated, not yet registered object as the cache holds it. A store under ingest keeps
 * hundreds of thousands of these (every client allocates ahead of its uploads), so the record is
 * small: the backend and Flow strings are shared, the default key (<flow>/<object>) is left out
 * and the time is a number. ~150 bytes an entry with its key, against ~470 for an ObjectRecord
 * whose strings each came from their own row or request.
 */
export interface PendingObject {
  readonly storage_id: string | undefined;
  readonly allocated_for: string | undefined;
  /** The key: undefined for the default one, null for none. */
  readonly path: string | null | undefined;
  readonly createdMs: number;
}

/** Storage ids seen, so records share one string each; a store has a handful of backends. */
const storageIds = new Map<string, string>();
const MAX_STORAGE_IDS = 256;

function sharedStorageId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const known = storageIds.get(id);
  if (known !== undefined) return known;
  if (storageIds.size < MAX_STORAGE_IDS) storageIds.set(id, id);
  return id;
}

/**
 * `flowId` gives the Flow id string to share (the cached Flow's own), when the Flow is known.
 */
export function packPending(object: ObjectRecord, flowId: (id: string) => string | undefined): PendingObject {
  const flow = object.allocated_for;
  const path = object.storage_path;
  const isDefault = flow !== undefined && path === defaultObjectPath(flow, object.id);
  return {
    storage_id: sharedStorageId(object.storage_id),
    allocated_for: flow === undefined ? undefined : (flowId(flow) ?? flow),
    path: isDefault ? undefined : (path ?? null),
    createdMs: object.created.getTime(),
  };
}

export function unpackPending(id: string, pending: PendingObject): ObjectRecord {
  const record: ObjectRecord = { id, created: new Date(pending.createdMs), registered: false };
  if (pending.storage_id !== undefined) record.storage_id = pending.storage_id;
  if (pending.allocated_for !== undefined) record.allocated_for = pending.allocated_for;
  const path =
    pending.path === undefined && pending.allocated_for !== undefined
      ? defaultObjectPath(pending.allocated_for, id)
      : pending.path;
  if (typeof path === 'string') record.storage_path = path;
  return record;
}
