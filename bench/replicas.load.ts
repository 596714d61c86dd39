/**
 * The replica benchmark's requests (replicas.bench.ts): loads spread over the servers as a
 * balancer would, operations one at a time in turn over them, bulk streams, and each run's CPU
 * of the servers and of the database, and the conflicts the servers counted.
 */

import { quietCpu, sumCpuMs } from './bench.cpu.ts';
import type { Dataset } from './bench.dataset.ts';
import { type LoadResult, load } from './bench.load.ts';
import type { RunningServer } from './bench.server.ts';
import type { BenchBackend } from './replicas.backends.ts';

/** Loads run side by side, one per server, `connections` split between them; summed. */
export async function spread(
  servers: readonly RunningServer[],
  connections: number,
  duration: number,
  request: (replica: number) => Pick<Parameters<typeof load>[0], 'method' | 'next'>,
): Promise<LoadResult> {
  const results = await Promise.all(
    servers.map((s, i) =>
      load({
        url: s.url,
        headers: s.headers,
        duration,
        connections: Math.max(1, Math.round(connections / servers.length)),
        ...request(i),
      }),
    ),
  );
  return {
    rps: results.reduce((n, r) => n + r.rps, 0),
    // The slowest replica's: a client behind the balancer meets each of them.
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    ok: results.reduce((n, r) => n + r.ok, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    seconds: Math.max(...results.map((r) => r.seconds)),
  };
}

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

/** What one run cost: CPU (ms) of the servers and of the database's processes, conflicts. */
export interface RunCost<T> {
  result: T;
  serverMs: number;
  dbMs: number | undefined;
  conflicts: number;
}

/**
 * Runs `work` and measures, from its start until the servers and the database are quiet again
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
  await quietCpu(() => sumCpuMs(pids) + (backend.dbCpuMs() ?? 0));
  const serverMs = sumCpuMs(pids) - server0;
  const db1 = backend.dbCpuMs();
  const dbMs = db0 === undefined || db1 === undefined ? undefined : db1 - db0;
  return { result, serverMs, dbMs, conflicts: (await conflictsOf(servers)) - conflicts0 };
}
