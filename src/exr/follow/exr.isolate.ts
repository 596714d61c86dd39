import { dryRun, failureReason, refusedItems } from '../../store/followers/follower.failures.ts';
import type { StoreTx, TamsStore } from '../../store/store.ts';
import { type Inspected, objectFailure } from '../exr.inspect.ts';
import { applyChange } from './exr.apply.ts';
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
 * (store/followers/follower.failures.ts): an inspection refused is recorded as the object's failure
 * (NOT_RECORDED, with the store's reason), a frame change refused is taken out of the plan and
 * its event skipped. When even `bare` (the batch's state without any of them) is refused, no part
 * is to blame: `error` is thrown and the batch is tried again later.
 */
export async function isolateRefused(
  store: TamsStore,
  plan: FramePlan,
  read: readonly Inspected[],
  context: { error: unknown; now: Date; bare: (tx: StoreTx) => Promise<void> },
): Promise<Isolated> {
  const refusedBare = await dryRun(store, context.bare);
  if (refusedBare !== undefined) throw context.error;
  const out: Isolated = { read: [], dropped: [] };
  const at = context.now.toISOString();
  const refused = new Map(
    (await refusedItems(store, read, (tx, group) => recordInspectedAll(tx, group))).map((r) => [
      r.item,
      r.error,
    ]),
  );
  const failures: Inspected[] = [];
  for (const r of read) {
    const error = refused.get(r);
    if (error === undefined) {
      out.read.push(r);
      continue;
    }
    const file = r.ok ? r.inspection.file : r.failure;
    const target = file.object_id === undefined ? undefined : plan.objects.get(file.object_id);
    if (target === undefined) out.dropped.push(r);
    else {
      const reason = `the store refused the file's rows: ${failureReason(error)}`;
      failures.push(objectFailure(target, at, 'NOT_RECORDED', reason));
    }
  }
  // A failure row refused too (its path, say): the object is only logged and counted.
  const refusedFailures = new Set(
    (await refusedItems(store, failures, (tx, group) => recordInspectedAll(tx, group))).map((r) => r.item),
  );
  for (const f of failures) (refusedFailures.has(f) ? out.dropped : out.read).push(f);
  const changes = [...plan.changes];
  plan.changes.length = 0;
  const refusedChanges = new Map(
    (
      await refusedItems(store, changes, async (tx, group) => {
        for (const change of group) await applyChange(tx, change, context.now);
      })
    ).map((r) => [r.item, r.error]),
  );
  for (const change of changes) {
    const error = refusedChanges.get(change);
    if (error === undefined) plan.changes.push(change);
    else if (change.event !== undefined) plan.skipped.push({ ...change.event, reason: failureReason(error) });
  }
  return out;
}
