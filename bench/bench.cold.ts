/**
 * The cold-read run: after a restart, every Flow read once (its first page since the start),
 * while the server's RSS and its segment-index metrics are sampled: what a first read of a Flow
 * costs, and whether memory stays within the index's budget when the whole archive is touched.
 */
import type { Figure } from './bench.report.ts';
import type { RunningServer } from './bench.server.ts';

/** Clients of the sweep after the first pages read one at a time. */
export const COLD_CONCURRENCY = 8;

export interface Latencies {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ColdResult {
  /** First pages read one at a time: the latency a client sees. */
  alone: Latencies;
  /** The other Flows' first pages, `concurrency` at a time: the sweep of the archive. */
  together: Latencies;
  seconds: number;
}

function latencies(ms: number[]): Latencies {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function timedGet(server: RunningServer, path: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${server.url}${path}`, { headers: server.headers });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`cold read ${path}: ${res.status} ${body.slice(0, 200)}`);
  return performance.now() - started;
}

/**
 * Reads `count` of `flowIds` once each, in random order: `alone` of them one at a time, then the
 * rest `concurrency` at a time.
 */
export async function coldRead(
  server: RunningServer,
  flowIds: readonly string[],
  pathOf: (flowId: string) => string,
  options: { count: number; alone: number; concurrency: number },
): Promise<ColdResult> {
  const order = shuffled(flowIds).slice(0, options.count);
  const started = performance.now();
  const first: number[] = [];
  for (const flowId of order.slice(0, options.alone)) first.push(await timedGet(server, pathOf(flowId)));
  const rest = order.slice(options.alone);
  const others: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < rest.length) {
        const flowId = rest[next++] as string;
        others.push(await timedGet(server, pathOf(flowId)));
      }
    }),
  );
  return {
    alone: latencies(first),
    together: latencies(others),
    seconds: (performance.now() - started) / 1000,
  };
}

/** A metric's values over a sampling: the first, the highest and the last seen. */
export interface MetricTrace {
  first: number;
  max: number;
  last: number;
}

export interface Samples {
  peakRss: number;
  /** Metrics whose name starts with the sampled prefix, by name (labels included). */
  metrics: Map<string, MetricTrace>;
}

/** Prometheus text: `name{labels} value` lines, comments skipped. */
export function parseMetrics(text: string, prefix: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const space = line.lastIndexOf(' ');
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) found.set(line.slice(0, space), value);
  }
  return found;
}

/**
 * Samples the server's RSS every `rssMs` and its metrics named `prefix…` from /metrics every
 * `metricsMs`, until stopped.
 */
export function sampleServer(
  server: RunningServer,
  prefix: string,
  every: { rssMs: number; metricsMs: number } = { rssMs: 100, metricsMs: 500 },
): { stop(): Promise<Samples> } {
  const samples: Samples = { peakRss: server.rss(), metrics: new Map() };
  const readMetrics = async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: server.headers });
    const text = await res.text();
    if (res.status !== 200) return;
    for (const [name, value] of parseMetrics(text, prefix)) {
      const trace = samples.metrics.get(name);
      if (trace) {
        trace.max = Math.max(trace.max, value);
        trace.last = value;
      } else {
        samples.metrics.set(name, { first: value, max: value, last: value });
      }
    }
  };
  const rssTimer = setInterval(() => {
    try {
      samples.peakRss = Math.max(samples.peakRss, server.rss());
    } catch {
      // The process has exited; the run that reads it fails on its own.
    }
  }, every.rssMs);
  let reading: Promise<void> = readMetrics().catch(() => undefined);
  const metricsTimer = setInterval(() => {
    reading = reading.then(readMetrics).catch(() => undefined);
  }, every.metricsMs);
  return {
    async stop() {
      clearInterval(rssTimer);
      clearInterval(metricsTimer);
      await reading;
      await readMetrics().catch(() => undefined);
      samples.peakRss = Math.max(samples.peakRss, server.rss());
      return samples;
    },
  };
}

const MiB = 2 ** 20;

/** A gauge of work under way in the segment index (loads running or waiting, a preload, a warm-up). */
const BUSY = /_(loading|queued|preloading|warming)$/;

/**
 * Waits until the server's segment index has no load running or waiting (its gauges named
 * `…_loading`, `…_queued`, `…_preloading`, `…_warming` read 0 twice in a row): Flows read once are then
 * held in memory, where a server that loads in the background would still answer some pages
 * from the database. Returns the seconds waited; at once when it exposes no such gauge.
 */
export async function settle(server: RunningServer, prefix: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  while (performance.now() - started < timeoutMs) {
    const res = await fetch(`${server.url}/metrics`, { headers: server.headers });
    const busy = [...parseMetrics(await res.text(), prefix)].filter(([name]) =>
      BUSY.test(name.replace(/\{.*$/, '')),
    );
    if (busy.length === 0) return 0;
    quiet = busy.every(([, value]) => value === 0) ? quiet + 1 : 0;
    if (quiet >= 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (performance.now() - started) / 1000;
}

/**
 * The cold-read run's figures: first-page latencies, peak RSS, and what the segment index's
 * metrics went through (the largest it held against its budget, Flows loaded and evicted).
 */
export function recordCold(cold: ColdResult, samples: Samples, record: (figure: Figure) => void): void {
  record({
    name: 'cold first page p50 (one client)',
    value: cold.alone.p50,
    unit: 'ms',
    digits: 1,
  });
  record({
    name: 'cold first page p99 (one client)',
    value: cold.alone.p99,
    unit: 'ms',
    digits: 1,
    target: { max: 50 },
  });
  record({
    name: `cold first page p99 (${COLD_CONCURRENCY} clients)`,
    value: cold.together.p99,
    unit: 'ms',
    digits: 1,
  });
  record({ name: 'cold-read run', value: cold.seconds, unit: 's', digits: 1 });
  record({
    name: 'peak RSS in the cold-read run',
    value: samples.peakRss / MiB,
    unit: 'MiB',
    target: { max: 2048 },
  });
  const metric = (test: (name: string) => boolean) =>
    [...samples.metrics].filter(([name]) => test(name)).map(([name, trace]) => ({ name, ...trace }));
  const budget = metric((n) => n.includes('budget'))[0];
  for (const bytes of metric((n) => n === 'tams_segment_index_bytes')) {
    record({
      name: 'segment index peak in the cold-read run',
      value: bytes.max / MiB,
      unit: 'MiB',
      target: budget && budget.max > 0 ? { max: budget.max / MiB } : undefined,
    });
  }
  if (budget) record({ name: 'segment index budget', value: budget.max / MiB, unit: 'MiB' });
  // Counters (loads, evictions): what the run added.
  for (const counter of metric((n) => n.endsWith('_total'))) {
    record({ name: `${counter.name} in the cold-read run`, value: counter.last - counter.first, unit: '' });
  }
}
