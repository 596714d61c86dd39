import type { MediaRegistry } from '../media/media.registry.ts';
import type { MediaStore } from '../media/media.types.ts';
import type { ObjectSize } from '../store/analytics/sizes.repo.ts';

/** HEADs in flight at once per batch: the media backends' connections are shared with the API. */
const PARALLEL_HEADS = 8;

/**
 * An object to size, with what its size row records about where it was counted. Without a
 * backend (an external object, known only by its client URLs) there is nothing to ask.
 */
export interface ObjectToSize {
  objectId: string;
  storageId?: string;
  path?: string;
  flowId?: string;
  segStart?: bigint;
  registered?: Date;
}

/**
 * Asks each object's backend for its size (HEAD: no bytes read; a backend that can tell sizes for
 * less is asked for all of its objects at once, MediaStore.sizes). Every object gets a row, so
 * that the reports attribute each to its Flow: a null size (unsized) for an object missing from
 * its backend, of a backend this server no longer has, or external (no backend). A backend that
 * fails (unreachable) fails the batch, which is tried again later from the same place.
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
    ...(o.storageId !== undefined && { storageId: o.storageId }),
    ...(o.flowId !== undefined && { flowId: o.flowId }),
    ...(o.segStart !== undefined && { segStart: o.segStart }),
    ...(o.registered !== undefined && { registered: o.registered }),
  });
  /** The objects to ask, by index: each backend that tells sizes at once, and the others. */
  const batched = new Map<MediaStore, { i: number; path: string }[]>();
  const oneByOne: { i: number; path: string; backend: MediaStore }[] = [];
  objects.forEach((o, i) => {
    const backend = o.storageId === undefined ? undefined : media.get(o.storageId);
    if (backend === undefined || o.path === undefined) sized[i] = row(o, null);
    else if (backend.sizes === undefined) oneByOne.push({ i, path: o.path, backend });
    else {
      const asked = batched.get(backend);
      if (asked) asked.push({ i, path: o.path });
      else batched.set(backend, [{ i, path: o.path }]);
    }
  });
  for (const [backend, asked] of batched) {
    const sizes = (await backend.sizes?.(asked.map((a) => a.path))) ?? [];
    asked.forEach(({ i }, k) => {
      sized[i] = row(objects[i] as ObjectToSize, sizes[k] ?? null);
    });
  }
  for (let at = 0; at < oneByOne.length; at += PARALLEL_HEADS) {
    await Promise.all(
      oneByOne.slice(at, at + PARALLEL_HEADS).map(async ({ i, path, backend }) => {
        const info = await backend.head(path);
        sized[i] = row(objects[i] as ObjectToSize, info === null ? null : BigInt(info.size));
      }),
    );
  }
  return sized.filter((s) => s !== undefined);
}
