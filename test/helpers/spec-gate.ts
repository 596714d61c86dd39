/**
 * Which test files need the TAMS spec, and what the run does without it: vitest.config.ts
 * leaves those files out and says so in one line, so `npm test` passes on a fresh clone; on CI
 * (see `specRequired`) a missing spec fails the run instead.
 *
 * A file needs the spec when it imports test/helpers/spec-schemas.ts, directly or through other
 * modules (fixtures, scenarios): found by reading the relative imports of src/ and test/, so a
 * new test that uses the spec is covered without a list to keep. The same holds for the 8.2
 * spec and test/helpers/spec82-schemas.ts (the /tams/v8.2 mount's tests).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  findSpec,
  findSpec82,
  REPO_ROOT,
  SPEC_8_2_HINT,
  SPEC_HINT,
  type SpecLocation,
  specRequired,
} from '../../tools/spec-location.ts';

const SPEC_MODULE = resolve(REPO_ROOT, 'test/helpers/spec-schemas.ts');
const SPEC_8_2_MODULE = resolve(REPO_ROOT, 'test/helpers/spec82-schemas.ts');
const SCANNED = ['src', 'test'];
/** `from './x.ts'`, `import './x.ts'`, `import('./x.ts')`: relative module specifiers only. */
const IMPORT = /\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

function importsOf(file: string): string[] {
  const out: string[] = [];
  for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2];
    if (specifier?.endsWith('.ts')) out.push(resolve(dirname(file), specifier));
  }
  return out;
}

/** The test files (`*.test.ts`, relative to the repository root) that load the spec (`module`). */
export function specTestFiles(root = REPO_ROOT, module = SPEC_MODULE): string[] {
  const files = SCANNED.flatMap((dir) => tsFiles(join(root, dir)));
  const edges = new Map(files.map((f) => [f, importsOf(f)]));
  const needs = new Map<string, boolean>();
  const visit = (file: string): boolean => {
    const known = needs.get(file);
    if (known !== undefined) return known;
    needs.set(file, false); // an import cycle adds nothing
    const result = file === module || (edges.get(file) ?? []).some(visit);
    needs.set(file, result);
    return result;
  };
  return files
    .filter((f) => f.endsWith('.test.ts') && visit(f))
    .map((f) => relative(root, f))
    .sort();
}

export interface SpecGate {
  spec: SpecLocation | undefined;
  /** Test files to leave out of the run (empty when the spec is there). */
  exclude: string[];
}

/** Finds the spec; without it, lists the files to skip and says so once, or throws on CI. */
export function specGate(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): SpecGate {
  const spec = findSpec();
  const without82 = spec82Gate(log);
  if (spec) return { spec, exclude: without82 };
  const exclude = specTestFiles();
  if (specRequired()) {
    throw new Error(
      `TAMS 7.0 spec not found, and it is required here (CI or TAMS_SPEC_REQUIRED): the ${exclude.length} test files that validate against it cannot be skipped; ${SPEC_HINT}`,
    );
  }
  log(`TAMS 7.0 spec not found: skipping the ${exclude.length} test files that need it; ${SPEC_HINT}`);
  return { spec, exclude: [...new Set([...exclude, ...without82])] };
}

/** The test files to leave out for want of the 8.2 spec (none when it is there), as specGate does. */
function spec82Gate(log: (line: string) => void): string[] {
  if (findSpec82()) return [];
  const exclude = specTestFiles(REPO_ROOT, SPEC_8_2_MODULE);
  if (specRequired()) {
    throw new Error(
      `TAMS 8.2 spec not found, and it is required here (CI or TAMS_SPEC_REQUIRED): the ${exclude.length} test files that validate against it cannot be skipped; ${SPEC_8_2_HINT}`,
    );
  }
  log(`TAMS 8.2 spec not found: skipping the ${exclude.length} test files that need it; ${SPEC_8_2_HINT}`);
  return exclude;
}
