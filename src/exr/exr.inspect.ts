import type { MediaRegistry } from '../media/media.registry.ts';
import type { ExrFileRecord, ExrInspection, FrameSource } from '../store/exr/exr.records.ts';
import { catalogue, failureRecord } from './exr.catalog.ts';
import type { FileIdentity } from './exr.identity.ts';
import { parseUpload, type ReadOutcome, readObjectHeader } from './exr.read.ts';

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
  const { objectId, storage } = target;
  const identity: FileIdentity = {
    kind: 'object',
    objectId,
    path: storage?.path ?? objectId,
    ...(storage !== undefined && { storageId: storage.id }),
  };
  const backend = storage && media.get(storage.id);
  const outcome: ReadOutcome =
    backend === undefined || storage === undefined
      ? { ok: false, code: 'NO_STORAGE', message: "the object is outside this store's storage backends" }
      : await readObjectHeader(backend, storage.path);
  return rows(outcome, identity, now, target.frame);
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
