/** tams-mgmt run in-process, as its bin runs it, with its output collected; or as a process. */
import { runMgmt } from '../../mgmt/mgmt.cli.ts';
import { runToEnd, spawnChild } from './children.ts';
import { WAIT_MS } from './deadlines.ts';

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs tams-mgmt with `argv`, `env` and what standard input holds. */
export async function runCli(
  argv: readonly string[],
  options: { env: Record<string, string | undefined>; stdin?: string },
): Promise<Run> {
  let out = '';
  let err = '';
  const stdout = {
    write: (t: string) => {
      out += t;
      return true;
    },
  };
  const code = await runMgmt(argv, {
    env: options.env,
    stdout: stdout as never,
    stdin: async () => options.stdin ?? '',
    io: {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      interactive: false,
    },
  });
  return { code, out, err };
}

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Runs tams-mgmt as an operator does, in a process of its own (`node bin/tams-mgmt.mjs`), with
 * exactly the TAMS_* settings of `env` (the caller's are left out), and resolves with its exit
 * status and output. A run still going after `deadlineMs` is killed (its status is then null).
 */
export function runCliProcess(
  argv: readonly string[],
  options: { env: Record<string, string>; deadlineMs?: number },
): Promise<{ code: number | null; out: string; err: string }> {
  const inherited = Object.entries(process.env).filter(
    ([k]) => !k.startsWith('TAMS_') && k !== 'NODE_OPTIONS',
  );
  const child = spawnChild(process.execPath, ['bin/tams-mgmt.mjs', ...argv], {
    cwd: ROOT,
    env: { ...Object.fromEntries(inherited), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return runToEnd(child, options.deadlineMs ?? WAIT_MS).then(({ code, out, err }) => ({ code, out, err }));
}
