/**
 * `npm run bench [-- --quick]`: builds the data set through the store, starts tams-server and a
 * bare Fastify baseline in their own processes, measures the hot paths over HTTP, prints a table
 * and writes the figures as JSON. `--search`, `--analytics`, `--ui`, `--exr` and `--broadcast` run
 * the other benches (their own files).
 */
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAnalyticsArgs } from './analytics.args.ts';
import { runAnalyticsBench } from './analytics.bench.ts';
import { parseArgs, parseExrArgs, parseSearchArgs } from './bench.args.ts';
import { COLD_CONCURRENCY, coldRead, parseMetrics, recordCold, sampleServer, settle } from './bench.cold.ts';
import { buildDataset, dbBytes } from './bench.dataset.ts';
import { pageRuns, readOne, warm } from './bench.pages.ts';
import { placeRun, releaseUsed } from './bench.place.ts';
import { bulkRuns, deleteRun, singleRuns } from './bench.posts.ts';
import { compareRuns, type Figure, printTable, writeResults } from './bench.report.ts';
import { BULK_BATCH, pagePath } from './bench.requests.ts';
import { crashDuringBulk } from './bench.restart.ts';
import { type RunningServer, startBaseline, startTams } from './bench.server.ts';
import { versionRounds } from './bench.versions.ts';
import { parseBroadcastArgs } from './broadcast.args.ts';
import { runBroadcastBench } from './broadcast.bench.ts';
import { runExrBench } from './exr.bench.ts';
import { runReplicasBench } from './replicas.bench.ts';
import { runSearchBench } from './search.bench.ts';
import { parseUiArgs } from './ui.args.ts';
import { runUiBench } from './ui.bench.ts';
import { runVastBench } from './vast.bench.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
if (process.argv.includes('--search')) {
  const ok = await runSearchBench(parseSearchArgs(process.argv.slice(2)), log);
  process.exit(ok ? 0 : 1);
}
if (process.argv.includes('--analytics')) {
  await runAnalyticsBench(parseAnalyticsArgs(process.argv.slice(2)), log);
  process.exit(0);
}
if (process.argv.includes('--ui')) {
  const ok = await runUiBench(parseUiArgs(process.argv.slice(2)), log);
  process.exit(ok ? 0 : 1);
}
if (process.argv.includes('--broadcast')) {
  await runBroadcastBench(parseBroadcastArgs(process.argv.slice(2)), log);
  process.exit(0);
}
if (process.argv.includes('--exr')) {
  await runExrBench(parseExrArgs(process.argv.slice(2)), log);
  process.exit(0);
}
const options = parseArgs(process.argv.slice(2));
if (options.perOp || options.engine !== 'duckdb') {
  await (options.perOp ? runReplicasBench(options, log) : runVastBench(options, log));
  process.exit(0);
}
const figures: Figure[] = [];
const record = (figure: Figure) => {
  figures.push(figure);
  log(`  ${figure.name}: ${figure.value.toFixed(figure.digits ?? 0)} ${figure.unit}`);
};

/**
 * 100,000 segments (103 batches with the warm-up) in a full run: bulk ingest pays for the
 * checkpoints its WAL brings (100-300 ms each, stopping every write; one per ~25,000 segments at
 * DuckDB's 16 MiB, when 27 counted batches held 0, 1 or 2 of them and made 28,000-61,000
 * segments/s between runs of the same code) and for allocation housekeeping.
 */
const bulkBatches = options.quick ? 5 : 103;
/** Batches of the bulk run sent before the clock starts. */
const BULK_WARMUP = options.quick ? 1 : 3;
/** Seconds of bulk ingest before the server is killed, for the restart after a crash. */
const CRASH_AFTER = options.quick ? 1 : 5;
/**
 * Single-segment POSTs a second planned for: each needs an object never used, or the run measures
 * reuse, a path of its own (the registration reads the object's rows in the stored tables). Half
 * the bare route's fastest rate measured on these machines (52,672 req/s); singleRuns records how
 * many POSTs found their Flow's objects all used. (Until 2026-11-26 this was 8,000 a second over
 * the run's measured seconds only: at 12,000/s the objects ran out after ~9 of its 13 s.)
 */
const SINGLE_RATE_PLANNED = 25_000;
const LOAD_WARMUP = options.quick ? 1 : 3;
const expectedSingle = SINGLE_RATE_PLANNED * (options.duration + LOAD_WARMUP);
const spare = Math.ceil(expectedSingle / options.flows) + 20;
/** The targets for `/ready` after a restart: 5 s at 10M segments, 10 s at 100M. */
const readyTarget = options.segments > 10_000_000 ? 10 : 5;
/** A server that loads every Flow's index before it is ready takes minutes on the largest sets. */
const READY_TIMEOUT_MS = 30 * 60_000;
const MiB = 2 ** 20;
/** The segment index's metrics (src/metrics/metrics.store.ts). */
const INDEX_METRICS = 'tams_segment_index';
const indexMetrics = async (server: RunningServer) =>
  parseMetrics(
    await (await fetch(`${server.url}/metrics`, { headers: server.headers })).text(),
    INDEX_METRICS,
  );
const logStart = (server: RunningServer) =>
  log(
    `  server started: listening after ${server.started.listening.toFixed(2)} s, /ready after ${server.started.ready.toFixed(2)} s`,
  );

log(`tams-server benchmark: ${options.flows} flows, ${options.segments.toLocaleString('en')} segments`);
log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
const datasetDir = join(options.dir, 'dataset');
const built = await buildDataset(
  datasetDir,
  { flows: options.flows, segments: options.segments, spare, bulk: BULK_BATCH * bulkBatches },
  options.reuse || options.buildOnly,
  log,
);
log(`data set ready (${built.buildSeconds.toFixed(0)} s to build)`);
if (options.buildOnly) process.exit(0);
record({
  name: 'DuckDB file size per million segments',
  value: dbBytes(datasetDir) / 1e6 / (options.segments / 1e6),
  unit: 'MB',
  digits: 1,
});
record({ name: 'data set build (through the store)', value: built.buildSeconds, unit: 's' });
record({ name: 'data set build rate', value: options.segments / built.buildSeconds, unit: 'segments/s' });

const { place, dataset } = await placeRun(
  datasetDir,
  join(options.dir, 'run'),
  built,
  { mode: options.inPlace, spare, bulk: BULK_BATCH * bulkBatches },
  log,
);
const live = dataset.flowIds.filter((id) => !place.deleted.has(id));
const hot = live.slice(0, Math.min(options.hotFlows, live.length));
/** Flows with their segments all through the run (the DELETE empties the victim). */
const intact = hot.filter((id) => id !== place.victim);
/** Single-segment positions (and objects) each Flow's POSTs took, and the bulk batches sent. */
const singleUsed = new Map<string, number>();
let bulkUsed = 0;
/** Objects the API versions' POSTs allocated and did not use, per Flow (kept by a run in place). */
let versionsLeft = new Map<string, string[]>();
const settings = {
  duration: options.duration,
  connections: options.connections,
  warmup: LOAD_WARMUP,
};

/**
 * The API versions' comparison (bench.versions.ts) on `server`, its Flows warmed first; its POSTs
 * take the positions after the single POST run's.
 */
async function compareVersions(server: RunningServer): Promise<void> {
  await warm(server, dataset, intact);
  await settle(server, INDEX_METRICS, READY_TIMEOUT_MS);
  const positions = new Map(dataset.flowIds.map((id) => [id, place.singleBase + (singleUsed.get(id) ?? 0)]));
  const singleRate = figures.find((f) => f.name === 'single-segment POST')?.value;
  versionsLeft = await versionRounds(
    server,
    { dataset, hot: intact, positions, singleRate },
    { ...settings, rounds: options.rounds },
    record,
    log,
  );
}

/** What a run in place leaves for the next: the manifest without the objects it used. */
function release(): void {
  if (!place.inPlace) return;
  releaseUsed(datasetDir, dataset, { single: singleUsed, bulk: bulkUsed * BULK_BATCH }, versionsLeft);
}

if (options.versionsOnly) {
  const server = await startTams(place.dir, {}, READY_TIMEOUT_MS);
  logStart(server);
  try {
    await compareVersions(server);
  } finally {
    await server.stop();
    release();
  }
  printTable(figures, log);
  writeResults(
    options.out,
    { options, place: { inPlace: place.inPlace, generation: place.generation }, figures },
    log,
  );
  process.exit(0);
}

/** Starts the server again on the run's store; records how long it took to be ready, against the target. */
async function restartTams(name: string): Promise<RunningServer> {
  const server = await startTams(place.dir, {}, READY_TIMEOUT_MS);
  logStart(server);
  record({ name, value: server.started.ready, unit: 's', digits: 2, target: { max: readyTarget } });
  return server;
}

let tams = await startTams(place.dir, {}, READY_TIMEOUT_MS);
logStart(tams);
record({ name: 'first start to /ready', value: tams.started.ready, unit: 's', digits: 2 });
record({ name: 'server RSS at /ready', value: tams.rss() / MiB, unit: 'MiB' });
try {
  // A store without segment index snapshots (built before them, or a fresh copy) takes them in
  // the background after its first start (the warm-up's backfill). Every start after that one
  // has them: the runs below measure such a start.
  const taking = performance.now();
  await settle(tams, INDEX_METRICS, READY_TIMEOUT_MS);
  const index = await indexMetrics(tams);
  record({
    name: 'first start: warm-up and snapshots settled',
    value: (performance.now() - taking) / 1000,
    unit: 's',
    digits: 1,
  });
  record({
    name: 'Flows with a segment index snapshot',
    value: index.get('tams_segment_index_snapshots') ?? 0,
    unit: 'Flows',
  });
  await tams.stop();
  tams = await restartTams('restart with snapshots to /ready');
  const coldCount = Math.min(options.coldFlows ?? live.length, live.length);
  const alone = Math.min(options.quick ? 10 : 200, coldCount);
  log(`cold-read run: first pages of ${coldCount} Flows after the start, ${alone} of them one at a time`);
  const sampler = sampleServer(tams, INDEX_METRICS);
  const cold = await coldRead(tams, live, (id) => pagePath(dataset, id), {
    count: coldCount,
    alone,
    concurrency: COLD_CONCURRENCY,
  });
  // Loads the sweep started go on in the background: memory is sampled until they are done.
  const after = await settle(tams, INDEX_METRICS, READY_TIMEOUT_MS);
  recordCold(cold, await sampler.stop(), record);
  record({ name: 'index loads still running after the sweep', value: after, unit: 's', digits: 1 });

  const warmStart = performance.now();
  await warm(tams, dataset, hot);
  await settle(tams, INDEX_METRICS, READY_TIMEOUT_MS);
  log(`${hot.length} Flows warm (${((performance.now() - warmStart) / 1000).toFixed(1)} s)`);
  // One page, as the baseline's payload.
  const pageRes = await fetch(`${tams.url}${pagePath(dataset, hot[0] as string)}`, { headers: tams.headers });
  const page = await pageRes.text();
  if (pageRes.status !== 200 || (JSON.parse(page) as unknown[]).length !== 100) {
    throw new Error(`segments page: ${pageRes.status} ${page.slice(0, 200)}`);
  }
  const payloadFile = join(tmpdir(), `tams-bench-page-${process.pid}.json`);
  writeFileSync(payloadFile, page);
  const baseline = await startBaseline(payloadFile);
  try {
    await pageRuns(tams, baseline, dataset, hot, settings, record, log);
    record({
      name: 'server RSS after the GET runs',
      value: tams.rss() / MiB,
      unit: 'MiB',
      target: { max: 2048 },
    });
    await singleRuns(tams, baseline, dataset, place, settings, singleUsed, options.dir, record, log);
  } finally {
    await baseline.stop();
  }
  bulkUsed = await bulkRuns(
    tams,
    dataset,
    place,
    { batches: bulkBatches, warmup: BULK_WARMUP, scratch: options.dir },
    record,
    log,
  );
  await deleteRun(tams, dataset, place, record, log);
  record({ name: 'server RSS after the POST runs', value: tams.rss() / MiB, unit: 'MiB' });

  log(`restart after a crash: SIGKILL after ${CRASH_AFTER} s of bulk POSTs`);
  const crash = await crashDuringBulk(
    tams,
    dataset,
    { base: place.bulkBase, firstBatch: bulkBatches },
    CRASH_AFTER,
  );
  bulkUsed += crash.batches;
  log(`  killed with ${crash.committed.toLocaleString('en')} segments committed since the bulk run`);
  tams = await restartTams('restart after SIGKILL to /ready');
  await readOne(tams, dataset, intact);

  log('restart after a clean shutdown (SIGTERM)');
  await tams.stop();
  tams = await restartTams('restart after clean shutdown to /ready');
  record({ name: 'server RSS at /ready after the restart', value: tams.rss() / MiB, unit: 'MiB' });
  await readOne(tams, dataset, intact);
  // Last, so that the segments and allocations its POSTs add change none of the figures above.
  await compareVersions(tams);
} finally {
  await tams.stop();
  release();
}

// The 100M targets: the POST ratios within 20% of the 10M run's.
if (options.compare !== undefined) {
  compareRuns(
    options.compare,
    figures,
    ['single-segment POST ratio to baseline', 'bulk POST ratio to db/ insert'],
    record,
  );
}
printTable(figures, log);
writeResults(
  options.out,
  { options, place: { inPlace: place.inPlace, generation: place.generation }, figures },
  log,
);
