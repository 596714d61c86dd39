/**
 * Test support: the real server as a child process (`node --import tsx src/main.ts`), as an
 * operator runs it, so that signals and process exit are the real ones.
 */
import type { ChildProcess } from 'node:child_process';
import { awaitListening, START_DEADLINE_MS } from '../../tools/server-process.ts';
import { runToEnd, spawnChild } from '../helpers/children.ts';

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** Log lines (pino JSON) seen so far. */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

const ROOT = new URL('../../', import.meta.url);

export async function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAMS_')));
  const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...inherited,
      TAMS_HOST: '127.0.0.1',
      TAMS_PORT: '0',
      TAMS_AUTH: 'none',
      TAMS_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { url, logs, exited } = await awaitListening(child, START_DEADLINE_MS);
  return { url, process: child, logs, exited };
}

/**
 * Runs src/main.ts with exactly `env` (and PATH) for a start that must fail: resolves with its
 * exit code and all it printed. A server that started after all is killed at the start deadline.
 */
export function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return runToEnd(child, START_DEADLINE_MS).then(({ code, output }) => ({ code, output }));
}
