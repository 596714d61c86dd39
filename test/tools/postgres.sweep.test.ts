/**
 * Directories of throwaway PostgreSQL servers left behind by a process killed with SIGKILL are
 * swept when the next server starts, and nothing that may still be in use is: a live process's
 * server, a directory being made, a left-over whose server still runs.
 */
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailable, startPostgres } from '../../tools/postgres/postgres.server.ts';
import { sweepLeftovers } from '../../tools/postgres/postgres.sweep.ts';
import { killChild, spawnChild } from '../helpers/children.ts';
import { WAIT_MS } from '../helpers/deadlines.ts';

const repo = join(import.meta.dirname, '..', '..');
const available = postgresAvailable();

/** Running: its /proc entry exists and it is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still runs`);
    await sleep(20);
  }
}

describe.skipIf(!available)('left-over PostgreSQL directories', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tams-test-sweep-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("are swept at the next start once their process was killed, a live one's kept", async () => {
    const holder = spawnChild(
      process.execPath,
      ['--import', 'tsx', 'test/tools/fixtures/postgres.holder.ts'],
      {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let left: { directory: string; pid: number };
    try {
      const [line] = (await once(holder.stdout ?? holder, 'data')) as [Buffer];
      left = JSON.parse(line.toString()) as { directory: string; pid: number };
    } finally {
      await killChild(holder, 'SIGKILL');
    }
    // The kernel kills the holder's server with it; its directory stays.
    await gone(left.pid);
    expect(existsSync(left.directory)).toBe(true);
    const live = await startPostgres();
    try {
      const next = await startPostgres();
      await next.close();
      expect(existsSync(left.directory)).toBe(false);
      // The server of this live process was left alone, and still answers.
      expect(existsSync(live.directory)).toBe(true);
      const client = new pg.Client({ connectionString: live.url });
      await client.connect();
      await client.end();
    } finally {
      await live.close();
    }
  });

  it('keeps what may be in use: no owner file and recent, or a server still running', async () => {
    const made = (name: string, ageMs: number, postmaster?: number) => {
      const directory = join(scratch, `tams-postgres-${name}`);
      mkdirSync(join(directory, 'data'), { recursive: true });
      if (postmaster !== undefined)
        writeFileSync(join(directory, 'data', 'postmaster.pid'), `${postmaster}\n`);
      const when = new Date(Date.now() - ageMs);
      utimesSync(join(directory, 'data'), when, when);
      utimesSync(directory, when, when);
      return directory;
    };
    const hour = 60 * 60 * 1000;
    const recent = made('recent', 0);
    const running = made('running', 2 * hour, process.pid);
    const old = made('old', 2 * hour);
    const other = join(scratch, 'other-directory');
    mkdirSync(other);
    expect(await sweepLeftovers(scratch)).toEqual([old]);
    expect([recent, running, other].every((d) => existsSync(d))).toBe(true);
  });
});
