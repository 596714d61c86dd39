/**
 * The replication job of the replication bench (replication.bench.ts): made on the destination,
 * watched once a second until it copied every segment (or the run gives up), paused, deleted.
 */
import { loadavg } from 'node:os';
import type { RunningServer } from './bench.server.ts';

/** The fields of GET /replications/{id} the bench reads. */
export interface Job {
  id: string;
  state: string;
  created: string;
  run_started?: string;
  caught_up?: string;
  segments_copied: number;
  segments_refused: number;
  objects_copied: number;
  origin_requests: number;
  restarts: number;
  follow_by?: string;
  follow_note?: string;
  last_error?: string;
}

export async function api<T>(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...server.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A job by reference following the origin's Flow, as an operator would make it. */
export function createJob(
  destination: RunningServer,
  origin: { url: string; token: string },
  flowId: string,
): Promise<Job> {
  return api<Job>(destination, 'POST', '/replications', {
    origin: { url: origin.url, auth: { type: 'bearer', token: origin.token } },
    select: { flow_id: flowId },
    media: 'reference',
    follow: true,
    label: 'replication bench',
  });
}

export interface TracePoint {
  at: number;
  copied: number;
  load: number;
}

export interface Watched {
  job: Job;
  /** Seconds from before the POST to the first poll that saw every segment copied. */
  seconds: number;
  /** Set when the run gave up: why, and the rate seen. */
  abandoned?: string;
  /** segments_copied at each poll, with the seconds since the POST and the 1-minute load average. */
  trace: TracePoint[];
}

/** Rate (segments/s) over the last `window` seconds of a trace. */
export function recentRate(trace: readonly { at: number; copied: number }[], window: number): number {
  const last = trace[trace.length - 1];
  if (last === undefined) return 0;
  const first = trace.find((p) => p.at >= last.at - window) ?? last;
  return last.at > first.at ? (last.copied - first.copied) / (last.at - first.at) : 0;
}

/**
 * Polls the job every second until it copied `segments`. Gives up when it fails, when it has run
 * `maxSeconds`, or when, after `judgeAfter` seconds, its last minute's rate says it would take
 * longer than `maxSeconds` in all.
 */
export async function watchCatchUp(
  destination: RunningServer,
  id: string,
  segments: number,
  limits: { maxSeconds: number; judgeAfter: number },
  started: number,
  log: (line: string) => void,
): Promise<Watched> {
  const trace: TracePoint[] = [];
  let lastLog = 0;
  let copiedAt: number | undefined;
  for (;;) {
    await sleep(1000);
    const job = await api<Job>(destination, 'GET', `/replications/${id}`);
    const at = (performance.now() - started) / 1000;
    trace.push({ at, copied: job.segments_copied, load: loadavg()[0] ?? 0 });
    // Every segment copied; the job is caught up once it asked the origin for what follows
    // (an empty page): its caught_up is set at the worker's next step.
    copiedAt ??= job.segments_copied >= segments ? at : undefined;
    if (copiedAt !== undefined && (job.caught_up !== undefined || at - copiedAt > 10))
      return { job, seconds: copiedAt, trace };
    if (job.state === 'failed') throw new Error(`the job failed: ${job.last_error}`);
    const rate = recentRate(trace, 60);
    if (at - lastLog >= 10) {
      lastLog = at;
      log(
        `  ${at.toFixed(0)} s: ${job.segments_copied.toLocaleString('en')} copied (${Math.round(rate).toLocaleString('en')}/s over the last minute), ${job.state}, ${job.origin_requests} origin requests${job.last_error ? `, last error: ${job.last_error}` : ''}`,
      );
    }
    const projected = rate > 0 ? at + (segments - job.segments_copied) / rate : Number.POSITIVE_INFINITY;
    if (at >= limits.maxSeconds || (at >= limits.judgeAfter && projected > limits.maxSeconds)) {
      const why = `given up after ${at.toFixed(0)} s at ${job.segments_copied.toLocaleString('en')} segments: ${Math.round(rate)} segments/s over the last minute, ${Math.round(job.segments_copied / at)} on average, would take ${(projected / 60).toFixed(0)} min in all`;
      return { job, seconds: at, trace, abandoned: why };
    }
  }
}

/** Pauses the job and waits until its run stopped. */
export async function pauseJob(destination: RunningServer, id: string): Promise<Job> {
  await api<Job>(destination, 'POST', `/replications/${id}/pause`, {});
  for (let i = 0; i < 120; i++) {
    const job = await api<Job>(destination, 'GET', `/replications/${id}`);
    if (job.state === 'paused') return job;
    await sleep(500);
  }
  throw new Error(`job ${id} did not pause within 60 s`);
}
