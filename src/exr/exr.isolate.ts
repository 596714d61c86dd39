import { dryRun, failureReason, isPassing } from '../store/follower.failures.ts';
import type { TamsStore } from '../store/store.ts';
import { applyChange } from './exr.apply.ts';
import { type Inspected, objectFailure } from './exr.inspect.ts';
import type { FramePlan } from './exr.plan.ts';
import { recordInspectedAll } from './exr.record.ts';

/** What is left of a batch once the parts the store refuses on their own are taken out. */
export interface Isolated {
  /** The inspections to record: those refused replaced by their NOT_RECORDED failure. */
  read: Inspected[];
  /** Inspections not recorded at all (even their failure was refused): logged and counted only. */
  dropped: Inspected[];
}

/**
 * After the store refused a batch of the EXR follower for a reason that does not pass (`error`),
 * finds the parts it refuses on their own, each tried alone in a transaction rolled back
 * (store/follower.failures.ts): an inspection refused is recorded as the object's failure
 * (NOT_RECORDED, with the store's reason), a frame change refused is taken out of the plan and
 * its event skipped. When even `bare` (the batch's state without any of them) is refused, no part
 * is to blame: `error` is thrown and the batch is tried again later.
 */
export async function isolateRefused(
  store: TamsStore,
  plan: FramePlan,
  read: readonly Inspected[],
  context: { error: unknown; now: Date; bare: (tx: TamsStore) => Promise<void> },
): Promise<Isolated> {
  const refusedBare = await dryRun(store, context.bare);
  if (refusedBare !== undefined) throw context.error;
  const alone = async (work: (tx: TamsStore) => Promise<unknown>): Promise<unknown> => {
    const refused = await dryRun(store, async (tx) => {
      await work(tx);
    });
    if (refused !== undefined && isPassing(refused)) throw refused;
    return refused;
  };
  const out: Isolated = { read: [], dropped: [] };
  const at = context.now.toISOString();
  for (const r of read) {
    const refused = await alone((tx) => recordInspectedAll(tx, [r]));
    if (refused === undefined) {
      out.read.push(r);
      continue;
    }
    const file = r.ok ? r.inspection.file : r.failure;
    const target = file.object_id === undefined ? undefined : plan.objects.get(file.object_id);
    const failure =
      target === undefined
        ? undefined
        : objectFailure(
            target,
            at,
            'NOT_RECORDED',
            `the store refused the file's rows: ${failureReason(refused)}`,
          );
    if (failure !== undefined && (await alone((tx) => recordInspectedAll(tx, [failure]))) === undefined) {
      out.read.push(failure);
    } else out.dropped.push(r);
  }
  const changes = [...plan.changes];
  plan.changes.length = 0;
  for (const change of changes) {
    const refused = await alone((tx) => applyChange(tx, change, context.now));
    if (refused === undefined) plan.changes.push(change);
    else if (change.event !== undefined)
      plan.skipped.push({ ...change.event, reason: failureReason(refused) });
  }
  return out;
}
