import type { MediaRegistry } from '../media/media.registry.ts';
import type { InstanceRecord } from '../store/objects/instances.types.ts';
import type { ObjectRecord } from '../store/objects.repo.ts';
import type { StoreTx } from '../store/store.ts';

/** Flows read per page of an object's references while its segments move. */
const FLOWS_PER_READ = 500;

/** A ready copy of an object: where it can move to. */
export interface ReadyCopy {
  instance: InstanceRecord;
  to: { id: string; path: string };
}

/**
 * The copy that takes the object's place when the instance on its own backend is deleted (TAMS
 * 8.2's "move to archive", ADR 0038 and AppNote 0018): the first ready copy, in `get_urls` order,
 * on a storage backend this server has. A copy still being made (or failed) is no location yet,
 * and a client's URL is none the server can sign, copy from or export: undefined then.
 */
export function promotable(
  instances: readonly InstanceRecord[],
  media: MediaRegistry,
): ReadyCopy | undefined {
  for (const i of instances) {
    if (!i.controlled || i.state !== 'ready' || i.storage_id === undefined || i.storage_path === undefined)
      continue;
    if (media.get(i.storage_id)) return { instance: i, to: { id: i.storage_id, path: i.storage_path } };
  }
  return undefined;
}

/**
 * Makes the copy the object's own location, in the caller's transaction (which holds the
 * object's instances guard): the object's row and every segment of every Flow using it point at
 * the copy, the copy's instance row goes, and the bytes it was uploaded to are queued for
 * deletion. Segments carry their object's location (pages need no object lookup), so they move
 * with it, in the same transaction: no page ever sees the object without one.
 */
export async function promote(tx: StoreTx, object: ObjectRecord, copy: ReadyCopy, now: Date): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const found = await tx.objects.referencingFlows(object.id, after, FLOWS_PER_READ);
    const flows = found.slice(0, FLOWS_PER_READ);
    for (const flowId of flows) await tx.segments.relocate(flowId, object.id, copy.to);
    if (found.length <= FLOWS_PER_READ) break;
    after = flows.at(-1);
  }
  await tx.objects.relocate(object.id, copy.to);
  await tx.instances.remove(object.id, [copy.instance]);
  if (object.storage_id !== undefined && object.storage_path !== undefined) {
    await tx.mediaGc.queue(
      [
        {
          storage_id: object.storage_id,
          storage_path: object.storage_path,
          object_id: object.id,
          // The allocation's time: PUT URLs issued then may still land, and the key is deleted
          // again once they have expired (media.gc.ts), as when an object goes.
          allocated: object.created,
        },
      ],
      now,
    );
  }
}
