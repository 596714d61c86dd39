import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock.ts';
import { BadRequestError } from '../common/errors.ts';
import { checkObjectId, defaultObjectPath, newObjectId } from '../common/object-ids.ts';
import { requireContainer, requireWritableFlow, usesInitSegments } from '../flows/flows.guards.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { PutRequest, UrlContext } from '../media/media.types.ts';
import type { ObjectRecord } from '../store/objects.repo.ts';
import type { StoreSession, TamsStore } from '../store/store.ts';

export interface StorageSettings {
  defaultLimit: number;
  maxLimit: number;
}

/** A /storage request of either version (7.0 has neither `content_type` nor `presigned`). */
export interface StorageRequest {
  limit?: number;
  object_ids?: string[];
  storage_id?: string;
  /** 8.2: the type of initialisation segments (ADR 0045); the Flow's `container` when unset. */
  content_type?: string;
  /** 8.2: presigned PUT URLs (the default), or not (ADR 0054). */
  presigned?: boolean;
}

/** One allocated object and where to upload it; each version's routes answer it their way. */
export interface AllocatedObject {
  object_id: string;
  put_url: PutRequest;
  presigned: boolean;
}

/**
 * POST /flows/{id}/storage (DIGEST §7): new object ids (time-ordered, see newObjectId; ADR 0011)
 * or the client's own (ADR 0034), each with a storage path decided now and kept with the object,
 * and a PUT URL made from it: presigned, or (8.2 `presigned: false`) the backend's URL without a
 * signature, for which clients bring their own credentials (MediaStore.directPutUrl). Nothing
 * that expires is stored.
 */
export class StorageService {
  constructor(
    private readonly deps: {
      store: TamsStore;
      clock: Clock;
      media: MediaRegistry;
      settings: StorageSettings;
    },
  ) {}

  async allocate(flowId: string, request: StorageRequest, ctx: UrlContext): Promise<AllocatedObject[]> {
    return this.deps.store.transaction(async (store) => {
      const flow = await requireWritableFlow(store, flowId);
      const container = requireContainer(flow);
      if (request.content_type !== undefined && !usesInitSegments(flow)) {
        throw new BadRequestError(
          `content_type is only for the initialisation segments of a Flow whose essence_parameters.init_segments is true (Flow ${flowId}'s is not): leave it out to allocate objects of its container ${container}`,
        );
      }
      const contentType = request.content_type ?? container;
      const presigned = request.presigned ?? true;
      const backend = this.deps.media.resolve(request.storage_id);
      const generated = request.object_ids === undefined;
      const ids = await this.objectIds(store, request);
      const objects = await this.insertObjects(store, flowId, backend.descriptor.id, ids, generated);
      const putUrl = presigned ? backend.presignPut.bind(backend) : backend.directPutUrl.bind(backend);
      return objects.map((o) => ({
        object_id: o.id,
        put_url: putUrl(o.storage_path as string, contentType, ctx, o.id),
        presigned,
      }));
    });
  }

  /**
   * Objects the server itself allocates on `flowId`, to write their bytes itself (the recorder):
   * their ids and storage paths on the backend `storageId` (default: the default backend).
   */
  async allocatePaths(
    flowId: string,
    count: number,
    storageId?: string,
  ): Promise<{ objectId: string; storageId: string; path: string }[]> {
    return this.deps.store.transaction(async (store) => {
      await requireWritableFlow(store, flowId);
      const backend = this.deps.media.resolve(storageId);
      const ids = Array.from({ length: count }, () => newObjectId());
      const objects = await this.insertObjects(store, flowId, backend.descriptor.id, ids, true);
      return objects.map((o) => ({
        objectId: o.id,
        storageId: o.storage_id as string,
        path: o.storage_path as string,
      }));
    });
  }

  /**
   * Objects of given ids the server itself writes on `flowId` (a replication's copies keep the
   * origin's ids): those this store holds already are left as they are and answered with where
   * they are; the others are allocated on `storageId` (default: the default backend).
   */
  async allocateIds(
    flowId: string,
    ids: readonly string[],
    storageId?: string,
  ): Promise<{ objectId: string; storageId?: string; path?: string; registered: boolean }[]> {
    return this.deps.store.transaction(async (store) => {
      await requireWritableFlow(store, flowId);
      const backend = this.deps.media.resolve(storageId);
      for (const id of ids) checkObjectId(id, 'object id');
      await store.guards.claim(ids.map((id) => `object:${id}`));
      const existing = await store.objects.getMany(ids);
      const fresh = ids.filter((id) => !existing.has(id));
      const made = await this.insertObjects(store, flowId, backend.descriptor.id, fresh, false);
      // An object registered with clients' URLs alone has no storage here.
      return [...existing.values(), ...made].map((o) => ({
        objectId: o.id,
        ...(o.storage_id !== undefined && { storageId: o.storage_id }),
        ...(o.storage_path !== undefined && { path: o.storage_path }),
        registered: o.registered === true,
      }));
    });
  }

  private async insertObjects(
    store: StoreSession,
    flowId: string,
    storageId: string,
    ids: readonly string[],
    generated: boolean,
  ): Promise<ObjectRecord[]> {
    const now = this.deps.clock.now();
    const objects: ObjectRecord[] = ids.map((id) => ({
      id,
      storage_id: storageId,
      // Keys are ours, grouped by the Flow they were allocated for: the object id itself when we
      // generated it (a UUID; the segment index stores such keys in 16 bytes), a fresh UUID for
      // ids clients chose, which could hold anything.
      storage_path: defaultObjectPath(flowId, generated ? id : randomUUID()),
      allocated_for: flowId,
      created: now,
      registered: false,
    }));
    await store.objects.insertMany(objects);
    return objects;
  }

  /**
   * Whether an object of backend `storageId` still has `path` as its storage path, and can still
   * be used: the fs media routes refuse a PUT whose allocation is gone. An allocation not used
   * yet whose Flow is gone counts as gone: only that Flow could have registered it.
   *
   * `objectId` is the object the PUT URL names: a lookup by id (in memory for allocations not
   * used yet). URLs made before they named one are looked up by the path's last part (the object
   * id, for ids the store generated), and failing that by path: a scan of the objects table, left
   * for such URLs only, which all expire within TAMS_PRESIGN_EXPIRY_SECONDS of the upgrade.
   */
  async holdsPath(storageId: string, path: string, objectId: string | undefined): Promise<boolean> {
    const { objects, flows } = this.deps.store;
    let id = objectId ?? path.slice(path.lastIndexOf('/') + 1);
    let object = await objects.location(id);
    if (object?.storage_id !== storageId || object.storage_path !== path) {
      const found = objectId === undefined ? await objects.idAtPath(storageId, path) : undefined;
      if (found === undefined) return false;
      id = found;
      object = await objects.location(id);
    }
    const flowId = object?.allocated_for;
    if (flowId === undefined || (await flows.existing([flowId])).size > 0) return true;
    return (await objects.usedAmong([id])).size > 0;
  }

  private async objectIds(store: StoreSession, request: StorageRequest): Promise<string[]> {
    const { defaultLimit, maxLimit } = this.deps.settings;
    if (request.object_ids === undefined) {
      const limit = request.limit ?? defaultLimit;
      if (limit < 1) throw new BadRequestError('limit must be at least 1');
      return Array.from({ length: Math.min(limit, maxLimit) }, () => newObjectId());
    }
    const ids = request.object_ids;
    if (ids.length === 0) throw new BadRequestError('object_ids is empty');
    if (ids.length > maxLimit) throw new BadRequestError(`at most ${maxLimit} object_ids per request`);
    if (ids.some((id) => id === '')) throw new BadRequestError('object_ids must not be empty strings');
    for (const id of ids) checkObjectId(id, 'object_ids: the id');
    if (new Set(ids).size !== ids.length) throw new BadRequestError('object_ids contains duplicates');
    // Claimed before the check: of two replicas allocating one id at once, one commits and the
    // other, run again, finds the id taken.
    await store.guards.claim(ids.map((id) => `object:${id}`));
    const existing = await store.objects.getMany(ids);
    if (existing.size > 0) {
      throw new BadRequestError(`object_ids already exist in this store: ${[...existing.keys()].join(', ')}`);
    }
    return ids;
  }
}
