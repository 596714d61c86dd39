import type { StoreRuntime } from '../src/deps.store.ts';
import type { TimeRange } from '../src/time/index.ts';
import { type MgmtIo, Progress } from './mgmt.io.ts';
import { objectPass } from './mgmt.verify.objects.ts';
import { finding, note, PROBLEMS, type VerifyReport } from './mgmt.verify.report.ts';

/**
 * Second pass, segments in Flow and time order: within a Flow each segment is compared with the
 * one reaching furthest so far (sorted by start, any overlap shows there), and Flows are checked
 * against the flows table.
 */
async function flowPass(runtime: StoreRuntime, report: VerifyReport, io: MgmtIo): Promise<void> {
  const flows = await runtime.maintenance.flowIds();
  const progress = new Progress(io, 'segments checked for overlaps', report.segments);
  let flowId: string | undefined;
  let reach: TimeRange | undefined;
  let missing = false;
  let batch = 0;
  for await (const { flow: id, range } of runtime.maintenance.segmentRanges()) {
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
    if (++batch === 1000) {
      progress.add(batch);
      batch = 0;
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
export async function verifyStore(runtime: StoreRuntime, io: MgmtIo): Promise<VerifyReport> {
  const report: VerifyReport = {
    ...(await runtime.maintenance.totals()),
    segmentsWithoutObjects: finding(),
    objectsWithoutSegments: finding(),
    referenceMismatches: finding(),
    overlappingSegments: finding(),
    segmentsOfMissingFlows: finding(),
  };
  await objectPass(runtime, report, io);
  await flowPass(runtime, report, io);
  return report;
}

const TITLES: Record<(typeof PROBLEMS)[number], string> = {
  segmentsWithoutObjects: 'segments without objects',
  objectsWithoutSegments: 'objects without segments',
  referenceMismatches: 'reference counts not matching segments',
  overlappingSegments: 'overlapping segments within a Flow',
  segmentsOfMissingFlows: 'segments of Flows that do not exist',
};

/** `verify`: reports problems; exit status 1 when there is any. */
export async function verifyCommand(
  runtime: StoreRuntime,
  io: MgmtIo,
  options: { json: boolean },
): Promise<number> {
  const started = performance.now();
  const report = await verifyStore(runtime, io);
  const problems = PROBLEMS.reduce((n, p) => n + report[p].count, 0);
  if (options.json) {
    io.out(`${JSON.stringify({ ...report, problems }, null, 2)}\n`);
  } else {
    io.out(
      `Checked ${report.segments} segments and ${report.objects} objects in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
    );
    for (const p of PROBLEMS) {
      const f = report[p];
      io.out(`${f.count === 0 ? 'ok  ' : 'FAIL'}  ${TITLES[p]}: ${f.count}\n`);
      for (const example of f.examples) io.out(`        ${example}\n`);
    }
    io.out(problems === 0 ? 'No problems found.\n' : `${problems} problems found.\n`);
  }
  return problems === 0 ? 0 : 1;
}
