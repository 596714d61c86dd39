/**
 * `node --import tsx bench/vast.cpu.ts`: the server's CPU per operation and per VAST round trip,
 * measured without load: tams-server (TAMS_DB=vast) and the fake VAST server each in a process of
 * their own, then segment pages and single-segment POSTs one at a time (VAST_CPU_CONCURRENCY side
 * by side), with the CPU time (/proc) of the server and of the database and the fake's round-trip
 * counters read around each run. Quicker and steadier than the full benchmark for comparing the
 * CPU cost before and after a change. BENCH_ENGINE=postgres runs the same on a throwaway
 * PostgreSQL with fsync on (bench/replicas.backends.ts; its CPU is its processes'), =duckdb on the
 * embedded engine. VAST_CPU_NODE_FLAGS adds flags to the server's node (e.g. `--cpu-prof`; the
 * fake's: FAKE_NODE_FLAGS); the server's output goes to VAST_CPU_LOG if set.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDataset } from './bench.dataset.ts';
import { segmentsPath, singlePosts } from './bench.requests.ts';
import { cpuTimes, freePort } from './bench.server.ts';
import { type SharedEngine, startBackend } from './replicas.backends.ts';
import { type FakeCounts, startFakeVastProcess } from './vast.fake.ts';

const ROUNDS = Number(process.env.VAST_CPU_ROUNDS ?? 3);
const OPS = Number(process.env.VAST_CPU_OPS ?? 300);
/** Operations sent side by side (VAST_CPU_CONCURRENCY): 1, one at a time, unless asked. */
const CONCURRENCY = Math.max(1, Number(process.env.VAST_CPU_CONCURRENCY ?? 1));
const TOKEN = 'tams-bench-admin-token-0001';

const trips = (a: FakeCounts, b: FakeCounts) =>
  Object.entries(b.calls).reduce((n, [k, v]) => n + v - (a.calls[k as keyof FakeCounts['calls']] ?? 0), 0);

const engine = (process.env.BENCH_ENGINE ?? 'vast') as SharedEngine;
// The fake's counters on VAST; elsewhere the database is a backend without round-trip counts.
const fake = engine === 'vast' ? await startFakeVastProcess() : undefined;
const backend = fake ? undefined : await startBackend(engine, { statements: false });
const env = fake?.env ?? backend?.env ?? {};
const dbCpu = () => {
  if (fake) {
    const t = cpuTimes(fake.pid);
    return t.user + t.system;
  }
  return backend?.dbCpuMs() ?? 0;
};
const counts = async (): Promise<FakeCounts | undefined> => fake?.counts();
const dir = join(tmpdir(), `vast-cpu-${process.pid}`);
const dataset = await buildDataset(
  dir,
  { flows: 4, segments: 4000, spare: 50, bulk: 10 },
  false,
  () => {},
  env,
);
const port = await freePort();
const log = process.env.VAST_CPU_LOG;
const child: ChildProcess = spawn(
  process.execPath,
  [
    '--max-semi-space-size=32',
    ...(process.env.VAST_CPU_NODE_FLAGS ?? '').split(' ').filter((f) => f !== ''),
    '--import',
    'tsx',
    fileURLToPath(new URL('../src/main.ts', import.meta.url)),
  ],
  {
    env: {
      ...process.env,
      ...env,
      TAMS_DATA_DIR: dir,
      TAMS_LOG_LEVEL: 'warn',
      TAMS_AUTH: 'required',
      TAMS_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      TAMS_WORKER_IDLE_MS: '600000',
      TAMS_PORT: String(port),
      TAMS_HOST: '127.0.0.1',
    },
    stdio: ['ignore', log ? openSync(log, 'w') : 'ignore', log ? openSync(`${log}.err`, 'w') : 'ignore'],
  },
);
const url = `http://127.0.0.1:${port}`;
for (;;) {
  if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
  try {
    if ((await fetch(`${url}/ready`)).ok) break;
  } catch {
    // Not listening yet.
  }
  await new Promise((r) => setTimeout(r, 100));
}
const pid = child.pid as number;
const headers = { authorization: `Bearer ${TOKEN}` };
const posts = singlePosts(dataset);
const page = async () => {
  const res = await fetch(`${url}${segmentsPath(dataset)}`, { headers });
  if (res.status !== 200) throw new Error(`page: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
};
const post = async () => {
  const { path, body } = posts();
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  if (res.status !== 201) throw new Error(`POST: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
};
/** VAST_CPU_ONLY=page or =POST runs only that measurement (for a profile). */
const only = process.env.VAST_CPU_ONLY;
const run = async (name: string, op: () => Promise<void>) => {
  if (only !== undefined && !name.includes(only)) return;
  const c0 = await counts();
  const cpu0 = cpuTimes(pid);
  const db0 = dbCpu();
  for (let i = 0; i < OPS; i += CONCURRENCY) await Promise.all(Array.from({ length: CONCURRENCY }, op));
  const cpu1 = cpuTimes(pid);
  const db = dbCpu() - db0;
  const system = cpu1.system - cpu0.system;
  const cpu = cpu1.user - cpu0.user + system;
  const c1 = await counts();
  const n = c0 && c1 ? trips(c0, c1) : undefined;
  const perTrip =
    n === undefined ? '' : `, ${(n / OPS).toFixed(2)} round trips/op, ${(cpu / n).toFixed(3)} ms/round trip`;
  console.log(
    `${name.padEnd(12)} CPU ${(cpu / OPS).toFixed(2)} ms/op (${(system / OPS).toFixed(2)} in the kernel)${perTrip}; the database ${(db / OPS).toFixed(2)} ms/op`,
  );
};
try {
  // What the server and the fake burn with nothing asked of them (timers, workers, keep-alives):
  // charged to every operation below in proportion to how long it takes.
  const idle0 = [cpuTimes(pid), dbCpu()] as const;
  await new Promise((r) => setTimeout(r, 2000));
  const idle1 = [cpuTimes(pid), dbCpu()] as const;
  const server = (idle1[0].user - idle0[0].user + idle1[0].system - idle0[0].system) / 2;
  console.log(
    `${engine}; idle: server ${server.toFixed(0)} ms of CPU per s, the database ${((idle1[1] - idle0[1]) / 2).toFixed(0)}`,
  );
  for (let r = 0; r < ROUNDS; r++) {
    console.log(`round ${r + 1}${r === 0 ? ' (warm-up)' : ''}`);
    await run('page', page);
    await run('single POST', post);
  }
} finally {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  await fake?.stop();
  await backend?.stop();
}
