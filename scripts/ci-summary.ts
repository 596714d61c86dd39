/**
 * `node --import tsx scripts/ci-summary.ts <vitest-json>...`: the closing line of .ci/run, the
 * tests of every vitest run it made, added up: `tests: N passed, N failed, N skipped`.
 *
 * CI services judge a run by its test runner's closing line, and vitest's ("Tests  2476 passed
 * (2488)") is not one they know; the plain form above is. Each run's JSON report (vitest's json
 * reporter, `--outputFile.json`) is read back rather than its console output parsed. A missing or
 * unreadable report, or a run that executed no test, fails the step: it means a suite did not run.
 */
import { readFileSync } from 'node:fs';

interface VitestReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
}

function read(file: string): VitestReport {
  const report = JSON.parse(readFileSync(file, 'utf8')) as Partial<VitestReport>;
  for (const key of ['numTotalTests', 'numPassedTests', 'numFailedTests'] as const) {
    if (typeof report[key] !== 'number') throw new Error(`${file}: no ${key}: not a vitest JSON report`);
  }
  return report as VitestReport;
}

function main(files: string[]): number {
  if (files.length === 0) throw new Error('usage: ci-summary.ts <vitest-json-report>...');
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let empty = 0;
  for (const file of files) {
    const r = read(file);
    const runSkipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    process.stdout.write(
      `ci: ${file}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${runSkipped} skipped of ${r.numTotalTests}\n`,
    );
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += runSkipped;
    if (r.numPassedTests === 0) empty += 1;
  }
  process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  return failed > 0 || empty > 0 ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`ci-summary: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
