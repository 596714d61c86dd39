/**
 * Child processes of a test file (servers, MinIO, the CLI), stopped whatever becomes of the test
 * that started them. A test that times out does not run the rest of its body, and vitest may end
 * the worker before every afterAll has finished; a server started there once ran on for 40
 * minutes after the suite, holding its data directory's lock. So each child is started under
 * `setpriv --pdeathsig SIGKILL` (util-linux): the kernel kills it when the worker that started it
 * exits, however it exits. Children still running when the worker exits normally are killed by
 * its exit hook too, for systems without setpriv.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';
export const RUN_MARK = 'TEST_RUN_MARK';
const withSetpriv = process.platform === 'linux' && existsSync(SETPRIV);
const running = new Set<ChildProcess>();
/** Children spawned `detached`: each leads a process group of its own, stopped as a whole. */
const leaders = new WeakSet<ChildProcess>();

process.once('exit', () => {
  for (const child of running) stop(child, 'SIGKILL');
});

/** True until the process has exited (its exit code or signal is known). */
export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * `spawn`, with the child tied to this worker's life. `setpriv` execs the command in place, so the
 * child's pid is the command's own: signals sent to it (or to its group, when `detached`) reach
 * the command itself.
 */
export function spawnChild(command: string, args: readonly string[], given: SpawnOptions): ChildProcess {
  // The run's mark (test/helpers/global.processes.ts) goes with an environment given in full too.
  const mark = process.env[RUN_MARK];
  const options =
    given.env && mark !== undefined ? { ...given, env: { ...given.env, [RUN_MARK]: mark } } : given;
  const child = withSetpriv
    ? spawn(SETPRIV, ['--pdeathsig', 'SIGKILL', '--', command, ...args], options)
    : spawn(command, args, options);
  running.add(child);
  if (options.detached) leaders.add(child);
  child.once('exit', () => running.delete(child));
  // A spawn that fails (ENOENT) emits 'error' and no 'exit'.
  child.once('error', () => running.delete(child));
  return child;
}

/** Sends `signal` to `child`, or to its process group when it leads one (spawned `detached`). */
function stop(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!isRunning(child) || child.pid === undefined) return;
  try {
    process.kill(leaders.has(child) ? -child.pid : child.pid, signal);
  } catch {
    // Gone between the check and the kill.
  }
}

/** Kills `child` (and its group, when it leads one) and resolves once it has exited. */
export async function killChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stop(child, signal);
  await exited;
}

/** What a child printed until it exited: its status (null when killed) and its output. */
export interface ChildRun {
  code: number | null;
  /** stdout and stderr as they arrived, interleaved. */
  output: string;
  out: string;
  err: string;
}

/**
 * Collects everything `child` (spawned with stdout and stderr piped) prints and resolves when it
 * exits; a child still running after `deadlineMs` is killed, and resolves with status null.
 */
export function runToEnd(child: ChildProcess, deadlineMs: number): Promise<ChildRun> {
  const run: ChildRun = { code: null, output: '', out: '', err: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    run.out += chunk.toString();
    run.output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    run.err += chunk.toString();
    run.output += chunk.toString();
  });
  const guard = setTimeout(() => void killChild(child), deadlineMs);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(guard);
      run.code = code;
      resolve(run);
    });
  });
}
