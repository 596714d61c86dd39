import type { StoreRuntime } from '../src/deps.store.ts';
import { compareIds, type ObjectUse } from '../src/store/maintenance.repo.ts';
import { type MgmtIo, Progress } from './mgmt.io.ts';
import { Cursor } from './mgmt.stream.ts';
import { note, type VerifyReport } from './mgmt.verify.report.ts';

/** Segments counted per object and Flow, passing their number to `progress`. */
async function* counted(uses: AsyncIterable<ObjectUse>, progress: Progress): AsyncGenerator<ObjectUse> {
  let seen = 0;
  for await (const use of uses) {
    seen += use.count;
    if (seen >= 1000) {
      progress.add(seen);
      seen = 0;
    }
    yield use;
  }
  progress.add(seen);
}

/** Takes the cursor's leading entries of `object`, by Flow. */
async function takeObject(cursor: Cursor<ObjectUse>, object: string): Promise<Map<string, number>> {
  const byFlow = new Map<string, number>();
  while ((await cursor.peek())?.object === object) {
    const use = (await cursor.take()) as ObjectUse;
    byFlow.set(use.flow, use.count);
  }
  return byFlow;
}

/**
 * First pass: objects (by id), reference counts and segments (both by object and Flow) read as
 * three sorted streams merged in step, so memory stays flat however large the tables are.
 */
export async function objectPass(runtime: StoreRuntime, report: VerifyReport, io: MgmtIo): Promise<void> {
  const { maintenance } = runtime;
  // Allocated objects awaiting their first segment: few, and legitimately without segments.
  const unused = await runtime.store.objects.unusedAllocationIds();

  const progress = new Progress(io, 'segments checked against objects', report.segments);
  const objects = new Cursor(maintenance.objectIds());
  const counts = new Cursor(maintenance.refCounts());
  const used = new Cursor(counted(maintenance.segmentUses(), progress));
  try {
    for (;;) {
      const heads = [await objects.peek(), (await counts.peek())?.object, (await used.peek())?.object].filter(
        (k): k is string => k !== undefined,
      );
      if (heads.length === 0) break;
      const object = heads.reduce((a, b) => (compareIds(a, b) <= 0 ? a : b));
      const hasRow = (await objects.peek()) === object;
      if (hasRow) await objects.take();
      const refCounts = await takeObject(counts, object);
      const segCounts = await takeObject(used, object);
      let segments = 0;
      for (const n of segCounts.values()) segments += n;
      if (!hasRow && segments > 0) {
        note(report.segmentsWithoutObjects, `object ${object}: ${segments} segments`, segments);
      }
      if (hasRow && segments === 0 && !unused.has(object))
        note(report.objectsWithoutSegments, `object ${object}`);
      for (const flow of new Set([...refCounts.keys(), ...segCounts.keys()])) {
        const recorded = refCounts.get(flow);
        const actual = segCounts.get(flow) ?? 0;
        if (recorded === actual) continue;
        note(
          report.referenceMismatches,
          `object ${object} in Flow ${flow}: object_refs ${recorded ?? 'has no row'}, segments ${actual}`,
        );
      }
    }
  } finally {
    // On an error mid-way, the scans still open must end (their connections go back to the pool).
    await Promise.all([objects.close(), counts.close(), used.close()]);
  }
  progress.finish();
}
