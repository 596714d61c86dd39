/**
 * The reader of the replication bench (replication.bench.ts): one client reading segment pages of
 * one Flow of the destination, one request at a time (the next sent when the last is answered),
 * each `GET /flows/{id}/segments?timerange=<200 segments at a random position>&limit=100`, as the
 * main bench's page runs ask (bench.requests.ts pagePath), until stopped.
 */
import { segmentRange } from './bench.dataset.ts';
import type { RunningServer } from './bench.server.ts';

export interface PageReads {
  /** Each page's latency, ms, in the order sent. */
  latencies: number[];
  failed: number;
  seconds: number;
}

export interface LatencySummary {
  pages: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/** A page at a random position of a Flow of `segments` (a timerange of 200 segments, 100 asked). */
export function pagePathOf(flowId: string, segments: number): string {
  const k = Math.floor(Math.random() * Math.max(1, segments - 200));
  const from = segmentRange(BigInt(k)).format().split('_')[0];
  const to = segmentRange(BigInt(k + 200))
    .format()
    .split('_')[0]
    ?.slice(1);
  return `/flows/${flowId}/segments?timerange=${encodeURIComponent(`${from}_${to})`)}&limit=100`;
}

/** One page, which must hold 100 segments: the reader's paths are checked once before a run. */
export async function checkPage(server: RunningServer, flowId: string, segments: number): Promise<void> {
  const res = await fetch(`${server.url}${pagePathOf(flowId, segments)}`, { headers: server.headers });
  const body = await res.text();
  if (res.status !== 200 || (JSON.parse(body) as unknown[]).length !== 100)
    throw new Error(`the page Flow's page: ${res.status} ${body.slice(0, 200)}`);
}

/** Reads pages one after another until `stop()` is called, or for `seconds` when given. */
export function readPages(
  server: RunningServer,
  flowId: string,
  segments: number,
  seconds?: number,
): { stop(): void; done: Promise<PageReads> } {
  let stopping = false;
  const run = async (): Promise<PageReads> => {
    const latencies: number[] = [];
    let failed = 0;
    const started = performance.now();
    const deadline = seconds === undefined ? Number.POSITIVE_INFINITY : started + seconds * 1000;
    while (!stopping && performance.now() < deadline) {
      const sent = performance.now();
      try {
        const res = await fetch(`${server.url}${pagePathOf(flowId, segments)}`, { headers: server.headers });
        await res.arrayBuffer();
        if (res.status === 200) latencies.push(performance.now() - sent);
        else failed++;
      } catch {
        failed++;
      }
    }
    return { latencies, failed, seconds: (performance.now() - started) / 1000 };
  };
  const done = run();
  return {
    stop: () => {
      stopping = true;
    },
    done,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

export function summarise(reads: PageReads): LatencySummary {
  const sorted = [...reads.latencies].sort((a, b) => a - b);
  return {
    pages: sorted.length,
    perSecond: reads.seconds > 0 ? sorted.length / reads.seconds : 0,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}
