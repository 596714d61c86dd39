/**
 * Where the TAMS 7.0 spec (the `api/` folder of bbc/tams at tag 7.0: the OpenAPI file, its JSON
 * schemas and examples) is on this machine. The tests use it as their oracle; the server never
 * reads it. Looked for, in order:
 *
 * 1. `TAMS_SPEC_DIR` (a test setting, not a server one): a folder holding `api/` (a checkout of
 *    bbc/tams at 7.0, or a copy laid out like one), or the `api/` folder itself. Relative paths
 *    are taken from the repository root. Set but wrong is an error, not "no spec".
 * 2. `../shared/tams-spec`, beside the repository (the project's machines and CI have it).
 * 3. `.spec/tams` inside the repository (gitignored), which `npm run spec:fetch` fills.
 *
 * The TAMS 8.2 spec, for the 8.2 mount's checks, is found alike (findSpec82, at the end).
 *
 * Plain Node (no vitest): vitest.config.ts and scripts/spec-fetch.ts use it too.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SHARED_SPEC_DIR = resolve(REPO_ROOT, '../shared/tams-spec');
/** Where `npm run spec:fetch` lays the spec out. */
export const FETCHED_SPEC_DIR = join(REPO_ROOT, '.spec', 'tams');
export const OPENAPI_FILE = 'TimeAddressableMediaStore.yaml';

export const SPEC_HINT =
  'set TAMS_SPEC_DIR, put it at ../shared/tams-spec, or run npm run spec:fetch (downloads bbc/tams at tag 7.0)';

export interface SpecLocation {
  /** The spec's `api/` folder, with a trailing separator. */
  apiDir: string;
  /** Which of the three places it was found in. */
  from: 'TAMS_SPEC_DIR' | '../shared/tams-spec' | '.spec/tams';
}

/** The `api/` folder under `dir` (or `dir` itself when it is one), if it holds the spec. */
export function apiDirIn(dir: string): string | undefined {
  for (const candidate of [join(dir, 'api'), dir]) {
    if (
      existsSync(join(candidate, OPENAPI_FILE)) &&
      existsSync(join(candidate, 'schemas')) &&
      existsSync(join(candidate, 'examples'))
    ) {
      return `${candidate}/`;
    }
  }
  return undefined;
}

/** The spec, or undefined when none of the three places has it. */
export function findSpec(env: NodeJS.ProcessEnv = process.env): SpecLocation | undefined {
  const setting = env.TAMS_SPEC_DIR;
  if (setting !== undefined && setting !== '') {
    const dir = resolve(REPO_ROOT, setting);
    const apiDir = apiDirIn(dir);
    if (!apiDir) {
      throw new Error(
        `TAMS_SPEC_DIR=${setting}: no ${OPENAPI_FILE} with schemas/ and examples/ in ${dir} or ${join(dir, 'api')}`,
      );
    }
    return { apiDir, from: 'TAMS_SPEC_DIR' };
  }
  const shared = apiDirIn(SHARED_SPEC_DIR);
  if (shared) return { apiDir: shared, from: '../shared/tams-spec' };
  const fetched = apiDirIn(FETCHED_SPEC_DIR);
  if (fetched) return { apiDir: fetched, from: '.spec/tams' };
  return undefined;
}

/** The spec's `api/` folder; throws saying how to get the spec when there is none. */
export function specApiDir(): string {
  const found = findSpec();
  if (!found) throw new Error(`TAMS 7.0 spec not found: ${SPEC_HINT}`);
  return found.apiDir;
}

/**
 * Whether a missing spec must fail the run rather than skip the tests that need it: on CI (`CI`
 * set, as CI services set it), or when asked with TAMS_SPEC_REQUIRED=1 (.ci/run sets it).
 */
export function specRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  const on = (v: string | undefined) =>
    v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  return on(env.CI) || on(env.TAMS_SPEC_REQUIRED);
}

/**
 * The TAMS 8.2 spec (`api/` of bbc/tams at tag 8.2, laid out as 7.0's is), for the 8.2 mount's
 * checks (`npm run openapi:check -- --version 8.2`, the tests that validate 8.2 answers). Looked
 * for in `TAMS_SPEC_8_2_DIR` (as TAMS_SPEC_DIR is read), then `../shared/tams-spec-8.2`.
 */
export const SHARED_SPEC_8_2_DIR = resolve(REPO_ROOT, '../shared/tams-spec-8.2');
export const SPEC_8_2_HINT =
  'set TAMS_SPEC_8_2_DIR to a checkout of bbc/tams at tag 8.2 (or its api/ folder), or put it at ../shared/tams-spec-8.2';

export interface Spec82Location {
  apiDir: string;
  from: 'TAMS_SPEC_8_2_DIR' | '../shared/tams-spec-8.2';
}

/** The 8.2 spec, or undefined when neither place has it. */
export function findSpec82(env: NodeJS.ProcessEnv = process.env): Spec82Location | undefined {
  const setting = env.TAMS_SPEC_8_2_DIR;
  if (setting !== undefined && setting !== '') {
    const dir = resolve(REPO_ROOT, setting);
    const apiDir = apiDirIn(dir);
    if (!apiDir) {
      throw new Error(
        `TAMS_SPEC_8_2_DIR=${setting}: no ${OPENAPI_FILE} with schemas/ and examples/ in ${dir} or ${join(dir, 'api')}`,
      );
    }
    return { apiDir, from: 'TAMS_SPEC_8_2_DIR' };
  }
  const shared = apiDirIn(SHARED_SPEC_8_2_DIR);
  return shared ? { apiDir: shared, from: '../shared/tams-spec-8.2' } : undefined;
}
