/**
 * The replica benchmark's requests (replicas.bench.ts): loads spread over the servers as a
 * balancer would, operations one at a time in turn over them, bulk streams, and each run's CPU
 * of the servers and of the database, and the conflicts the servers counted.
 */

import { quietCpu, sumCpuMs } from './bench.cpu.ts';
import type { Dataset } from './bench.dataset.ts';
import { type LoadOptions, type LoadResult, startLoad } from './bench.load.ts';
import type { RunningServer } from './bench.server.ts';
import type { BenchBackend } from './replicas.backends.ts';

/** A load on every server at once, each with `connections`. */
export interface SteadyLoad {
  connections: number;
  /** Requests a second each server gets at most (none: as fast as it answers). */
  rate?: number;
  /** Seconds of load before the measured window (compiling, first collections, queues filling). */
  warmup: number;
  /** Seconds of the measured window. */
  duration: number;
  request: (replica: number) => Pick<LoadOptions, 'method' | 'next'>;
}

/**
 * One load per server side by side, each with `connections` (N replicas carry N times one's
 * load, as when replicas are added for more clients), measured in a window of steady load after
 * the warm-up: the answers that arrived in it (their rate and latencies), and the CPU of the
 * servers and of the database and the conflicts the servers counted over it. Work the window
 * did not finish is not in its CPU, as work from before it is: at steady load they balance,
 * where counting from the start of a run to when everything is quiet again charges every
 * request still queued at the end without counting it (a run with long queues looked dearer).
 * Then waits until everything is quiet, for the next run.
 */
export async function steady(
  servers: readonly RunningServer[],
  backend: BenchBackend,
  load: SteadyLoad,
): Promise<RunCost<LoadResult>> {
  const pids = servers.map((s) => s.pid);
  let counting = false;
  let ok = 0;
  let failed = 0;
  const latencies: number[] = [];
  // Longer than the window: stopped when it ends, so every server is under load all through it.
  const length = load.warmup + load.duration + 30;
  const runs = servers.map((s, i) => {
    const run = startLoad(
      { url: s.url, headers: s.headers, connections: load.connections, rate: load.rate, ...load.request(i) },
      length,
    );
    run.instance.on('response', (_client, status, _bytes, ms) => {
      if (!counting) return;
      if (status >= 200 && status < 300) {
        ok++;
        latencies.push(ms);
      } else failed++;
    });
    run.instance.on('reqError', () => {
      if (counting) failed++;
    });
    return run;
  });
  try {
    await sleep(load.warmup * 1000);
    const conflicts0 = await conflictsOf(servers);
    const server0 = sumCpuMs(pids);
    const db0 = backend.dbCpuMs();
    const from = performance.now();
    counting = true;
    await sleep(load.duration * 1000);
    counting = false;
    const seconds = (performance.now() - from) / 1000;
    const serverMs = sumCpuMs(pids) - server0;
    const db1 = backend.dbCpuMs();
    const conflicts = (await conflictsOf(servers)) - conflicts0;
    for (const run of runs) run.instance.stop();
    await Promise.all(runs.map((r) => r.done));
    const settled = await quietCpu(() => sumCpuMs(pids) + (backend.dbCpuMs() ?? 0));
    return {
      result: {
        rps: ok / seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        ok,
        failed,
        seconds,
      },
      serverMs,
      dbMs: db0 === undefined || db1 === undefined ? undefined : db1 - db0,
      conflicts,
      settled,
    };
  } finally {
    for (const run of runs) run.instance.stop();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The data set's Flows split by a hash of their id, as a balancer hashing the path would. */
export function byFlow(dataset: Dataset, parts: number): Dataset[] {
  const split = Array.from({ length: parts }, () => [] as string[]);
  for (const id of dataset.flowIds) split[Number.parseInt(id.slice(0, 8), 16) % parts]?.push(id);
  return split.map((flowIds) => ({ ...dataset, flowIds: flowIds.length > 0 ? flowIds : dataset.flowIds }));
}

/** The p-th percentile of `ms` (nearest rank). */
export function percentile(ms: readonly number[], p: number): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** `n` operations one after another, the i-th on server i mod count; the latency of each (ms). */
export async function inTurn(
  servers: readonly RunningServer[],
  n: number,
  op: (server: RunningServer) => Promise<void>,
): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(servers[i % servers.length] as RunningServer);
    ms.push(performance.now() - t);
  }
  return ms;
}

/** A request that must answer `status`; its body read. */
export async function send(
  server: RunningServer,
  path: string,
  init: { method?: string; body?: string; status: number },
): Promise<void> {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers:
      init.body === undefined ? server.headers : { ...server.headers, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  if (res.status !== init.status)
    throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text.slice(0, 300)}`);
}

const CONFLICTS = /^tams_store_transaction_conflicts_total (\S+)$/m;

/** Transactions the servers ran again after a conflict (their /metrics), summed. */
export async function conflictsOf(servers: readonly RunningServer[]): Promise<number> {
  let total = 0;
  for (const s of servers) {
    const text = await (await fetch(`${s.url}/metrics`, { headers: s.headers })).text();
    const found = CONFLICTS.exec(text)?.[1];
    if (found === undefined) throw new Error('/metrics has no tams_store_transaction_conflicts_total');
    total += Number(found);
  }
  return total;
}

/** CPU (ms a second) the servers, each, and the database use with nothing asked of them. */
export async function idleCpu(
  servers: readonly RunningServer[],
  backend: BenchBackend,
  ms = 2000,
): Promise<{ server: number; db: number | undefined }> {
  const pids = servers.map((s) => s.pid);
  const server0 = sumCpuMs(pids);
  const db0 = backend.dbCpuMs();
  await new Promise((r) => setTimeout(r, ms));
  const db1 = backend.dbCpuMs();
  return {
    server: ((sumCpuMs(pids) - server0) * 1000) / ms / servers.length,
    db: db0 === undefined || db1 === undefined ? undefined : ((db1 - db0) * 1000) / ms,
  };
}

/** What one run cost: CPU (ms) of the servers and of the database's processes, conflicts. */
export interface RunCost<T> {
  result: T;
  serverMs: number;
  dbMs: number | undefined;
  conflicts: number;
  /** Seconds from the end of `work` until the processes were quiet. */
  settled: number;
}

/**
 * Runs `work` (operations that all end with it: bulk batches) and measures, from its start until the servers and the database are quiet again
 * (what the servers had accepted answered, the followers caught up), the CPU they used and the
 * conflicts the servers counted. The metrics are read outside the CPU window.
 */
export async function measured<T>(
  servers: readonly RunningServer[],
  backend: BenchBackend,
  work: () => Promise<T>,
): Promise<RunCost<T>> {
  const pids = servers.map((s) => s.pid);
  const conflicts0 = await conflictsOf(servers);
  const server0 = sumCpuMs(pids);
  const db0 = backend.dbCpuMs();
  const result = await work();
  const settled = await quietCpu(() => sumCpuMs(pids) + (backend.dbCpuMs() ?? 0));
  const serverMs = sumCpuMs(pids) - server0;
  const db1 = backend.dbCpuMs();
  const dbMs = db0 === undefined || db1 === undefined ? undefined : db1 - db0;
  return { result, serverMs, dbMs, conflicts: (await conflictsOf(servers)) - conflicts0, settled };
}
