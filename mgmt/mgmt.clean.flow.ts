import { systemClock } from '../src/common/clock.ts';
import { deleteSegments } from '../src/deletion/deletion.service.ts';
import type { Runtime } from '../src/deps.ts';
import type { FlowCleanPlan } from '../src/store/maintenance.repo.ts';
import { TimeRange } from '../src/time/index.ts';
import { type MgmtIo, Progress } from './mgmt.io.ts';

/** Who the changes are recorded as (updated_by, event actors). */
const ACTOR = 'tams-mgmt';
/**
 * Segments deleted per transaction: large, since each chunk scans the big tables a few times
 * (the server is stopped: no writer waits meanwhile).
 */
const CHUNK = 50_000;

/** The plan as the operator reads it before confirming. */
export function describeFlowPlan(plan: FlowCleanPlan): string {
  const lines = [
    `Flow ${plan.flowId} (${plan.state}${plan.readOnly ? ', read-only' : ''}):`,
    `  segments:                ${plan.segments}`,
    `  object references:       ${plan.references}`,
    `  objects released:        ${plan.objectsReleased.length} (bytes queued for deletion: ${plan.bytesQueued})`,
    `  tags:                    ${plan.tags}`,
    `  collection entries:      ${plan.collectionRows}`,
    `  Flow row:                1`,
    `  Source:                  ${plan.sourceRemoved ? 'removed (its last Flow)' : 'kept (other Flows use it)'}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Removes the Flow the way the API would, whatever its size: segments in chunks (references
 * dropped, objects no longer referenced released with their bytes queued), then the Flow itself
 * through the Flows service (tags, collections, its Source if it was the last Flow, events).
 * A read-only Flow is made writable first; a Flow already being deleted is finished here.
 */
export async function cleanFlow(runtime: Runtime, plan: FlowCleanPlan, io: MgmtIo): Promise<void> {
  const { store } = runtime;
  const clock = systemClock;
  const { flowId } = plan;
  if (plan.state === 'live' && plan.readOnly) {
    const writable = (f: { read_only?: boolean }) => {
      f.read_only = false;
    };
    await runtime.flows.update(flowId, ACTOR, writable, { allowReadOnly: true });
  }
  const progress = new Progress(io, 'segments deleted', plan.segments);
  for (;;) {
    const deleted = await store.transaction((tx) =>
      deleteSegments(tx, flowId, TimeRange.ETERNITY, undefined, CHUNK, clock.now()),
    );
    progress.add(deleted.length);
    if (deleted.length < CHUNK) break;
  }
  progress.finish();
  if (plan.state === 'live') await runtime.flows.delete(flowId, ACTOR);
  else await runtime.deletion.finishFlow(flowId);
  // Allocations for the Flow never used: released now rather than after the grace period.
  const left = await runtime.maintenance.allocatedFor(flowId);
  const unused = plan.objectsReleased.filter((id) => left.has(id));
  if (unused.length > 0) await store.transaction((tx) => tx.objects.release(unused, clock.now()));
}
