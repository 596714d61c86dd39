import type { StoreTx } from '../../store/store.ts';
import { parseTimeRange } from '../../time/index.ts';
import type { ExrFileRecord } from '../store/exr.records.ts';
import { exrRepos } from '../store/exr.repos.ts';
import type { FrameChange } from './exr.plan.ts';
import { currentFile, factsOf } from './exr.record.ts';

/** Applies one change in `tx`; returns the frames it added. */
export async function applyChange(tx: StoreTx, change: FrameChange, now: Date): Promise<number> {
  const frames = exrRepos(tx).frames;
  switch (change.kind) {
    case 'put': {
      const objects = [...new Set(change.frames.map((f) => f.object_id))];
      const files = await exrRepos(tx).files.byObjects(objects);
      const rows = change.frames.map((f) => {
        const file: ExrFileRecord | undefined = currentFile(files.get(f.object_id) ?? []);
        return file === undefined ? f : { ...f, ...factsOf(file) };
      });
      await frames.put(rows);
      await exrRepos(tx).files.setRemoved(objects, null);
      return rows.length;
    }
    case 'segments': {
      // The event's timerange spans the deleted segments but may span kept ones too (a deletion
      // of one object's segments): only frames whose segment is gone go.
      const { flowId, range } = change;
      if (range.isEmpty()) return 0;
      // Read by start, then kept when they overlap: a segment starting at an exclusive end is not in it.
      const candidates = (await frames.ofFlow(flowId, range.start, range.end)).filter((f) =>
        parseTimeRange(f.timerange).overlaps(range),
      );
      if (candidates.length === 0) return 0;
      const live = await tx.segments.overlapping(flowId, range);
      const present = new Set(live.map((s) => `${s.timerange.start}:${s.object_id}`));
      const gone = candidates.filter((f) => !present.has(`${f.seg_start}:${f.object_id}`));
      await frames.deleteStarts(
        flowId,
        gone.map((f) => f.seg_start),
      );
      await markUnused(
        tx,
        gone.map((f) => f.object_id),
        now,
      );
      return 0;
    }
    case 'flow':
      await markUnused(tx, await frames.deleteFlow(change.flowId), now);
      return 0;
  }
}

/** Files of objects no frame uses any more leave the listings (their rows stay). */
async function markUnused(tx: StoreTx, objectIds: readonly string[], now: Date): Promise<void> {
  if (objectIds.length === 0) return;
  const still = await exrRepos(tx).frames.framed(objectIds);
  const unused = [...new Set(objectIds)].filter((id) => !still.has(id));
  await exrRepos(tx).files.setRemoved(unused, now);
}
