/**
 * How the broadcast benchmark measures one operation: first a number of them one at a time
 * (latency alone; CPU and, on VAST, the fake's requests, rows and bytes per operation, counted
 * exactly), then a window of steady load (rate, p50/p99, CPU per operation of the server and of
 * the database over the window, as bench/replicas.load.ts measures it).
 */

import { quietCpu } from './bench.cpu.ts';
import { startLoad } from './bench.load.ts';
import { cpuMs, type RunningServer } from './bench.server.ts';
import type { BroadcastBackend } from './broadcast.backend.ts';
import type { FakeCounts } from './vast.fake.ts';

export interface Request {
  path: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: string;
}

/** What the fake VAST server counted, per operation. */
export interface WireCost {
  requests: number;
  queries: number;
  rowsRead: number;
  rowsExamined: number;
  bytesIn: number;
  bytesOut: number;
}

export interface Measured {
  operation: string;
  /** Operations one at a time: how many, their p50/p99 (ms), CPU per operation (µs). */
  alone: { ops: number; p50: number; p99: number; serverUs: number; dbUs?: number; wire?: WireCost };
  /** The window of steady load, when the operation has one. */
  load?: {
    connections: number;
    ops: number;
    failed: number;
    /** The failed answers by status ('error': no answer, e.g. autocannon's timeout). */
    failures: Record<string, number>;
    rate: number;
    p50: number;
    p99: number;
    serverUs: number;
    dbUs?: number;
  };
}

export interface Measurer {
  server: RunningServer;
  backend: BroadcastBackend;
  say: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile of `ms` (nearest rank). */
export function percentile(ms: readonly number[], p: number): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** An answer, read. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** One request, its answer read; throws unless it answers `status` (or one of them). */
export async function send(server: RunningServer, r: Request, status: number | number[]): Promise<Answer> {
  const res = await fetch(`${server.url}${r.path}`, {
    method: r.method ?? 'GET',
    headers:
      r.body === undefined ? server.headers : { ...server.headers, 'content-type': 'application/json' },
    ...(r.body === undefined ? {} : { body: r.body }),
  });
  const text = await res.text();
  const wanted = Array.isArray(status) ? status : [status];
  if (!wanted.includes(res.status))
    throw new Error(`${r.method ?? 'GET'} ${r.path}: ${res.status} ${text.slice(0, 300)}`);
  return { status: res.status, headers: res.headers, text };
}

export function wireCost(before: FakeCounts, after: FakeCounts, ops: number): WireCost {
  const calls = (c: FakeCounts) => Object.values(c.calls).reduce((n, v) => n + v, 0);
  return {
    requests: (calls(after) - calls(before)) / ops,
    queries: (after.calls.query - before.calls.query) / ops,
    rowsRead: (after.rows - before.rows) / ops,
    rowsExamined: (after.examined - before.examined) / ops,
    bytesIn: (after.bytesIn - before.bytesIn) / ops,
    bytesOut: (after.bytesOut - before.bytesOut) / ops,
  };
}

/**
 * `count` operations one after another (stopping early, after at least `least`, once `budgetMs`
 * is spent: a page that scans a Flow from its start takes seconds at 10M), each done by `op`;
 * CPU per operation from the start to the end, the fake's counts once every commit has arrived.
 */
export async function alone(
  m: Measurer,
  run: { count: number; least: number; budgetMs: number },
  op: () => Promise<void>,
): Promise<Measured['alone']> {
  const { count, least, budgetMs } = run;
  const c0 = await m.backend.counts?.();
  const server0 = cpuMs(m.server.pid);
  const db0 = m.backend.dbCpuMs();
  const ms: number[] = [];
  const started = performance.now();
  while (ms.length < count && (ms.length < least || performance.now() - started < budgetMs)) {
    const t = performance.now();
    await op();
    ms.push(performance.now() - t);
  }
  const serverMs = cpuMs(m.server.pid) - server0;
  const db1 = m.backend.dbCpuMs();
  const c1 = await m.backend.counts?.();
  const n = ms.length;
  return {
    ops: n,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    serverUs: (1000 * serverMs) / n,
    ...(db0 === undefined || db1 === undefined ? {} : { dbUs: (1000 * (db1 - db0)) / n }),
    ...(c0 && c1 ? { wire: wireCost(c0, c1, n) } : {}),
  };
}

/**
 * A load of `connections` for `warmup` + `duration` seconds; the answers that arrive in the
 * window after the warm-up (their rate and latencies) and the CPU of the server and of the
 * database over that window, per answer. Then waits until both are quiet.
 */
export async function steadyLoad(
  m: Measurer,
  load: { connections: number; warmup: number; duration: number; next: () => Request },
): Promise<NonNullable<Measured['load']>> {
  let counting = false;
  let ok = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const fail = (why: string) => {
    failed++;
    failures[why] = (failures[why] ?? 0) + 1;
  };
  const latencies: number[] = [];
  const first = load.next();
  const run = startLoad(
    {
      url: m.server.url,
      headers: m.server.headers,
      connections: load.connections,
      method: first.method ?? 'GET',
      next: () => {
        const r = load.next();
        return { path: r.path, ...(r.body === undefined ? {} : { body: r.body }) };
      },
      // Pages that scan a long Flow from its start take seconds each under load: counted, not dropped.
      timeout: 120,
    },
    load.warmup + load.duration + 150,
  );
  run.instance.on('response', (_client, status, _bytes, ms) => {
    if (!counting) return;
    if (status >= 200 && status < 300) {
      ok++;
      latencies.push(ms);
    } else fail(String(status));
  });
  run.instance.on('reqError', () => {
    if (counting) fail('error');
  });
  try {
    await sleep(load.warmup * 1000);
    const server0 = cpuMs(m.server.pid);
    const db0 = m.backend.dbCpuMs();
    const from = performance.now();
    counting = true;
    await sleep(load.duration * 1000);
    counting = false;
    const seconds = (performance.now() - from) / 1000;
    const serverMs = cpuMs(m.server.pid) - server0;
    const db1 = m.backend.dbCpuMs();
    run.instance.stop();
    await run.done;
    await quietCpu(() => cpuMs(m.server.pid) + (m.backend.dbCpuMs() ?? 0), 180_000);
    const n = Math.max(1, ok);
    return {
      connections: load.connections,
      ops: ok,
      failed,
      failures,
      rate: ok / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      serverUs: (1000 * serverMs) / n,
      ...(db0 === undefined || db1 === undefined ? {} : { dbUs: (1000 * (db1 - db0)) / n }),
    };
  } finally {
    run.instance.stop();
  }
}
