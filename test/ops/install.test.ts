/**
 * A clean install looks clean: npm warns about nothing of the project's making (an `.npmrc` key it
 * does not know made every npm command warn), every dependency's install script is approved or
 * denied in package.json's `allowScripts` (npm 11 lists the others after each install), with
 * onnxruntime-node's denied (its CUDA download from NuGet, which these machines cannot reach and
 * the CPU runtime does not need), and the web UI's build prints nothing. `npm ci` on a fresh
 * clone is .ci/run's first step.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/server.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const scratch = tempDir('tams-install-');
afterAll(() => scratch.remove());

/**
 * npm as a person runs it in the repository: without the npm_* variables of an npm that started
 * this test, and without this machine's user configuration (the project's is under test).
 */
function npm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const userconfig = join(scratch.path, 'npmrc');
  writeFileSync(userconfig, '');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return spawnSync('npm', args, {
    cwd: ROOT,
    env: { ...env, NPM_CONFIG_USERCONFIG: userconfig },
    encoding: 'utf8',
  });
}

describe('a clean install', () => {
  it('npm warns about nothing in the project configuration', () => {
    const run = npm(['pkg', 'get', 'name']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });

  it("covers every dependency's install script in allowScripts, denying onnxruntime-node's", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    const allow: Record<string, boolean> = pkg.allowScripts ?? {};
    const withScripts = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(allow[name], name).toBeTypeOf('boolean');
    expect(allow['onnxruntime-node']).toBe(false);
  });

  it('builds the web UI without a word', () => {
    const out = join(scratch.path, 'ui');
    const run = npm(['run', '--silent', 'build:ui', '--', '--outDir', out, '--emptyOutDir']);
    expect(run.status, run.stderr).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  }, 120_000);
});
