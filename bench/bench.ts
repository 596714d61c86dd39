/**
 * `npm run bench [-- --quick]`: builds the data set through the store, starts tams-server and a
 * bare Fastify baseline in their own processes, measures the hot paths over HTTP, prints a table
 * and writes the figures as JSON. `--search`, `--analytics`, `--ui` and `--exr` run the other
 * benches (their own files).
 */
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAnalyticsArgs } from './analytics.args.ts';
import { runAnalyticsBench } from './analytics.bench.ts';
import { parseArgs, parseExrArgs, parseSearchArgs } from './bench.args.ts';
import { buildDataset, dbBytes, runCopy, segmentRange } from './bench.dataset.ts';
import { load } from './bench.load.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import {
  BULK_BATCH,
  bulkBody,
  segmentsPath as pageOf,
  pickFlow as pickFrom,
  singlePosts,
} from './bench.requests.ts';
import { startBaseline, startTams } from './bench.server.ts';
import { runExrBench } from './exr.bench.ts';
import { runSearchBench } from './search.bench.ts';
import { parseUiArgs } from './ui.args.ts';
import { runUiBench } from './ui.bench.ts';
import { runVastBench } from './vast.bench.ts';
import { runReplicasBench } from './vast.replicas.ts';

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
if (process.argv.includes('--exr')) {
  await runExrBench(parseExrArgs(process.argv.slice(2)), log);
  process.exit(0);
}
const options = parseArgs(process.argv.slice(2));
if (options.engine === 'vast') {
  await (options.replicas > 1 ? runReplicasBench(options, log) : runVastBench(options, log));
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
const expectedSingle = 8000 * options.duration;
const spare = Math.ceil(expectedSingle / options.flows) + 20;

log(`tams-server benchmark: ${options.flows} flows, ${options.segments.toLocaleString('en')} segments`);
log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
const datasetDir = join(options.dir, 'dataset');
const dataset = await buildDataset(
  datasetDir,
  { flows: options.flows, segments: options.segments, spare, bulk: BULK_BATCH * bulkBatches },
  options.reuse,
  log,
);
log(`data set ready (${dataset.buildSeconds.toFixed(0)} s to build)`);
const bytes = dbBytes(datasetDir);
record({
  name: 'DuckDB file size per million segments',
  value: bytes / 1e6 / (options.segments / 1e6),
  unit: 'MB',
  digits: 1,
});

// The server runs on a copy: the runs below add and delete segments, and --reuse must find the
// data set as it was built.
const tams = await startTams(runCopy(datasetDir, join(options.dir, 'run'), log));
const pickFlow = () => pickFrom(dataset);
const segmentsPath = () => pageOf(dataset);

try {
  // Every Flow read once, so the figures measure a warm server (the segment index is loaded in
  // the background at start; a Flow read before that loads on demand).
  const warmStart = performance.now();
  for (let i = 0; i < dataset.flowIds.length; i += 16) {
    await Promise.all(
      dataset.flowIds
        .slice(i, i + 16)
        .map((id) =>
          fetch(`${tams.url}/flows/${id}/segments?limit=1`, { headers: tams.headers }).then((r) => r.text()),
        ),
    );
  }
  log(`server warm (${((performance.now() - warmStart) / 1000).toFixed(1)} s)`);
  // One page, as the baseline's payload.
  const pageRes = await fetch(`${tams.url}${segmentsPath()}`, { headers: tams.headers });
  const page = await pageRes.text();
  if (pageRes.status !== 200 || (JSON.parse(page) as unknown[]).length !== 100) {
    throw new Error(`segments page: ${pageRes.status} ${page.slice(0, 200)}`);
  }
  const payloadFile = join(tmpdir(), `tams-bench-page-${process.pid}.json`);
  writeFileSync(payloadFile, page);
  const baseline = await startBaseline(payloadFile);
  const common = {
    duration: options.duration,
    connections: options.connections,
    warmup: options.quick ? 1 : 3,
  };
  const authed = { ...common, headers: tams.headers };
  let baselineRps = 0;
  try {
    log('baseline: bare Fastify route returning a segment page');
    const b = await load({ ...common, url: `${baseline.url}/baseline` });
    baselineRps = b.rps;
    record({ name: 'baseline req/s', value: b.rps, unit: 'req/s' });
    record({ name: 'baseline p99', value: b.p99, unit: 'ms', digits: 1 });
  } finally {
    await baseline.stop();
  }

  log('GET /flows/{id}/segments?timerange=...&limit=100 at random positions');
  const seg = await load({ ...authed, url: tams.url, next: () => ({ path: segmentsPath() }) });
  record({ name: 'segments GET req/s', value: seg.rps, unit: 'req/s', target: { min: 0.4 * baselineRps } });
  record({
    name: 'segments GET ratio to baseline',
    value: seg.rps / baselineRps,
    unit: '',
    digits: 2,
    target: { min: 0.4 },
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
  record({
    name: 'segments GET presigned=false ratio',
    value: unsigned.rps / baselineRps,
    unit: '',
    digits: 2,
  });
  record({ name: 'segments GET presigned=false p99', value: unsigned.p99, unit: 'ms', digits: 1 });
  if (unsigned.failed > 0)
    throw new Error(`segments GET presigned=false: ${unsigned.failed} failed requests`);

  log('GET /flows?tag.group=3 and GET /flows/{id}');
  const tagged = await load({ ...authed, url: `${tams.url}/flows?tag.group=3&limit=100` });
  record({ name: 'flows GET with tag filter req/s', value: tagged.rps, unit: 'req/s' });
  record({ name: 'flows GET with tag filter p99', value: tagged.p99, unit: 'ms', digits: 1 });
  const one = await load({ ...authed, url: tams.url, next: () => ({ path: `/flows/${pickFlow()}` }) });
  record({ name: 'flow GET req/s', value: one.rps, unit: 'req/s' });
  record({ name: 'flow GET p99', value: one.p99, unit: 'ms', digits: 1 });
  record({
    name: 'server RSS after loading',
    value: tams.rss() / 2 ** 20,
    unit: 'MiB',
    target: { max: 1024 },
  });

  log('POST /flows/{id}/segments, one segment per request, many flows in parallel');
  const single = await load({
    ...authed,
    connections: 64,
    url: tams.url,
    method: 'POST',
    next: singlePosts(dataset),
  });
  record({ name: 'single-segment POST', value: single.rps, unit: 'segments/s', target: { min: 5000 } });
  record({ name: 'single-segment POST p99', value: single.p99, unit: 'ms', digits: 1 });
  if (single.failed > 0) throw new Error(`single POST: ${single.failed} failed requests`);

  log(`POST /flows/{id}/segments in batches of ${BULK_BATCH}`);
  // The first batches warm the server's code for 1,000-segment bodies (the first takes ~3x as
  // long as the tenth) and are not counted, as the GET runs are long enough not to need it.
  let bulkStart = performance.now();
  for (let b = 0; b < bulkBatches; b++) {
    if (b === BULK_WARMUP) bulkStart = performance.now();
    const res = await fetch(`${tams.url}/flows/${dataset.bulkFlow}/segments`, {
      method: 'POST',
      headers: { ...tams.headers, 'content-type': 'application/json' },
      body: bulkBody(dataset, b),
    });
    if (res.status !== 201) throw new Error(`bulk POST: ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  const bulkSeconds = (performance.now() - bulkStart) / 1000;
  record({
    name: 'bulk POST',
    value: ((bulkBatches - BULK_WARMUP) * BULK_BATCH) / bulkSeconds,
    unit: 'segments/s',
    target: { min: 50_000 },
  });

  const toDelete = Math.min(10_000, dataset.segmentsPerFlow);
  log(`DELETE /flows/{id}/segments?timerange=... of ${toDelete} segments`);
  const victim = dataset.flowIds[0] as string;
  const range = `${segmentRange(0n).format().split('_')[0]}_${segmentRange(BigInt(toDelete)).format().split('_')[0]?.slice(1)})`;
  const deleteStart = performance.now();
  const del = await fetch(`${tams.url}/flows/${victim}/segments?timerange=${encodeURIComponent(range)}`, {
    method: 'DELETE',
    headers: tams.headers,
  });
  if (del.status !== 204) throw new Error(`DELETE: ${del.status} ${await del.text()}`);
  record({
    name: `DELETE of ${toDelete} segments`,
    value: (performance.now() - deleteStart) / 1000,
    unit: 's',
    digits: 2,
  });
} finally {
  await tams.stop();
}

printTable(figures, log);
writeResults(options.out, { options, figures }, log);
