/**
 * A test that times out still stops every process it started (issue 45, item 11): a nested
 * vitest run whose one test gives up while the server it spawned is running, with no afterAll to
 * stop it. Once that run has ended, the server is gone, and the run's own check found nothing
 * left over.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { SLOW_TEST_MS, WAIT_MS } from '../helpers/deadlines.ts';
import { tempDir } from '../helpers/server.ts';

const repo = join(import.meta.dirname, '..', '..');

/** Running: its /proc entry exists and it is not a zombie (an orphan nobody has reaped yet). */
function alive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return false;
  }
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/**
 * Whether `pid` is gone within WAIT_MS: the kill a process gets when its parent ends is
 * delivered, and acted on, after the parent's exit, so right after the run it may still be running.
 */
async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Runs the nested suite; resolves with its exit code and output (it is expected to fail). */
function nestedRun(dir: string): Promise<{ code: number | null; output: string }> {
  // The outer run's vitest variables would make the inner one think it is a worker.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'TEST'),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        join(repo, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        'test/tools/fixtures/children.vitest.ts',
      ],
      { cwd: repo, env: { ...env, CHILDREN_FIXTURE_DIR: dir }, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, output: stdout + stderr }),
    );
  });
}

describe('a test that times out holding a server', () => {
  const dir = tempDir('tams-children-');
  afterAll(() => dir.remove());

  it(
    'leaves no server running once its run has ended',
    async () => {
      const { code, output } = await nestedRun(dir.path);
      expect(output).toContain('Test timed out in 500ms');
      expect(code, output).toBe(1);
      const pid = Number(readFileSync(join(dir.path, 'server.pid'), 'utf8'));
      expect(pid).toBeGreaterThan(0);
      expect(await gone(pid)).toBe(true);
      expect(output).not.toContain('outlived them');
    },
    SLOW_TEST_MS,
  );
});
