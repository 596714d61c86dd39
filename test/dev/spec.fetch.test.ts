/**
 * Getting the spec on a machine without ../shared: `npm run spec:fetch` laying out a bbc/tams 7.0
 * tarball (made here from the spec the tests use, in the shape GitHub serves it), refusing what
 * is not the 7.0 files, and the places tools/spec-location.ts looks in.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSpec, REPO_ROOT, specRequired } from '../../tools/spec-location.ts';
import { tempDir } from '../helpers/server.ts';
import { specTestFiles } from '../helpers/spec-gate.ts';
import { SPEC_DIR } from '../helpers/spec-schemas.ts';

const run = promisify(execFile);
const scratch = tempDir('tams-spec-fetch-test-');
const tarball = join(scratch.path, 'tams-7.0.tar.gz');

async function specFetch(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/spec-fetch.ts', ...args], {
      cwd: REPO_ROOT,
    });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

const listing = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();

beforeAll(async () => {
  // What codeload.github.com/bbc/tams/tar.gz/refs/tags/7.0 holds: one top folder, tams-7.0/.
  const top = join(scratch.path, 'stage', 'tams-7.0');
  cpSync(SPEC_DIR, join(top, 'api'), { recursive: true });
  writeFileSync(join(top, 'LICENCE.md'), 'Apache License 2.0 (stand-in)\n');
  writeFileSync(join(top, 'README.md'), 'not copied\n');
  await run('tar', ['-czf', tarball, '-C', join(scratch.path, 'stage'), 'tams-7.0']);
});
afterAll(() => scratch.remove());

describe('npm run spec:fetch', () => {
  it('lays a 7.0 tarball out as ../shared/tams-spec is, which TAMS_SPEC_DIR then finds', async () => {
    const out = join(scratch.path, 'out');
    const { code, stderr } = await specFetch('--from', tarball, '--out', out);
    expect(code, stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['LICENCE.md', 'SOURCE.md', 'api']);
    expect(listing(join(out, 'api'))).toEqual(listing(SPEC_DIR));
    for (const file of ['TimeAddressableMediaStore.yaml', 'schemas/flow.json', 'examples/flow-put.json']) {
      expect(readFileSync(join(out, 'api', file)).equals(readFileSync(join(SPEC_DIR, file))), file).toBe(
        true,
      );
    }
    expect(readFileSync(join(out, 'SOURCE.md'), 'utf8')).toContain('bbc/tams at tag 7.0');
    expect(findSpec({ TAMS_SPEC_DIR: out })).toEqual({
      apiDir: `${join(out, 'api')}/`,
      from: 'TAMS_SPEC_DIR',
    });

    // Again over its own earlier result: replaced.
    expect((await specFetch('--from', tarball, '--out', out)).code).toBe(0);
  });

  it('takes a folder too: a checkout, or the folder a tarball unpacks to', async () => {
    const out = join(scratch.path, 'from-folder');
    const { code, stderr } = await specFetch('--from', join(scratch.path, 'stage'), '--out', out);
    expect(code, stderr).toBe(0);
    expect(listing(join(out, 'api'))).toEqual(listing(SPEC_DIR));
  });

  it('refuses files that are not the 7.0 ones, and a folder it did not make', async () => {
    const edited = join(scratch.path, 'edited');
    cpSync(join(scratch.path, 'stage'), edited, { recursive: true });
    const example = join(edited, 'tams-7.0', 'api', 'examples', 'flow-put.json');
    writeFileSync(example, `${readFileSync(example, 'utf8')} `);
    const out = join(scratch.path, 'refused');
    const refused = await specFetch('--from', edited, '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not hold the files of bbc\/tams at tag 7\.0/);
    expect(existsSync(out)).toBe(false);

    const foreign = join(scratch.path, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'keep.txt'), 'mine');
    const kept = await specFetch('--from', tarball, '--out', foreign);
    expect(kept.code).toBe(1);
    expect(kept.stderr).toContain('was not made by spec:fetch');
    expect(readdirSync(foreign)).toEqual(['keep.txt']);
  });
});

describe('where the spec is looked for', () => {
  it('TAMS_SPEC_DIR may name the api folder itself; set to a folder without the spec, it is an error', () => {
    expect(findSpec({ TAMS_SPEC_DIR: SPEC_DIR })?.apiDir).toBe(SPEC_DIR);
    expect(() => findSpec({ TAMS_SPEC_DIR: scratch.path })).toThrow(
      /TAMS_SPEC_DIR=.*no TimeAddressableMediaStore/,
    );
  });

  it('is required (no skipping) on CI or when asked', () => {
    expect(specRequired({})).toBe(false);
    expect(specRequired({ CI: 'false' })).toBe(false);
    expect(specRequired({ CI: 'true' })).toBe(true);
    expect(specRequired({ CI: '1' })).toBe(true);
    expect(specRequired({ TAMS_SPEC_REQUIRED: '1' })).toBe(true);
  });

  it('the files skipped without it are those that load the spec, through helpers too', () => {
    const files = specTestFiles();
    expect(files).toContain('test/openapi.test.ts'); // reads the OpenAPI file itself
    expect(files).toContain('test/http/flows.test.ts'); // through test/http/fixtures.ts
    expect(files).toContain('src/flows/flows.schemas.test.ts'); // through schema-parity.ts
    expect(files).toContain('test/dev/spec.fetch.test.ts');
    expect(files).not.toContain('src/common/worker.test.ts');
    expect(files).not.toContain('test/auth/auth.matrix.test.ts');
  });
});
