/**
 * The write runs of `npm run bench`, each against a baseline of the same run: single-segment
 * POSTs against a bare Fastify route taking the same bodies on the same connections, bulk POSTs
 * against the engine's own insert of the same rows (bench.engine.ts); then a DELETE.
 */
import { join } from 'node:path';
import { type Dataset, segmentRange } from './bench.dataset.ts';
import { engineBulkRate, engineSingleRate } from './bench.engine.ts';
import { load } from './bench.load.ts';
import type { LoadSettings, Record } from './bench.pages.ts';
import type { RunPlace } from './bench.place.ts';
import { BULK_BATCH, bulkBody, singlePosts } from './bench.requests.ts';
import { quiet, type RunningServer } from './bench.server.ts';

/** Connections of the single-segment runs: many channels ingesting at once. */
const SINGLE_CONNECTIONS = 64;

/** Single-segment POSTs, baseline first; `used` counts the positions (and objects) each Flow took. */
export async function singleRuns(
  tams: RunningServer,
  baseline: RunningServer,
  dataset: Dataset,
  place: RunPlace,
  settings: LoadSettings,
  used: Map<string, number>,
  /** A folder for the engine's own store (the ceiling). */
  scratch: string,
  record: Record,
  log: (line: string) => void,
): Promise<void> {
  const common = { ...settings, connections: SINGLE_CONNECTIONS, method: 'POST' as const };
  await settled(tams, 'the single POST runs', record);
  log('baseline: bare Fastify route parsing the same single-segment bodies, answering 201');
  // A generator of its own: the baseline keeps nothing, and the server's positions stay untouched.
  const b = await load({ ...common, url: baseline.url, next: singlePosts(dataset) });
  record({ name: 'single POST baseline req/s', value: b.rps, unit: 'req/s' });
  if (b.failed > 0) throw new Error(`single POST baseline: ${b.failed} failed requests`);

  log('POST /flows/{id}/segments, one segment per request, many flows in parallel');
  const single = await load({
    ...common,
    headers: tams.headers,
    url: tams.url,
    next: singlePosts(dataset, used, place.singleBase),
  });
  record({ name: 'single-segment POST', value: single.rps, unit: 'segments/s' });
  record({
    name: 'single-segment POST ratio to baseline',
    value: single.rps / b.rps,
    unit: '',
    digits: 2,
    target: { min: 0.4 },
  });
  record({ name: 'single-segment POST p99', value: single.p99, unit: 'ms', digits: 1 });
  if (single.failed > 0) throw new Error(`single POST: ${single.failed} failed requests`);
  // Past its Flow's spare objects a POST uses one of them again (singlePosts): another path.
  let reused = 0;
  for (const [flowId, n] of used) reused += Math.max(0, n - (dataset.spare[flowId]?.length ?? 0));
  record({ name: 'single-segment POSTs on an object used before (should be 0)', value: reused, unit: '' });
  if (reused > 0) log(`  warning: ${reused} single POSTs reused objects: the run measured reuse too`);

  // What the engine alone commits of such registrations in the largest group 64 connections can
  // make: the ratio the single POSTs could reach at most on this engine and disk.
  await settled(tams, 'the db/ group commits', record);
  log(`ceiling: single-segment group commits of ${SINGLE_CONNECTIONS} through db/ in this process`);
  const engine = await engineSingleRate(join(scratch, 'engine-single'), SINGLE_CONNECTIONS, 300, 20);
  record({
    name: `single-segment group commits of ${SINGLE_CONNECTIONS} through db/`,
    value: engine,
    unit: 'segments/s',
  });
  record({ name: 'db/ group commits over the bare route', value: engine / b.rps, unit: '', digits: 2 });
  record({
    name: 'single-segment POST over db/ group commits',
    value: single.rps / engine,
    unit: '',
    digits: 2,
  });
}

/**
 * Bulk POSTs of `batches` batches to the bulk Flow, the first `warmup` not counted, then the
 * engine's insert of as many; returns the batches sent.
 */
export async function bulkRuns(
  tams: RunningServer,
  dataset: Dataset,
  place: RunPlace,
  run: { batches: number; warmup: number; scratch: string },
  record: Record,
  log: (line: string) => void,
): Promise<number> {
  log(`POST /flows/{id}/segments in batches of ${BULK_BATCH}`);
  // The first batches warm the server's code for 1,000-segment bodies (the first takes ~3x as
  // long as the tenth) and are not counted, as the GET runs are long enough not to need it.
  // Built before the clock starts, as the engine's rows are: the figure is the server's work.
  const bodies = Array.from({ length: run.batches }, (_, b) => bulkBody(dataset, b, place.bulkBase));
  await settled(tams, 'the bulk POSTs', record);
  let started = performance.now();
  for (let b = 0; b < run.batches; b++) {
    if (b === run.warmup) started = performance.now();
    const res = await fetch(`${tams.url}/flows/${dataset.bulkFlow}/segments`, {
      method: 'POST',
      headers: { ...tams.headers, 'content-type': 'application/json' },
      body: bodies[b],
    });
    if (res.status !== 201) throw new Error(`bulk POST: ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  const rate = ((run.batches - run.warmup) * BULK_BATCH) / ((performance.now() - started) / 1000);
  record({ name: 'bulk POST', value: rate, unit: 'segments/s' });

  await settled(tams, 'the db/ bulk insert', record);
  log(`baseline: the same rows inserted through db/ in this process, ${run.batches} transactions`);
  const engine = await engineBulkRate(join(run.scratch, 'engine-baseline'), run.batches, run.warmup);
  record({ name: 'bulk insert through db/ (baseline)', value: engine, unit: 'segments/s' });
  record({
    name: 'bulk POST ratio to db/ insert',
    value: rate / engine,
    unit: '',
    digits: 2,
    target: { min: 0.5 },
  });
  return run.batches;
}

/**
 * Waits for the server to finish what the run before left (quiet), so that a run and its
 * baseline each have the machine to themselves: the engine's baselines run in this process,
 * beside the server's process. (Without the wait the db/ bulk baseline measured 95,615-215,310
 * segments/s on one machine within an hour; with it, 166,922-184,402 in the runs after.)
 */
async function settled(tams: RunningServer, before: string, record: Record): Promise<void> {
  const waited = await quiet(tams);
  record({ name: `server settling before ${before}`, value: waited, unit: 's', digits: 1 });
}

/** One DELETE of the first 10,000 segments (or all) of the run's victim Flow. */
export async function deleteRun(
  tams: RunningServer,
  dataset: Dataset,
  place: RunPlace,
  record: Record,
  log: (line: string) => void,
): Promise<void> {
  const toDelete = Math.min(10_000, dataset.segmentsPerFlow);
  log(`DELETE /flows/{id}/segments?timerange=... of ${toDelete} segments`);
  const from = segmentRange(0n).format().split('_')[0];
  const to = segmentRange(BigInt(toDelete)).format().split('_')[0]?.slice(1);
  const started = performance.now();
  const del = await fetch(
    `${tams.url}/flows/${place.victim}/segments?timerange=${encodeURIComponent(`${from}_${to})`)}`,
    { method: 'DELETE', headers: tams.headers },
  );
  if (del.status !== 204) throw new Error(`DELETE: ${del.status} ${await del.text()}`);
  record({
    name: `DELETE of ${toDelete} segments`,
    value: (performance.now() - started) / 1000,
    unit: 's',
    digits: 2,
  });
}
