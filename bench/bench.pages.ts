/** The read runs of `npm run bench`: segment pages against the bare-Fastify baseline, and Flows. */
import type { Dataset } from './bench.dataset.ts';
import { load } from './bench.load.ts';
import type { Figure } from './bench.report.ts';
import { pagePath } from './bench.requests.ts';
import type { RunningServer } from './bench.server.ts';

export type Record = (figure: Figure) => void;

export interface LoadSettings {
  duration: number;
  connections: number;
  warmup: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/**
 * Pages of `hot` Flows (read once each before, so their indexes are loaded) against the baseline
 * route returning one such page; then Flows. Returns the baseline's rate.
 */
export async function pageRuns(
  tams: RunningServer,
  baseline: RunningServer,
  dataset: Dataset,
  hot: readonly string[],
  settings: LoadSettings,
  record: Record,
  log: (line: string) => void,
): Promise<number> {
  const segmentsPath = () => pagePath(dataset, pick(hot));
  const authed = { ...settings, headers: tams.headers };
  log('baseline: bare Fastify route returning a segment page');
  const b = await load({ ...settings, url: `${baseline.url}/baseline` });
  record({ name: 'baseline req/s', value: b.rps, unit: 'req/s' });
  record({ name: 'baseline p99', value: b.p99, unit: 'ms', digits: 1 });

  log(`GET /flows/{id}/segments?timerange=...&limit=100 at random positions of ${hot.length} warm Flows`);
  const seg = await load({ ...authed, url: tams.url, next: () => ({ path: segmentsPath() }) });
  record({ name: 'segments GET req/s', value: seg.rps, unit: 'req/s', target: { min: 0.5 * b.rps } });
  record({
    name: 'segments GET ratio to baseline',
    value: seg.rps / b.rps,
    unit: '',
    digits: 2,
    target: { min: 0.5 },
  });
  record({ name: 'segments GET p50', value: seg.p50, unit: 'ms', digits: 1 });
  record({ name: 'segments GET p99', value: seg.p99, unit: 'ms', digits: 1, target: { max: 10 } });
  if (seg.failed > 0) throw new Error(`segments GET: ${seg.failed} failed requests`);

  // The same pages with the direct URL only: what the 100 HMAC signatures of a page cost.
  log('GET /flows/{id}/segments?...&presigned=false (no URL signing)');
  const unsigned = await load({
    ...authed,
    url: tams.url,
    next: () => ({ path: `${segmentsPath()}&presigned=false` }),
  });
  record({ name: 'segments GET presigned=false req/s', value: unsigned.rps, unit: 'req/s' });
  record({ name: 'segments GET presigned=false ratio', value: unsigned.rps / b.rps, unit: '', digits: 2 });
  record({ name: 'segments GET presigned=false p99', value: unsigned.p99, unit: 'ms', digits: 1 });
  if (unsigned.failed > 0)
    throw new Error(`segments GET presigned=false: ${unsigned.failed} failed requests`);

  log('GET /flows?tag.group=3 and GET /flows/{id}');
  const tagged = await load({ ...authed, url: `${tams.url}/flows?tag.group=3&limit=100` });
  record({ name: 'flows GET with tag filter req/s', value: tagged.rps, unit: 'req/s' });
  record({ name: 'flows GET with tag filter p99', value: tagged.p99, unit: 'ms', digits: 1 });
  const one = await load({ ...authed, url: tams.url, next: () => ({ path: `/flows/${pick(hot)}` }) });
  record({ name: 'flow GET req/s', value: one.rps, unit: 'req/s' });
  record({ name: 'flow GET p99', value: one.p99, unit: 'ms', digits: 1 });
  return b.rps;
}

/** Reads one page of each Flow, 16 at a time (loads their indexes if they are not). */
export async function warm(tams: RunningServer, dataset: Dataset, flowIds: readonly string[]): Promise<void> {
  for (let i = 0; i < flowIds.length; i += 16) {
    await Promise.all(
      flowIds
        .slice(i, i + 16)
        .map((id) =>
          fetch(`${tams.url}${pagePath(dataset, id)}`, { headers: tams.headers }).then((r) => r.text()),
        ),
    );
  }
}

/** One page of a warm Flow, which must hold 100 segments (a restarted server serves its data). */
export async function readOne(tams: RunningServer, dataset: Dataset, hot: readonly string[]): Promise<void> {
  const res = await fetch(`${tams.url}${pagePath(dataset, pick(hot))}`, { headers: tams.headers });
  const body = await res.text();
  if (res.status !== 200 || (JSON.parse(body) as unknown[]).length !== 100)
    throw new Error(`segments page after the restart: ${res.status} ${body.slice(0, 200)}`);
}
