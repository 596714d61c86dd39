/**
 * One release number everywhere (issue 63): package.json's version is what /service says on every
 * mount, what the start-up banner and `--version` print, the build_info metric's label, the
 * container image's label and the Helm chart's appVersion; and CHANGELOG.md has its section.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changelogReleases, statedVersions } from '../../scripts/release.files.ts';
import { START_DEADLINE_MS } from '../../tools/server-process.ts';
import { killChild, runToEnd, spawnChild } from '../helpers/children.ts';
import { runCliProcess } from '../helpers/cli.ts';
import { tempDir } from '../helpers/server.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const version: string = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version;
const dir = tempDir('tams-version-');
let server: ChildServer | undefined;

beforeAll(async () => {
  server = await spawnServer({ TAMS_DATA_DIR: dir.path });
}, START_DEADLINE_MS + 10_000);

afterAll(async () => {
  if (server) await killChild(server.process);
  dir.remove();
});

describe('the release number', () => {
  it('is a semantic version that every file carrying it states alike', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(statedVersions(ROOT)).toEqual({
      packageJson: version,
      lock: version,
      lockRoot: version,
      chartVersion: version,
      chartAppVersion: version,
      imageLabel: version,
    });
  });

  it('has its dated section in CHANGELOG.md', () => {
    const section = changelogReleases(readFileSync(`${ROOT}CHANGELOG.md`, 'utf8')).find(
      (r) => r.version === version,
    );
    expect(section?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(section?.body.some((line) => line.startsWith('- '))).toBe(true);
  });

  it('is /service service_version on every mount', async () => {
    for (const mount of ['', '/tams/v7.0', '/tams/v8.2']) {
      const res = await fetch(`${server?.url}${mount}/service`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { service_version?: string }).service_version, mount || '/').toBe(
        version,
      );
    }
  });

  it('is in the start-up banner', () => {
    const banner = server?.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('tams-server '));
    expect(banner).toMatchObject({ version, node: process.version, engine: 'duckdb' });
    expect(banner?.msg).toContain(`tams-server ${version} starting`);
  });

  it('is the build_info metric', async () => {
    const text = await (await fetch(`${server?.url}/metrics`)).text();
    expect(text).toContain(`tams_build_info{version="${version}",node_version="${process.version}"} 1`);
  });

  it('is what tams-mgmt --version and the server --version print', async () => {
    const mgmt = await runCliProcess(['--version'], { env: {} });
    expect(mgmt).toMatchObject({ code: 0, out: `tams-server ${version}\n` });
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/main.ts', '--version'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = await runToEnd(child, START_DEADLINE_MS);
    expect(run).toMatchObject({ code: 0, out: `tams-server ${version}\n` });
  });
});
