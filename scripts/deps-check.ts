// npm run deps:check: the import rules of .dependency-cruiser.cjs (no cycle between files, the
// layers of DESIGN.md, test kits held to the layer they serve), no cycle between the folders of
// src/ with the kits counted in (scripts/deps.folders.ts), and no test code left in src/
// (scripts/deps.testcode.ts). Exits 1 listing every violation. An optional argument: the
// directory to check (default: here).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CruisedModule, folderCycles } from './deps.folders.ts';
import { testCodeInSrc } from './deps.testcode.ts';

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: { name: string }[];
}

const root = process.argv[2] ?? process.cwd();
const scanned = ['src', 'mgmt', 'scripts', 'bench', 'test', 'tools'].filter((dir) =>
  existsSync(join(root, dir)),
);
const depcruise = join(import.meta.dirname, '..', 'node_modules', '.bin', 'depcruise');
const run = spawnSync(
  depcruise,
  [...scanned, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
  {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  },
);
if (run.error !== undefined || !run.stdout.startsWith('{')) {
  process.stderr.write(`deps: dependency-cruiser did not run: ${run.error?.message ?? run.stderr}\n`);
  process.exit(2);
}
const result = JSON.parse(run.stdout) as {
  modules: CruisedModule[];
  summary: { violations: Violation[]; totalCruised: number; totalDependenciesCruised: number };
};

const out: string[] = [];
for (const v of result.summary.violations) {
  const path = v.cycle ? [v.from, ...v.cycle.map((c) => c.name)].join(' -> ') : `${v.from} -> ${v.to}`;
  out.push(`${v.rule.severity} ${v.rule.name}: ${path}`);
}
const cycles = folderCycles(result.modules);
for (const { folders, steps } of cycles) {
  out.push(`error no-folder-cycle: ${[...folders, folders[0]].join(' -> ')}`);
  for (const { from, to, files } of steps) {
    const more = files.length > 2 ? ` (and ${files.length - 2} more)` : '';
    out.push(`    ${from} -> ${to}: ${files.slice(0, 2).join(', ')}${more}`);
  }
}
const misplaced = testCodeInSrc(root, result.modules);
for (const { path, why } of misplaced) out.push(`error test-code-in-src: ${path} (${why})`);
const errors =
  result.summary.violations.filter((v) => v.rule.severity === 'error').length +
  cycles.length +
  misplaced.length;
out.push(
  `deps: ${result.summary.totalCruised} modules, ${result.summary.totalDependenciesCruised} imports: ` +
    `${result.summary.violations.length} rule violations, ${cycles.length} folder cycles, ` +
    `${misplaced.length} test modules in src/`,
);
process.stdout.write(`${out.join('\n')}\n`);
process.exit(errors > 0 ? 1 : 0);
