import { compareIds, type ObjectUse } from '../maintenance.repo.ts';
import { Cursor } from './verify.cursor.ts';
import {
  note,
  type ProgressOf,
  type VerifiedStore,
  type VerifyProgress,
  type VerifyReport,
} from './verify.report.ts';

/** Segments counted per object and Flow, passing their number to `progress`. */
async function* counted(uses: AsyncIterable<ObjectUse>, progress: VerifyProgress): AsyncGenerator<ObjectUse> {
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
 * three sorted streams merged in step, so memory stays flat however large the tables are. Stops
 * early (report.stopped) once `signal` is aborted.
 */
export async function objectPass(
  runtime: VerifiedStore,
  report: VerifyReport,
  progressOf: ProgressOf,
  signal?: AbortSignal,
): Promise<void> {
  const { maintenance } = runtime;
  // Allocated objects awaiting their first segment: few, and legitimately without segments.
  const unused = await runtime.store.objects.unusedAllocationIds();

  const progress = progressOf('segments checked against objects', report.segments);
  const objects = new Cursor(maintenance.objectIds());
  const counts = new Cursor(maintenance.refCounts());
  let checked = 0;
  const used = new Cursor(
    counted(maintenance.segmentUses(), {
      add: (n) => {
        checked += n;
        progress.add(n);
      },
      finish: () => progress.finish(),
    }),
  );
  try {
    for (let step = 0; ; step++) {
      if (step % 1000 === 0 && signal?.aborted) {
        report.stopped = { pass: 'objects', segmentsChecked: checked };
        break;
      }
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
