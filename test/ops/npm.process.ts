/**
 * Test support: `npm start` as a person runs it in a terminal. The terminal puts the command in
 * a process group of its own and sends Ctrl-C's SIGINT to the whole group; here the group is
 * made by spawning npm detached, and `interrupt` signals it the same way.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awaitListening, START_DEADLINE_MS } from '../../tools/server-process.ts';
import { spawnChild } from '../helpers/children.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface NpmServer {
  url: string;
  npm: ChildProcess;
  /** The pid of the process that serves (its log lines name it). */
  serverPid: number;
  logs: Record<string, unknown>[];
  stderr: () => string;
  /** npm's exit: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first API token, written at the first start (authentication is on, as by default). */
  token: () => string;
}

/** The environment without the caller's TAMS_* settings or NODE_OPTIONS (which could load tsx). */
function cleanEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([k]) => !k.startsWith('TAMS_') && k !== 'NODE_OPTIONS',
  );
  return { ...Object.fromEntries(inherited), ...settings };
}

/** `npm start` in the repository with `dataDir`, once it listens and is ready. */
export async function startNpm(dataDir: string, settings: Record<string, string> = {}): Promise<NpmServer> {
  const npm = spawnChild('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv({
      TAMS_HOST: '127.0.0.1',
      TAMS_PORT: '0',
      TAMS_DATA_DIR: dataDir,
      TAMS_LOG_LEVEL: 'info',
      ...settings,
    }),
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    const { url, logs, stderr } = await awaitListening(npm, START_DEADLINE_MS);
    const serverPid = Number(logs.find((l) => typeof l.pid === 'number')?.pid);
    // Listening comes before ready (workers start, the store opens its caches).
    const deadline = Date.now() + START_DEADLINE_MS;
    for (;;) {
      const ready = await fetch(`${url}/ready`).catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`not ready in ${START_DEADLINE_MS} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const token = () => readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    return { url, npm, serverPid, logs, stderr, exited, token };
  } catch (error) {
    killGroup(npm);
    throw error;
  }
}

/** Ctrl-C in the terminal: SIGINT to every process of the group. */
export function interrupt(server: NpmServer): void {
  process.kill(-(server.npm.pid as number), 'SIGINT');
}

/** Whether process `pid` (or, negative, any process of group -pid) is still there. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Ends whatever the group still holds (after a failed test). */
export function killGroup(npm: ChildProcess): void {
  try {
    process.kill(-(npm.pid as number), 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Resolves once a log line satisfies `match` (lines already seen included). */
export async function logged(
  server: NpmServer,
  match: (entry: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const stdout = server.npm.stdout as NodeJS.ReadableStream & { closed: boolean };
  for (;;) {
    const found = server.logs.find(match);
    if (found) return found;
    if (stdout.closed) throw new Error('the output ended before the line was logged');
    await new Promise<void>((resolve) => {
      const next = () => {
        stdout.off('data', next);
        stdout.off('close', next);
        resolve();
      };
      stdout.on('data', next);
      stdout.on('close', next);
    });
  }
}
