/**
 * CPU time of processes the benchmark does not run in Node (a database's tree of processes), and
 * a wait for a set of processes to go quiet. Read from /proc: user and system time, clock ticks
 * of 10 ms (bench.server.ts cpuTimes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpuMs } from './bench.server.ts';

/** Fields of /proc/<pid>/stat after the command's closing parenthesis (state is index 0). */
function statFields(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
  } catch {
    return undefined; // gone meanwhile
  }
}

const TICK_MS = 10;

/**
 * CPU (user + system, ms) used so far by `root` and every process below it, plus what its
 * children that have exited used (the kernel adds that to their parent's cutime and cstime once
 * it has reaped them): a PostgreSQL postmaster's backends, checkpointer, WAL writer. A backend
 * that exited and was not reaped yet between two reads is missed: connections live as long as
 * the servers' pools, so that is at most a few.
 */
export function treeCpuMs(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = Number(statFields(pid)?.[1]);
    if (!Number.isInteger(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  let ticks = 0;
  const own = statFields(root);
  // utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 here.
  if (own) ticks += Number(own[13]) + Number(own[14]);
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
    pending.push(...(children.get(pid) ?? []));
  }
  return ticks * TICK_MS;
}

/** A set of processes is quiet once it used less than this share of a core over two windows. */
const QUIET_SHARE = 0.1;
const QUIET_WINDOW_MS = 300;

/**
 * Waits until `cpu()` (the CPU of the processes under test, ms) grows by less than QUIET_SHARE of
 * a core over two windows in a row: the load generator stops at its deadline, but the servers
 * still finish what they had accepted and their followers (outbox, search, events) catch up.
 * Returns the seconds waited (at most `timeoutMs`).
 */
export async function quietCpu(cpu: () => number, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  let calm = 0;
  let before = cpu();
  while (calm < 2 && performance.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, QUIET_WINDOW_MS));
    const now = cpu();
    calm = now - before < QUIET_SHARE * QUIET_WINDOW_MS ? calm + 1 : 0;
    before = now;
  }
  return (performance.now() - started) / 1000;
}

/** The CPU (ms) of a set of Node processes (the replicas), summed. */
export function sumCpuMs(pids: readonly number[]): number {
  return pids.reduce((n, pid) => n + cpuMs(pid), 0);
}
