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
  stop(): Promise<void>;
}

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

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not come up:\n${output()}`);
}

async function spawnNode(
  script: string,
  env: Record<string, string>,
  probe: string,
  headers: Record<string, string> = {},
): Promise<RunningServer> {
  const port = await freePort();
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
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}${probe}`, child, () => output);
  const pid = child.pid as number;
  return {
    url,
    headers,
    pid,
    rss: () => rssOf(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The admin token the benchmark registers through TAMS_BOOTSTRAP_ADMIN_TOKEN: every request is
 * authenticated, so the figures include the per-request token check a deployment pays.
 */
const BENCH_TOKEN = 'tams-bench-admin-token-0001';

/** tams-server itself, as `npm start` runs it (authentication required), on the data set's directory. */
export function startTams(dir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  return spawnNode(
    '../src/main.ts',
    {
      TAMS_DATA_DIR: dir,
      TAMS_LOG_LEVEL: 'warn',
      TAMS_AUTH: 'required',
      TAMS_BOOTSTRAP_ADMIN_TOKEN: BENCH_TOKEN,
      ...env,
    },
    '/ready',
    { authorization: `Bearer ${BENCH_TOKEN}` },
  );
}

/** The limit every ratio is measured against: a bare Fastify route returning `payloadFile`'s JSON. */
export function startBaseline(payloadFile: string): Promise<RunningServer> {
  return spawnNode('./baseline.server.ts', { BASELINE_PAYLOAD: payloadFile }, '/ready');
}
