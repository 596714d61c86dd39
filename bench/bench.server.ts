/** Servers under test, each in its own process so the load generator does not share its CPU. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface RunningServer {
  url: string;
  /** Headers every request to it carries (tams-server runs with authentication on, as deployed). */
  headers: Record<string, string>;
  pid: number;
  /** Resident set size of the server process, in bytes. */
  rss(): number;
  /** Seconds from the spawn to the first answer of any status, and to the probe's first 200. */
  started: { listening: number; ready: number };
  stop(): Promise<void>;
  /** SIGKILL: the process dies at once, as in a crash (no shutdown, no checkpoint). */
  kill(): Promise<void>;
}

/** Every server spawned and not yet exited: killed if the benchmark itself exits first. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** User and system CPU time a process has used so far, in ms (/proc, clock ticks of 10 ms). */
export function cpuTimes(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** A server is quiet once it used less than this share of a core over two windows in a row. */
const QUIET_SHARE = 0.1;
const QUIET_WINDOW_MS = 500;

/**
 * Waits until `server` is quiet: the work a run left behind (its outbox followers, the journal's
 * applies, a checkpoint, index snapshots) done, so that it neither slows the next run nor takes
 * the CPU a baseline measured beside it would have. Returns the seconds waited (at most
 * `timeoutMs`, then it goes on).
 */
export async function quiet(server: RunningServer, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  let calm = 0;
  let before = cpuMs(server.pid);
  while (calm < 2 && performance.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, QUIET_WINDOW_MS));
    const now = cpuMs(server.pid);
    calm = now - before < QUIET_SHARE * QUIET_WINDOW_MS ? calm + 1 : 0;
    before = now;
  }
  return (performance.now() - started) / 1000;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

/**
 * Polls `url` until it answers 200, every 20 ms so start-up times are read to a few hundredths
 * of a second; returns the seconds from `since` to the first answer and to the first 200.
 */
async function waitUntilUp(
  url: string,
  child: ChildProcess,
  output: () => string,
  since: number,
  timeoutMs: number,
): Promise<{ listening: number; ready: number }> {
  const deadline = Date.now() + timeoutMs;
  let listening: number | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited with ${child.exitCode ?? child.signalCode}:\n${output()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      const at = (performance.now() - since) / 1000;
      listening ??= at;
      if (res.ok) return { listening, ready: at };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`server did not come up within ${timeoutMs / 1000} s:\n${output()}`);
}

async function spawnNode(
  script: string,
  env: Record<string, string>,
  probe: string,
  headers: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<RunningServer> {
  const port = await freePort();
  const since = performance.now();
  const child = spawn(
    process.execPath,
    // The young-generation size `npm start` and the image give the server; the baseline gets it too.
    // BENCH_NODE_FLAGS adds flags of one's own (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
    [
      '--max-semi-space-size=32',
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== ''),
      '--import',
      'tsx',
      fileURLToPath(new URL(script, import.meta.url)),
    ],
    {
      env: { ...process.env, ...env, PORT: String(port), TAMS_PORT: String(port), TAMS_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output = (output + String(d)).slice(-4000);
  });
  child.stderr?.on('data', (d) => {
    output = (output + String(d)).slice(-4000);
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  let started: RunningServer['started'];
  try {
    started = await waitUntilUp(`${url}${probe}`, child, () => output, since, timeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = child.pid as number;
  const end = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return {
    url,
    headers,
    pid,
    rss: () => rssOf(pid),
    started,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}

/**
 * The admin token the benchmark registers through TAMS_BOOTSTRAP_ADMIN_TOKEN: every request is
 * authenticated, so the figures include the per-request token check a deployment pays.
 */
const BENCH_TOKEN = 'tams-bench-admin-token-0001';

/**
 * tams-server itself, as `npm start` runs it (authentication required), on the data set's
 * directory. `readyTimeoutMs`: how long `/ready` may take (a server that loads every Flow's
 * segment index before it is ready takes minutes on the largest data sets).
 */
export function startTams(
  dir: string,
  env: Record<string, string> = {},
  readyTimeoutMs = 120_000,
  /** The entry point, relative to bench/ (bench/broadcast.main.ts: the store without its accelerator). */
  script = '../src/main.ts',
): Promise<RunningServer> {
  return spawnNode(
    script,
    {
      TAMS_DATA_DIR: dir,
      TAMS_LOG_LEVEL: 'warn',
      TAMS_AUTH: 'required',
      TAMS_BOOTSTRAP_ADMIN_TOKEN: BENCH_TOKEN,
      ...env,
    },
    '/ready',
    { authorization: `Bearer ${BENCH_TOKEN}` },
    readyTimeoutMs,
  );
}

/**
 * The limit every ratio is measured against: a bare Fastify route returning `payloadFile`'s JSON,
 * and one that parses a POSTed JSON body and answers 201 (baseline.server.ts).
 */
export function startBaseline(payloadFile: string): Promise<RunningServer> {
  return spawnNode('./baseline.server.ts', { BASELINE_PAYLOAD: payloadFile }, '/ready');
}
