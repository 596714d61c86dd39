import type { TimeRange } from '../../time/index.ts';
import { objectPass } from './verify.objects.ts';
import {
  finding,
  NO_PROGRESS,
  note,
  type ProgressOf,
  type VerifiedStore,
  type VerifyReport,
} from './verify.report.ts';

export interface VerifyOptions {
  progress?: ProgressOf;
  /** Stops the check where it is (report.stopped): a time budget on a large store. */
  signal?: AbortSignal;
}

/**
 * Second pass, segments in Flow and time order: within a Flow each segment is compared with the
 * one reaching furthest so far (sorted by start, any overlap shows there), and Flows are checked
 * against the flows table.
 */
async function flowPass(
  runtime: VerifiedStore,
  report: VerifyReport,
  progressOf: ProgressOf,
  signal?: AbortSignal,
): Promise<void> {
  const flows = await runtime.maintenance.flowIds();
  const progress = progressOf('segments checked for overlaps', report.segments);
  let flowId: string | undefined;
  let reach: TimeRange | undefined;
  let missing = false;
  let batch = 0;
  let checked = 0;
  const ranges = runtime.maintenance.segmentRanges();
  for await (const { flow: id, range } of ranges) {
    if (id !== flowId) {
      flowId = id;
      reach = undefined;
      missing = !flows.has(id);
    }
    if (missing) note(report.segmentsOfMissingFlows, `Flow ${id}: segment ${range.format()}`);
    if (reach?.overlaps(range)) {
      note(report.overlappingSegments, `Flow ${id}: ${reach.format()} overlaps ${range.format()}`);
    }
    if (!reach || reachesFurther(range, reach)) reach = range;
    checked++;
    if (++batch === 1000) {
      progress.add(batch);
      batch = 0;
      if (signal?.aborted) {
        report.stopped = { pass: 'flows', segmentsChecked: checked };
        // Leaving the loop ends the scan (its connection goes back to the pool).
        break;
      }
    }
  }
  progress.add(batch);
  progress.finish();
}

function reachesFurther(a: TimeRange, b: TimeRange): boolean {
  const ae = a.end as bigint;
  const be = b.end as bigint;
  return ae > be || (ae === be && a.endInclusive && !b.endInclusive);
}

/** Checks the store's integrity; reads only. */
export async function verifyStore(
  runtime: VerifiedStore,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const { progress = NO_PROGRESS, signal } = options;
  const report: VerifyReport = {
    ...(await runtime.maintenance.totals()),
    segmentsWithoutObjects: finding(),
    objectsWithoutSegments: finding(),
    referenceMismatches: finding(),
    overlappingSegments: finding(),
    segmentsOfMissingFlows: finding(),
  };
  await objectPass(runtime, report, progress, signal);
  if (report.stopped === undefined) await flowPass(runtime, report, progress, signal);
  return report;
}
