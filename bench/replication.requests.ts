/**
 * The requests the origin answered, read from its own counters (`/metrics`:
 * tams_http_request_duration_seconds_count by route pattern, method and status class), apart
 * from the replication job's own count (`origin_requests`): what the origin saw, by kind.
 */
import { parseMetrics } from './bench.cold.ts';
import type { RunningServer } from './bench.server.ts';

const COUNT = 'tams_http_request_duration_seconds_count{';
const SUM = 'tams_http_request_duration_seconds_sum{';

/** Counts by `METHOD route status_class` (the route pattern without the API mount). */
export type RouteCounts = Map<string, number>;

/**
 * The origin's requests by route so far (`seconds`: the time it spent answering them, from the
 * histogram's sums, in the same keys).
 */
export async function routeCounts(server: RunningServer, seconds = false): Promise<RouteCounts> {
  const res = await fetch(`${server.url}/metrics`, { headers: server.headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${server.url}/metrics: ${res.status}`);
  const counts: RouteCounts = new Map();
  const prefix = seconds ? SUM : COUNT;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(line)?.[1] ?? '?';
    const route = label('route').replace(/^\/tams\/v\d+\.\d+/, '') || '/';
    const key = `${label('method')} ${route} ${label('status_class')}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

/** What `after` counted more than `before`, the bench's own reads of /metrics left out. */
export function countsBetween(before: RouteCounts, after: RouteCounts): RouteCounts {
  const diff: RouteCounts = new Map();
  for (const [key, n] of after) {
    const d = n - (before.get(key) ?? 0);
    if (d > 0 && !key.includes(' /metrics ')) diff.set(key, d);
  }
  return diff;
}

/** The kinds the bench reports: /service, a Flow, its segment pages, media GETs, the rest. */
export type RequestKind = 'service' | 'flow' | 'segments' | 'source' | 'media' | 'webhooks' | 'other';

export function kindOf(key: string): RequestKind {
  const [, route = ''] = key.split(' ');
  if (route === '/service') return 'service';
  if (route === '/flows/:flowId') return 'flow';
  if (route === '/flows/:flowId/segments') return 'segments';
  if (route === '/sources/:sourceId') return 'source';
  if (route.startsWith('/service/webhooks')) return 'webhooks';
  if (route.endsWith('/*')) return 'media';
  return 'other';
}

export function byKind(counts: RouteCounts): Record<RequestKind, number> {
  const kinds: Record<RequestKind, number> = {
    service: 0,
    flow: 0,
    segments: 0,
    source: 0,
    media: 0,
    webhooks: 0,
    other: 0,
  };
  for (const [key, n] of counts) kinds[kindOf(key)] += n;
  return kinds;
}

export function total(counts: RouteCounts): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

/** Every series of `server`'s /metrics whose name starts with `prefix`, as written there. */
export async function scrape(server: RunningServer, prefix: string): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`, { headers: server.headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${server.url}/metrics: ${res.status}`);
  return parseMetrics(text, prefix);
}

/** What each series grew by between two scrapes (those that did). */
export function grown(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const diff = new Map<string, number>();
  for (const [key, n] of after) {
    const d = n - (before.get(key) ?? 0);
    if (d > 0) diff.set(key, d);
  }
  return diff;
}

/** The server's event-loop delay since its /metrics was last read (prom-client resets it at each read), ms. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export async function loopDelay(server: RunningServer): Promise<LoopDelay> {
  const lag = await scrape(server, 'nodejs_eventloop_lag_');
  const ms = (name: string) => (lag.get(`nodejs_eventloop_lag_${name}_seconds`) ?? 0) * 1000;
  return { p50: ms('p50'), p99: ms('p99'), max: ms('max') };
}
