/**
 * The release command (scripts/release.ts, docs/releasing.md) on a repository of its own: the
 * files that carry the release number, copied from this one, and a CHANGELOG.md written here.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareVersions, parseVersion, statedVersions, VERSION_FILES } from '../../scripts/release.files.ts';
import { runToEnd, spawnChild } from '../helpers/children.ts';
import { WAIT_MS } from '../helpers/deadlines.ts';
import { tempDir } from '../helpers/server.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const current: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
// tsx's loader by its path: the repository the command runs in has no node_modules.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
let repo: ReturnType<typeof tempDir>;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo.path, encoding: 'utf8' }).trim();
}

function changelog(sections: string): void {
  writeFileSync(join(repo.path, 'CHANGELOG.md'), `# Changelog\n\n## [Unreleased]\n\n${sections}`);
}

async function release(...args: string[]) {
  const child = spawnChild(process.execPath, ['--import', TSX, join(ROOT, 'scripts/release.ts'), ...args], {
    cwd: repo.path,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return runToEnd(child, WAIT_MS);
}

beforeEach(() => {
  repo = tempDir('tams-release-');
  for (const file of Object.values(VERSION_FILES)) {
    mkdirSync(dirname(join(repo.path, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(repo.path, file));
  }
  changelog(`## [${current}] - 2026-11-28\n\n### Added\n\n- What there was.\n`);
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.email', 'release@example.com');
  git('config', 'user.name', 'Release Test');
  git('add', '.');
  git('commit', '--quiet', '-m', 'What there was');
});

afterEach(() => repo.remove());

const NEXT = `## [9.1.0] - 2026-12-01\n\n### Added\n\n- Something new.\n\n## [${current}] - 2026-11-28\n\n- What there was.\n`;

describe('npm run release', () => {
  it('writes the number everywhere, commits "Release X.Y.Z" and tags it', async () => {
    changelog(NEXT);
    const run = await release('9.1.0');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(Object.values(statedVersions(repo.path))).toEqual(Array(6).fill('9.1.0'));
    expect(git('log', '-1', '--format=%s')).toBe('Release 9.1.0');
    expect(git('rev-parse', 'v9.1.0^{commit}')).toBe(git('rev-parse', 'HEAD'));
    expect(git('status', '--porcelain')).toBe('');
    // Only the number changed in package.json: its layout is kept.
    const diff = git('diff', 'HEAD~1', '--', 'package.json');
    expect(diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      `-  "version": "${current}",`,
      '+  "version": "9.1.0",',
    ]);
  });

  it('--dry-run checks and changes nothing', async () => {
    changelog(NEXT);
    const run = await release('9.1.0', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.out).toContain('dry run');
    expect(statedVersions(repo.path).packageJson).toBe(current);
    expect(git('tag', '--list')).toBe('');
  });

  it('refuses what would make a wrong release, and changes nothing', async () => {
    const refusals: Array<[string, () => void, RegExp]> = [
      ['9.1.0', () => {}, /no section "## \[9\.1\.0\] - YYYY-MM-DD"/],
      ['9.1', () => changelog(NEXT), /not a semantic version/],
      [current, () => changelog(NEXT), /not above the current release/],
      ['9.1.0', () => changelog(NEXT.replace('- Something new.\n', '')), /lists no change/],
      ['9.1.0', () => changelog(NEXT.replace(' - 2026-12-01', '')), /needs a date/],
      [
        '9.1.0',
        () => changelog(`- Left behind.\n\n${NEXT}`),
        /\[Unreleased\] still lists 1 change\(s\): move them into 9\.1\.0/,
      ],
      [
        '9.1.0',
        () => {
          changelog(NEXT);
          writeFileSync(join(repo.path, 'Dockerfile'), '# edited\n', { flag: 'a' });
        },
        /changes besides CHANGELOG\.md/,
      ],
      [
        '9.1.0',
        () => {
          changelog(NEXT);
          git('tag', 'v9.1.0');
        },
        /the tag v9\.1\.0 exists already/,
      ],
    ];
    for (const [version, arrange, message] of refusals) {
      arrange();
      const head = git('rev-parse', 'HEAD');
      const run = await release(version);
      expect(run.code, `${version}: ${run.err}`).toBe(1);
      expect(run.err).toMatch(message);
      expect(git('rev-parse', 'HEAD')).toBe(head);
      expect(statedVersions(repo.path).packageJson).toBe(current);
      git('checkout', '--quiet', '--', '.');
      for (const tag of git('tag', '--list').split('\n').filter(Boolean)) git('tag', '-d', tag);
    }
  });
});

describe('semantic version precedence', () => {
  it('orders as semver §11 does', () => {
    const order = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '2.0.0',
    ];
    for (let i = 1; i < order.length; i++) {
      const a = parseVersion(order[i - 1] as string);
      const b = parseVersion(order[i] as string);
      expect(a && b && compareVersions(a, b) < 0, `${order[i - 1]} < ${order[i]}`).toBe(true);
      expect(a && b && compareVersions(b, a) > 0).toBe(true);
    }
    expect(parseVersion('01.0.0')).toBeUndefined();
    expect(parseVersion('1.0')).toBeUndefined();
  });
});
