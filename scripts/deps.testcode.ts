/**
 * Test code left in src/ (test/README.md: unit tests sit beside their module, every other piece of
 * test code lives under test/): a module named as a test kit, or one that imports vitest or
 * fast-check, that is not itself a test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CruisedModule } from './deps.folders.ts';

const TEST = /[.]test[.]ts$/;
const NAMED_AS_KIT = /[.](testkit|harness)[.]ts$/;
const TEST_FRAMEWORK = /(?:\bfrom\s*|\bimport\s*\(\s*)['"](vitest|fast-check)['"]/;
/**
 * Ships: `tams-mgmt vast check` runs the engine contract suites on a cluster with its own runner,
 * and this module loads vitest only when no runner was installed.
 */
const CONTRACT_HARNESS = 'src/db/contract/contract.harness.ts';

export interface MisplacedTestCode {
  path: string;
  why: string;
}

export function testCodeInSrc(root: string, modules: readonly CruisedModule[]): MisplacedTestCode[] {
  const found: MisplacedTestCode[] = [];
  for (const { source } of modules) {
    if (!source.startsWith('src/') || TEST.test(source) || source === CONTRACT_HARNESS) continue;
    if (NAMED_AS_KIT.test(source)) found.push({ path: source, why: 'a test kit: test/support/ holds them' });
    else if (/[.][cm]?[jt]s$/.test(source) && TEST_FRAMEWORK.test(readFileSync(join(root, source), 'utf8')))
      found.push({ path: source, why: 'imports a test framework: test code lives under test/' });
  }
  return found;
}
