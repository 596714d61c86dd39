import type { StoreRuntime } from '../src/deps.store.ts';
import { PROBLEMS, type VerifyReport } from '../src/store/verify/verify.report.ts';
import { verifyStore as verifyAll } from '../src/store/verify/verify.store.ts';
import { type MgmtIo, Progress } from './mgmt.io.ts';

/** Checks the store's integrity, its progress on stderr; reads only. */
export function verifyStore(runtime: StoreRuntime, io: MgmtIo): Promise<VerifyReport> {
  return verifyAll(runtime, { progress: (label, total) => new Progress(io, label, total) });
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
