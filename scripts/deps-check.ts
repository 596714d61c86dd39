// npm run deps:check: the import rules of .dependency-cruiser.cjs (no cycle between files, the
// layers of DESIGN.md) and no cycle between the folders of src/ (scripts/deps.folders.ts).
// Exits 1 listing every violation. An optional argument: the directory to check (default: here).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CruisedModule, folderCycles } from './deps.folders.ts';

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: { name: string }[];
}

const root = process.argv[2] ?? process.cwd();
const scanned = ['src', 'mgmt', 'scripts', 'bench', 'test', 'tools'].filter((dir) => existsSync(join(root, dir)));
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
const errors = result.summary.violations.filter((v) => v.rule.severity === 'error').length + cycles.length;
out.push(
  `deps: ${result.summary.totalCruised} modules, ${result.summary.totalDependenciesCruised} imports: ` +
    `${result.summary.violations.length} rule violations, ${cycles.length} folder cycles`,
);
process.stdout.write(`${out.join('\n')}\n`);
process.exit(errors > 0 ? 1 : 0);
