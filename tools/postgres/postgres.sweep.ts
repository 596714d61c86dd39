/**
 * Temporary directories of throwaway PostgreSQL servers whose process died without removing them
 * (a test worker killed with SIGKILL: the kernel kills its server, nothing removes the directory),
 * swept when the next server starts. A directory is removed only when nothing can still be using
 * it: its name is this tool's, it is a real directory (not a link), the process that made it is
 * gone (its `owner` file: pid and start time, so a reused pid is told apart), and the server it
 * held is gone too (PostgreSQL's own `postmaster.pid`). A directory made before owner files were
 * written is removed when it has no live server and has not changed for an hour.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { lstat, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DIRECTORY_PREFIX = 'tams-postgres-';
const OWNER_FILE = 'owner';
/** Age past which a directory without an owner file and without a live server is left over. */
const UNOWNED_AFTER_MS = 60 * 60 * 1000;

interface Owner {
  pid: number;
  /** The process's start time (Linux: clock ticks after boot, /proc/<pid>/stat); null elsewhere. */
  start: string | null;
}

/** The start time of process `pid`, null where /proc cannot tell (then pids are compared alone). */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), from the last ')': state is field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Running: it exists and is not a zombie (dead, not yet reaped by whoever adopted it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    // No /proc (not Linux), or gone meanwhile: the signal's answer stands.
    return !existsSync('/proc/self');
  }
}

/** Marks `directory` as this process's, for the sweeps of later starts. */
export async function markOwner(directory: string): Promise<void> {
  const owner: Owner = { pid: process.pid, start: startTime(process.pid) };
  await writeFile(join(directory, OWNER_FILE), JSON.stringify(owner));
}

async function ownerGone(directory: string): Promise<boolean | undefined> {
  let owner: Owner;
  try {
    owner = JSON.parse(await readFile(join(directory, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return undefined;
  if (!alive(owner.pid)) return true;
  // The pid lives on in another process when its start time differs.
  return owner.start !== null && startTime(owner.pid) !== null && startTime(owner.pid) !== owner.start;
}

async function serverAlive(directory: string): Promise<boolean> {
  try {
    const pid = Number((await readFile(join(directory, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && alive(pid);
  } catch {
    return false;
  }
}

/** The newest change to the directory or its data folder (initdb and the server write there). */
async function lastChange(directory: string): Promise<number> {
  const times = await Promise.all(
    [directory, join(directory, 'data')].map((p) =>
      stat(p).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  return Math.max(...times);
}

/**
 * Removes the left-over server directories in the temporary folder; returns those removed.
 * Failures are ignored: a directory that cannot be read or removed is left as it was.
 */
export async function sweepLeftovers(root: string = tmpdir()): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(DIRECTORY_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const directory = join(root, name);
    try {
      if (!(await lstat(directory)).isDirectory()) continue;
      const gone = await ownerGone(directory);
      if (gone === false || (await serverAlive(directory))) continue;
      if (gone === undefined && Date.now() - (await lastChange(directory)) < UNOWNED_AFTER_MS) continue;
      await rm(directory, { recursive: true, force: true });
      removed.push(directory);
    } catch {
      // Removed meanwhile by another sweep, or not ours to read: left alone.
    }
  }
  return removed;
}
