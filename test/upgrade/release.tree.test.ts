/**
 * How the upgrade test finds the previous release in a repository's history (release.tree.ts):
 * the newest CHANGELOG release whose commit, the one that set package.json's version to it, is an
 * ancestor of HEAD and not HEAD; by that commit where the clone has no tag; a clear failure where
 * the history lacks it (a shallow clone).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/server.ts';
import { nextMinor, previousRelease, releaseCommit } from './release.tree.ts';

const repo = tempDir('tams-release-history-');
afterAll(() => repo.remove());

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd: repo.path,
    encoding: 'utf8',
  }).trim();
}

/** A commit writing package.json at `version` and CHANGELOG.md with `releases` (newest first). */
function commit(version: string, releases: string[], message: string): string {
  writeFileSync(join(repo.path, 'package.json'), `{\n  "name": "x",\n  "version": "${version}"\n}\n`);
  const headings = releases.map((r) => `## [${r}] - 2026-11-28\n`).join('\n');
  writeFileSync(join(repo.path, 'CHANGELOG.md'), `# Changelog\n\n## [Unreleased]\n\n${headings}`);
  writeFileSync(join(repo.path, 'work.txt'), `${message}\n`);
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

describe('the previous release in the history', () => {
  it('is the newest CHANGELOG release before HEAD, found by the commit that set its version', () => {
    git('init', '-q');
    commit('0.1.0', [], 'start');
    const first = commit('1.0.0', ['1.0.0'], 'Release 1.0.0');
    commit('1.0.0', ['1.0.0'], 'a change');
    // At the release commit itself there is none before it.
    git('checkout', '-q', first);
    expect(previousRelease(repo.path)).toBeUndefined();
    git('checkout', '-q', '-');
    expect(previousRelease(repo.path)).toEqual({ version: '1.0.0', commit: first });

    const second = commit('1.1.0', ['1.1.0', '1.0.0'], 'Release 1.1.0');
    // At 1.1.0's own commit, the previous release is 1.0.0; one commit later, 1.1.0.
    expect(previousRelease(repo.path)).toEqual({ version: '1.0.0', commit: first });
    commit('1.1.0', ['1.1.0', '1.0.0'], 'another change');
    expect(previousRelease(repo.path)).toEqual({ version: '1.1.0', commit: second });
    // A tag is taken where it points at the release; no tag is needed.
    git('tag', 'v1.1.0', second);
    expect(releaseCommit('1.1.0', repo.path)).toBe(second);
    expect(nextMinor('1.1.7')).toBe('1.2.0');
  });

  it('fails with what to do when the history lacks a release the CHANGELOG names', () => {
    commit('1.1.0', ['1.1.0', '1.0.5', '1.0.0'], 'a CHANGELOG naming a release never cut here');
    git('tag', '-d', 'v1.1.0');
    commit('1.2.0', ['1.2.0', '1.1.0', '1.0.5', '1.0.0'], 'Release 1.2.0');
    // 1.2.0 is HEAD, 1.1.0 is found: 1.0.5 is never reached.
    expect(previousRelease(repo.path)?.version).toBe('1.1.0');
    commit('1.3.0', ['1.3.0', '1.0.5'], 'Release 1.3.0, its CHANGELOG naming 1.0.5 only before it');
    expect(() => previousRelease(repo.path)).toThrow(
      /CHANGELOG.md names release 1\.0\.5, but no commit .* needs a full clone \(git fetch --unshallow\)/,
    );
  });
});
