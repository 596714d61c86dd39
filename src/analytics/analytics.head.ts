import type { MediaRegistry } from '../media/media.registry.ts';
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
 * Asks each object's backend for its size (HEAD: no bytes read). An object missing from its
 * backend is recorded with a null size (reports count it unsized); an object of a backend this
 * server no longer has is left out (nothing can say its size). A backend that fails (unreachable)
 * fails the batch, which is tried again later from the same place.
 */
export async function headSizes(
  media: MediaRegistry,
  objects: readonly ObjectToSize[],
  now: () => Date,
): Promise<ObjectSize[]> {
  const out: ObjectSize[] = [];
  for (let i = 0; i < objects.length; i += PARALLEL_HEADS) {
    const slice = objects.slice(i, i + PARALLEL_HEADS);
    const sized = await Promise.all(
      slice.map(async (o): Promise<ObjectSize | undefined> => {
        const backend = media.get(o.storageId);
        if (backend === undefined) return undefined;
        const size = backend.size
          ? await backend.size(o.path)
          : await backend.head(o.path).then((info) => (info === null ? null : BigInt(info.size)));
        return {
          objectId: o.objectId,
          size,
          checked: now(),
          storageId: o.storageId,
          ...(o.flowId !== undefined && { flowId: o.flowId }),
          ...(o.segStart !== undefined && { segStart: o.segStart }),
          ...(o.registered !== undefined && { registered: o.registered }),
        };
      }),
    );
    for (const s of sized) if (s !== undefined) out.push(s);
  }
  return out;
}
