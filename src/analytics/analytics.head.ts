import type { MediaRegistry } from '../media/media.registry.ts';
import type { MediaStore } from '../media/media.types.ts';
import type { ObjectSize } from '../store/analytics/sizes.repo.ts';

/** HEADs in flight at once per batch: the media backends' connections are shared with the API. */
const PARALLEL_HEADS = 8;

/** An object to size, with what its size row records about where it was counted. */
export interface ObjectToSize {
  objectId: string;
  storageId: string;
  path: string;
  flowId?: string;
  segStart?: bigint;
  registered?: Date;
}

/**
 * Asks each object's backend for its size (HEAD: no bytes read; a backend that can tell sizes for
 * less is asked for all of its objects at once, MediaStore.sizes). An object missing from its
 * backend is recorded with a null size (reports count it unsized); an object of a backend this
 * server no longer has is left out (nothing can say its size). A backend that fails (unreachable)
 * fails the batch, which is tried again later from the same place.
 */
export async function headSizes(
  media: MediaRegistry,
  objects: readonly ObjectToSize[],
  now: () => Date,
): Promise<ObjectSize[]> {
  const sized: (ObjectSize | undefined)[] = new Array(objects.length);
  const row = (o: ObjectToSize, size: bigint | null): ObjectSize => ({
    objectId: o.objectId,
    size,
    checked: now(),
    storageId: o.storageId,
    ...(o.flowId !== undefined && { flowId: o.flowId }),
    ...(o.segStart !== undefined && { segStart: o.segStart }),
    ...(o.registered !== undefined && { registered: o.registered }),
  });
  /** The objects of each backend that tells sizes at once. */
  const batched = new Map<MediaStore, number[]>();
  const oneByOne: number[] = [];
  objects.forEach((o, i) => {
    const backend = media.get(o.storageId);
    if (backend === undefined) return;
    if (backend.sizes === undefined) oneByOne.push(i);
    else {
      const indexes = batched.get(backend);
      if (indexes) indexes.push(i);
      else batched.set(backend, [i]);
    }
  });
  for (const [backend, indexes] of batched) {
    const sizes = (await backend.sizes?.(indexes.map((i) => (objects[i] as ObjectToSize).path))) ?? [];
    indexes.forEach((i, k) => {
      sized[i] = row(objects[i] as ObjectToSize, sizes[k] ?? null);
    });
  }
  for (let at = 0; at < oneByOne.length; at += PARALLEL_HEADS) {
    await Promise.all(
      oneByOne.slice(at, at + PARALLEL_HEADS).map(async (i) => {
        const o = objects[i] as ObjectToSize;
        const info = await (media.get(o.storageId) as MediaStore).head(o.path);
        sized[i] = row(o, info === null ? null : BigInt(info.size));
      }),
    );
  }
  return sized.filter((s) => s !== undefined);
}
