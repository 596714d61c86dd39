import type { MediaRegistry } from '../media/media.registry.ts';
import { failureReason, isPassing } from '../store/followers/follower.failures.ts';
import { catalogue, failureRecord } from './exr.catalog.ts';
import type { FileIdentity } from './exr.identity.ts';
import { parseUpload, type ReadOutcome, readObjectHeader } from './exr.read.ts';
import type { ExrFileRecord, ExrInspection, FrameSource } from './store/exr.records.ts';

/** A media object to inspect: where its bytes are (none: outside the store's backends). */
export interface ObjectToRead {
  objectId: string;
  storage?: { id: string; path: string };
  frame?: { number: number; source: FrameSource };
}

/** An inspection's rows: the file with everything under it, or the failure. */
export type Inspected = { ok: true; inspection: ExrInspection } | { ok: false; failure: ExrFileRecord };

/** Reads an object's header through its backend's ranged reads and makes its rows. */
export async function inspectObject(
  media: MediaRegistry,
  target: ObjectToRead,
  now: string,
): Promise<Inspected> {
  const { storage } = target;
  const backend = storage && media.get(storage.id);
  const outcome: ReadOutcome =
    backend === undefined || storage === undefined
      ? { ok: false, code: 'NO_STORAGE', message: "the object is outside this store's storage backends" }
      : await readObjectHeader(backend, storage.path);
  return rows(outcome, objectIdentity(target), now, target.frame);
}

/**
 * inspectObject for the follower and the backfill, where one object must not stop the others. A
 * read that throws (rather than finding the bytes missing or not OpenEXR, which are outcomes) is
 * the backend's fault while the backend fails its own check (MediaStore.check, as /ready asks):
 * thrown, so the batch is tried again once it answers. While it passes, the object is read once
 * more (a fault that passes), and failing again the failure is the object's own: INSPECT_ERROR,
 * with the reason (store/followers/follower.failures.ts).
 */
export async function inspectAlone(
  media: MediaRegistry,
  target: ObjectToRead,
  now: string,
): Promise<Inspected> {
  try {
    return await inspectObject(media, target, now);
  } catch (error) {
    if (isPassing(error)) throw error;
    const backend = target.storage && media.get(target.storage.id);
    if (backend !== undefined) {
      await backend.check().catch(() => {
        throw error;
      });
    }
  }
  try {
    return await inspectObject(media, target, now);
  } catch (error) {
    if (isPassing(error)) throw error;
    return objectFailure(target, now, 'INSPECT_ERROR', failureReason(error));
  }
}

/**
 * The failure of an object that could not be inspected for a reason of its own (`code`:
 * INSPECT_ERROR, NOT_RECORDED), as inspectObject records a missing or unreadable one.
 */
export function objectFailure(target: ObjectToRead, now: string, code: string, message: string): Inspected {
  return rows({ ok: false, code, message }, objectIdentity(target), now, target.frame);
}

function objectIdentity({ objectId, storage }: ObjectToRead): FileIdentity {
  return {
    kind: 'object',
    objectId,
    path: storage?.path ?? objectId,
    ...(storage !== undefined && { storageId: storage.id }),
  };
}

/** Inspects posted bytes, named by `path`. */
export function inspectBytes(
  bytes: Uint8Array,
  options: { path: string; size?: number; now: string; frame?: ObjectToRead['frame'] },
): Inspected {
  return rows(
    parseUpload(bytes, options.size),
    { kind: 'path', path: options.path },
    options.now,
    options.frame,
  );
}

function rows(
  outcome: ReadOutcome,
  identity: FileIdentity,
  now: string,
  frame: ObjectToRead['frame'],
): Inspected {
  const context = {
    identity,
    now,
    ...(outcome.size !== undefined && { size: outcome.size }),
    ...(outcome.mtime !== undefined && { mtime: outcome.mtime }),
    ...(frame !== undefined && { frame }),
  };
  if (!outcome.ok) return { ok: false, failure: failureRecord(context, outcome) };
  return { ok: true, inspection: catalogue(outcome.header, { ...context, headerHash: outcome.headerHash }) };
}
