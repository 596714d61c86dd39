/**
 * Runs one of BBC's example scripts as its README says (`python <script> --tams-url <URL> ...`),
 * from the published folder, with basic credentials in USERNAME and PASSWORD (the scripts read
 * them from the environment). The environment is built whole: an OAUTH2_URL, CLIENT_ID or proxy
 * setting of the caller's would change what the scripts do (OAuth2 wins over basic; the 8.2
 * scripts' aiohttp sessions trust the environment's proxies).
 */
import { join } from 'node:path';
import { runToEnd, spawnChild } from '../helpers/children.ts';
import { WAIT_MS } from '../helpers/deadlines.ts';
import { type Mount, PYTHON, scriptsDir } from './examples.plan.ts';

export type Script = 'ingest_hls.py' | 'outgest_file.py' | 'simple_edit.py';

export interface ScriptRun {
  /** Exit status; null when killed at the deadline. */
  code: number | null;
  /** stdout and stderr together, as they came (the scripts log to stderr and print to stdout). */
  output: string;
  /** The command line, for failure messages (the password is in the environment, not here). */
  command: string;
}

export interface Target {
  /** The server's origin, `http://127.0.0.1:N`. */
  origin: string;
  username: string;
  password: string;
}

/** A script may take this long on a loaded 2-core machine (idle: 1-3 s, most of it importing PyAV). */
const SCRIPT_DEADLINE_MS = 2 * WAIT_MS;

/** `--tams-url` for a mount: the origin and the mount's base (the scripts strip a trailing `/`). */
export function tamsUrl(target: Target, mount: Mount): string {
  return `${target.origin}${mount.base}`;
}

export function runScript(
  mount: Mount,
  script: Script,
  args: readonly string[],
  target: Target,
  cwd: string,
): Promise<ScriptRun> {
  const argv = [join(scriptsDir(mount.version), script), '--tams-url', tamsUrl(target, mount), ...args];
  const command = `python ${argv.join(' ')}`;
  const child = spawnChild(PYTHON, argv, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      USERNAME: target.username,
      PASSWORD: target.password,
      // The published folder is read-only: no __pycache__ attempts beside the scripts.
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
      NO_PROXY: '127.0.0.1,localhost',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return runToEnd(child, SCRIPT_DEADLINE_MS).then(({ code, output }) => ({ code, output, command }));
}

/** What a failed run says: its command and the end of its output (a traceback's last lines). */
export function describeRun(run: ScriptRun): string {
  const tail = run.output.trimEnd().split('\n').slice(-12).join('\n');
  return `${run.command}\nexit ${run.code}\n${tail}`;
}

/** The last line of a failed run: where a script stopped (`KeyError: 'ts_offset'`, a 404...). */
export function stopLine(run: ScriptRun): string {
  return run.output.trimEnd().split('\n').at(-1) ?? '';
}
