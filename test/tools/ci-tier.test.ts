/**
 * scripts/ci-tier.ts on a git repository made for it: when the full tier is due, and its record.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullTierDue, RECORD, recordPass } from '../../scripts/ci-tier.ts';
import { tempDir } from '../helpers/server.ts';

const dir = tempDir('tams-ci-tier-');
const repo = dir.path;
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function commit(path: string, text: string): string {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
  git('add', '-A');
  git('commit', '-q', '-m', `change ${path}`);
  return git('rev-parse', 'HEAD');
}

/** Records a pass at HEAD and commits the record, as a developer does after `npm run test:full`. */
function pass(): string {
  const passed = git('rev-parse', 'HEAD');
  recordPass(repo, 1500);
  git('add', RECORD);
  git('commit', '-q', '-m', 'full tier passed');
  return passed;
}

beforeAll(() => {
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'ci');
  commit('README.md', 'a store\n');
});
afterAll(() => dir.remove());

describe('the full tier', () => {
  it('is due where no pass is recorded', () => {
    expect(fullTierDue(repo)).toEqual({ due: true, why: `no usable record of a pass (${RECORD})` });
  });

  it('is not due after a recorded pass, nor after changes to what it does not guard', () => {
    const passed = pass();
    expect(JSON.parse(readFileSync(join(repo, RECORD), 'utf8'))).toMatchObject({
      commit: passed,
      seconds: 1500,
    });
    commit('docs/page.md', 'words\n');
    commit('src/flows/flows.service.ts', 'export const x = 1;\n');
    const verdict = fullTierDue(repo);
    expect(verdict.due).toBe(false);
    expect(verdict.why).toContain(`passed at ${passed.slice(0, 12)}`);
  });

  it('is due once a change touches the store, an engine, a wing store or the dependencies', () => {
    for (const path of [
      'src/store/x.ts',
      'src/db/engines/postgres/y.ts',
      'src/search/store/z.ts',
      'package-lock.json',
    ]) {
      pass();
      commit(path, `${path}\n`);
      const verdict = fullTierDue(repo);
      expect(verdict, path).toMatchObject({ due: true });
      expect(verdict.why).toContain(path);
    }
  });

  it('is due after more commits than the limit, whatever they touch', () => {
    pass();
    // The record's own commit counts: four commits since the pass.
    for (let i = 0; i < 3; i++) commit('docs/page.md', `words ${i}\n`);
    expect(fullTierDue(repo, 4).due).toBe(false);
    commit('docs/page.md', 'more words\n');
    expect(fullTierDue(repo, 4)).toMatchObject({
      due: true,
      why: expect.stringContaining('5 commits since'),
    });
  });

  it('is due where the recorded commit is not an ancestor of HEAD', () => {
    pass();
    const recorded = readFileSync(join(repo, RECORD), 'utf8');
    git('checkout', '-q', '-b', 'other', 'HEAD~3');
    writeFileSync(join(repo, RECORD), recorded);
    git('add', RECORD);
    git('commit', '-q', '-m', 'record carried over');
    expect(fullTierDue(repo)).toMatchObject({ due: true, why: expect.stringContaining('not an ancestor') });
    git('checkout', '-q', 'main');
  });

  it('is not recorded where tracked files differ from HEAD', () => {
    writeFileSync(join(repo, 'README.md'), 'changed, not committed\n');
    expect(() => recordPass(repo, 1)).toThrow(/tracked files differ from HEAD/);
    git('checkout', '-q', '--', 'README.md');
  });
});
