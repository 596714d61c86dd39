/**
 * The run's last check: no process started by a test outlives the suite. Every test worker
 * inherits TEST_RUN_MARK, and children.ts's spawnChild passes it on to every child; at the
 * end of the run any process still carrying it is killed and named, and the run fails.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { RUN_MARK as MARK } from './children.ts';

interface Leftover {
  pid: number;
  command: string;
}

function carriers(mark: string): Leftover[] {
  if (process.platform !== 'linux') return [];
  const found: Leftover[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      // vitest's own workers (this process's children) may still be closing.
      if (parentOf(pid) === process.pid) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!env.includes(`${MARK}=${mark}`)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid, command });
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/** The parent pid, the 4th field of /proc/<pid>/stat (after the command in parentheses). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * A grace for helpers that end on their own once their parent is gone (esbuild's service process,
 * which tsx and vite start, exits when its stdin closes): only what is still there after it counts.
 */
const GRACE_MS = 10_000;

async function settled(mark: string): Promise<Leftover[]> {
  const until = Date.now() + GRACE_MS;
  let left = carriers(mark);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = carriers(mark);
  }
  return left;
}

export function setup(): () => Promise<void> {
  const mark = randomUUID();
  process.env[MARK] = mark;
  return async () => {
    const left = await settled(mark);
    for (const { pid } of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (left.length > 0) {
      const list = left.map(({ pid, command }) => `  ${pid}: ${command.slice(0, 200)}`).join('\n');
      // vitest reports an error thrown here but still exits 0: the exit code is set instead.
      console.error(`${left.length} process(es) started by the tests outlived them (killed now):\n${list}`);
      process.exitCode = 1;
    }
  };
}
