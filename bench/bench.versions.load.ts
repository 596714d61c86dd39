/**
 * The runs of the API versions' comparison (bench.versions.ts): one measured load with the
 * latency of each answer and the server's CPU over it, and the objects its single POSTs register,
 * allocated through the API for each run.
 */
import { type Dataset, segmentRange } from './bench.dataset.ts';
import { type LoadOptions, startLoad } from './bench.load.ts';
import { cpuMs, quiet, type RunningServer } from './bench.server.ts';

/** How long a load lasts: seconds, or a number of requests (each POST needs an object of its own). */
export type Length = { seconds: number } | { amount: number };

/** One measured run. */
export interface MeasuredRun {
  ok: number;
  failed: number;
  /** From the start to the last 2xx answer. */
  seconds: number;
  /**
   * The latency of every 2xx answer, ms, as autocannon timed it: its own histogram keeps whole
   * milliseconds, too coarse to compare pages of 1-3 ms.
   */
  latencies: number[];
  /** The server's CPU (user + system) from the start until it was quiet again, ms. */
  cpuMs: number;
}

type Request = Pick<LoadOptions, 'connections' | 'method' | 'next'>;

function loadLength(length: Length): { seconds: number; amount?: number } {
  return 'amount' in length ? { seconds: 0, amount: length.amount } : { seconds: length.seconds };
}

/**
 * A warm-up (not measured), then, once the server is quiet, the measured run; its CPU is counted
 * until the server is quiet again, so that what it left to its followers (the outbox, the
 * journal's applies) is in its cost. The idle server's CPU over the last quiet windows (under 10 %
 * of a core for a second) is in it too: a few ms against seconds.
 */
export async function measure(
  tams: RunningServer,
  request: Request,
  lengths: { warmup: Length; run: Length },
): Promise<MeasuredRun> {
  const base = { url: tams.url, headers: tams.headers, ...request };
  const warm = loadLength(lengths.warmup);
  if (warm.seconds > 0 || (warm.amount ?? 0) > 0) {
    const result = await startLoad({ ...base, amount: warm.amount }, warm.seconds).done;
    if (result.non2xx + result.errors > 0)
      throw new Error(`warm-up: ${result.non2xx} answers not 2xx, ${result.errors} errors`);
  }
  await quiet(tams);
  const run = loadLength(lengths.run);
  const latencies: number[] = [];
  let failed = 0;
  let last = 0;
  const cpu0 = cpuMs(tams.pid);
  const from = performance.now();
  const load = startLoad({ ...base, amount: run.amount }, run.seconds);
  load.instance.on('response', (_client, status: number, _bytes, ms: number) => {
    if (status >= 200 && status < 300) {
      latencies.push(ms);
      last = performance.now();
    } else failed++;
  });
  load.instance.on('reqError', () => {
    failed++;
  });
  await load.done;
  await quiet(tams);
  return {
    ok: latencies.length,
    failed,
    seconds: (last - from) / 1000,
    latencies,
    cpuMs: cpuMs(tams.pid) - cpu0,
  };
}

/** The most objects one allocation request is granted (TAMS_PAGE_LIMIT_MAX's default). */
const ALLOCATION_MAX = 1000;
const ALLOCATING = 8;

/** `perFlow` objects allocated for each of `flowIds` through 7.0's `POST /flows/{id}/storage`. */
export async function allocate(
  tams: RunningServer,
  flowIds: readonly string[],
  perFlow: number,
): Promise<Map<string, string[]>> {
  const pools = new Map(flowIds.map((id): [string, string[]] => [id, []]));
  const jobs: { flowId: string; n: number }[] = [];
  for (const flowId of flowIds)
    for (let left = perFlow; left > 0; left -= ALLOCATION_MAX)
      jobs.push({ flowId, n: Math.min(left, ALLOCATION_MAX) });
  let next = 0;
  const worker = async () => {
    for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
      const res = await fetch(`${tams.url}/flows/${job.flowId}/storage`, {
        method: 'POST',
        headers: { ...tams.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ limit: job.n }),
      });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`storage allocation: ${res.status} ${text.slice(0, 300)}`);
      const ids = (JSON.parse(text) as { media_objects: { object_id: string }[] }).media_objects;
      if (ids.length !== job.n) throw new Error(`storage allocation: ${ids.length} objects of ${job.n}`);
      pools.get(job.flowId)?.push(...ids.map((o) => o.object_id));
    }
  };
  await Promise.all(Array.from({ length: ALLOCATING }, worker));
  return pools;
}

/** Single-segment POSTs of one run, on the objects allocated for it. */
export interface PostRun {
  next: () => { path: string; body: string };
  /** Objects of the pools no request took (allocated, never registered). */
  leftover(): Map<string, string[]>;
  /** Requests made after a Flow's pool ran out (each re-used an object: should be 0). */
  reused(): number;
}

/**
 * The Flows in turn, each one's next segment at `positions` (the next free position of each
 * Flow's timeline after its built segments, advanced here: runs one after another share it),
 * each with an object of its own from `pools`, sent to `prefix`'s mount.
 */
export function postRun(
  dataset: Dataset,
  prefix: string,
  pools: ReadonlyMap<string, readonly string[]>,
  positions: Map<string, number>,
): PostRun {
  const taken = new Map<string, number>();
  let turn = 0;
  let reused = 0;
  return {
    next: () => {
      const flowId = dataset.flowIds[turn++ % dataset.flowIds.length] as string;
      const pool = pools.get(flowId) ?? [];
      const k = taken.get(flowId) ?? 0;
      taken.set(flowId, k + 1);
      if (k >= pool.length) reused++;
      const at = positions.get(flowId) ?? 0;
      positions.set(flowId, at + 1);
      const body = {
        object_id: pool[k % pool.length],
        timerange: segmentRange(BigInt(dataset.segmentsPerFlow + at)).format(),
      };
      return { path: `${prefix}/flows/${flowId}/segments`, body: JSON.stringify(body) };
    },
    leftover: () => new Map([...pools].map(([flowId, ids]) => [flowId, ids.slice(taken.get(flowId) ?? 0)])),
    reused: () => reused,
  };
}
