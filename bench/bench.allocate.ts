/**
 * Objects allocated for the POST runs, written through the store as storage allocation writes
 * them (pending until a segment uses them). Apart from the build, so that a kept data set gets
 * fresh ones without being built again: a run in place (bench.place.ts) registers new objects,
 * as a copied set's runs do, rather than reusing objects its previous runs registered (reuse
 * updates object_refs rows instead of inserting them, which would make a later run's POSTs
 * dearer than the first's).
 */
import { defaultObjectPath, newObjectId } from '../src/common/object-ids.ts';
import type { Runtime } from '../src/deps.ts';
import type { ObjectRecord } from '../src/store/objects.repo.ts';

/** Objects per transaction: one commit per few thousand rows, not one per Flow. */
const PER_TRANSACTION = 20_000;

export interface Allocations {
  /** Objects per Flow, for the single-segment POST run. */
  spare: Record<string, string[]>;
  /** Objects for the bulk Flow. */
  bulkObjects: string[];
}

/**
 * `counts.spare` objects for each Flow and `counts.bulk` for the bulk Flow, counting those of
 * `have` (allocated before and not used yet): only the difference is allocated.
 */
export async function allocateForRuns(
  runtime: Runtime,
  flows: { flowIds: readonly string[]; bulkFlow: string },
  counts: { spare: number; bulk: number },
  have: Allocations = { spare: {}, bulkObjects: [] },
): Promise<Allocations> {
  const { store } = runtime;
  const storageId = runtime.media.descriptors()[0]?.id as string;
  const now = new Date();
  const made = new Map<string, string[]>([
    ...flows.flowIds.map((id): [string, string[]] => [id, [...(have.spare[id] ?? [])]]),
    [flows.bulkFlow, [...have.bulkObjects]],
  ]);
  let pending: ObjectRecord[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    if (batch.length > 0) await store.transaction((tx) => tx.objects.insertMany(batch));
  };
  for (const [flowId, ids] of made) {
    const wanted = flowId === flows.bulkFlow ? counts.bulk : counts.spare;
    while (ids.length < wanted) {
      const id = newObjectId();
      ids.push(id);
      pending.push({
        id,
        storage_id: storageId,
        storage_path: defaultObjectPath(flowId, id),
        allocated_for: flowId,
        created: now,
        registered: false,
      });
      if (pending.length >= PER_TRANSACTION) await flush();
    }
  }
  await flush();
  const spare: Record<string, string[]> = {};
  for (const id of flows.flowIds) spare[id] = made.get(id) ?? [];
  return { spare, bulkObjects: made.get(flows.bulkFlow) ?? [] };
}
