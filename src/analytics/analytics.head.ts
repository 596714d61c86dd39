import type { MediaRegistry } from '../media/media.registry.ts';
import type { MediaStore } from '../media/media.types.ts';
import { failureReason, isPassing } from '../store/followers/follower.failures.ts';
import type { ObjectSize } from './store/sizes.repo.ts';

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
 * its backend, of a backend this server no longer has, or external (no backend).
 *
 * A backend that fails while it fails its own check (MediaStore.check, as /ready asks) is down:
 * that is thrown, and the batch is tried again later from the same place. While it passes, the
 * objects it failed on are asked once more one by one, and an object failing again fails on its
 * own (store/followers/follower.failures.ts): it is recorded with a null size and its `error`, so that one
 * object the backend refuses (permissions, an encryption key) does not hold up every later one.
 */
export async function headSizes(
  media: MediaRegistry,
  objects: readonly ObjectToSize[],
  now: () => Date,
): Promise<ObjectSize[]> {
  const sized: (ObjectSize | undefined)[] = new Array(objects.length);
  const row = (o: ObjectToSize, size: bigint | null, error?: string): ObjectSize => ({
    objectId: o.objectId,
    size,
    checked: now(),
    ...(o.storageId !== undefined && { storageId: o.storageId }),
    ...(o.flowId !== undefined && { flowId: o.flowId }),
    ...(o.segStart !== undefined && { segStart: o.segStart }),
    ...(o.registered !== undefined && { registered: o.registered }),
    ...(error !== undefined && { error }),
  });
  /** The objects of each backend, by index. */
  const byBackend = new Map<MediaStore, number[]>();
  objects.forEach((o, i) => {
    const backend = o.storageId === undefined ? undefined : media.get(o.storageId);
    if (backend === undefined || o.path === undefined) {
      sized[i] = row(o, null);
      return;
    }
    const indexes = byBackend.get(backend);
    if (indexes) indexes.push(i);
    else byBackend.set(backend, [i]);
  });
  for (const [backend, indexes] of byBackend) {
    // Each has a path: objects without one were given their row above.
    const paths = indexes.map((i) => (objects[i] as ObjectToSize).path as string);
    let failed: { at: number; error: unknown }[] = [];
    if (backend.sizes !== undefined) {
      try {
        const sizes = await backend.sizes(paths);
        indexes.forEach((i, k) => {
          sized[i] = row(objects[i] as ObjectToSize, sizes[k] ?? null);
        });
      } catch (error) {
        failed = indexes.map((at) => ({ at, error }));
      }
    } else failed = await headEach(backend, objects, indexes, sized, row);
    if (failed.length === 0) continue;
    if (isPassing(failed[0]?.error)) throw failed[0]?.error;
    await backend.check().catch(() => {
      throw failed[0]?.error;
    });
    // The backend answers: each object on its own, asked once more.
    const again = await headEach(
      backend,
      objects,
      failed.map((f) => f.at),
      sized,
      row,
    );
    for (const { at, error } of again) {
      if (isPassing(error)) throw error;
      sized[at] = row(objects[at] as ObjectToSize, null, failureReason(error));
    }
  }
  return sized.filter((s) => s !== undefined);
}

/** HEADs the objects at `indexes`, PARALLEL_HEADS at a time, filling `sized`; those that threw. */
async function headEach(
  backend: MediaStore,
  objects: readonly ObjectToSize[],
  indexes: readonly number[],
  sized: (ObjectSize | undefined)[],
  row: (o: ObjectToSize, size: bigint | null) => ObjectSize,
): Promise<{ at: number; error: unknown }[]> {
  const failed: { at: number; error: unknown }[] = [];
  for (let k = 0; k < indexes.length; k += PARALLEL_HEADS) {
    await Promise.all(
      indexes.slice(k, k + PARALLEL_HEADS).map(async (i) => {
        const o = objects[i] as ObjectToSize;
        try {
          const info = await backend.head(o.path as string);
          sized[i] = row(o, info === null ? null : BigInt(info.size));
        } catch (error) {
          failed.push({ at: i, error });
        }
      }),
    );
  }
  return failed;
}
