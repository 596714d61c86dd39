/**
 * `npm run bench -- --engine vast`: tams-server on TAMS_DB=vast against the fake VAST server
 * (tools/vast-fake) in a process of its own. Besides the usual figures it prints the VAST round
 * trips per operation, by kind, read from the fake's counters, and then everything again with
 * 1 ms added to every round trip. The fake is not a cluster: the figures show the server's
 * client-side costs and the round-trip structure of each operation (BENCHMARKS.md).
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './bench.args.ts';
import { buildDataset } from './bench.dataset.ts';
import { load } from './bench.load.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import { BULK_BATCH, bulkBody, segmentsPath, singlePosts } from './bench.requests.ts';
import { cpuMs, startTams } from './bench.server.ts';
import { type FakeCounts, type FakeVastProcess, startFakeVastProcess } from './vast.fake.ts';
import { type OpWindow, sequentialTrips } from './vast.trips.ts';

/** Round trips of one operation, by kind, averaged over `ops`. */
export interface RoundTrips {
  readonly operation: string;
  readonly ops: number;
  readonly perOp: Record<string, number>;
  readonly total: number;
  /** Rows the fake sent per operation (QueryData answers). */
  readonly rows: number;
  /** Rows the fake examined per operation, and its reads from a projection (FAKE_VAST_PROJECTIONS). */
  readonly examined: number;
  readonly projectionReads: number;
  /** CPU time per operation of the server and of the fake VAST process, in ms. */
  cpu?: { server: number; fake: number };
}

/** Sequential operations measured one by one (no sharing between them). */
const SEQUENTIAL = 30;
/** Pages measured one at a time (their p99 is the structure's latency without queueing). */
const SEQUENTIAL_PAGES = 100;

/** The p-th percentile of `ms` (nearest rank). */
function percentile(ms: number[], p: number): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Runs `op` `n` times in sequence; the latency of each, in ms, and when each ran. */
async function timed(n: number, op: () => Promise<void>): Promise<{ ms: number[]; windows: OpWindow[] }> {
  const ms: number[] = [];
  const windows: OpWindow[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const start = process.hrtime.bigint();
    await op();
    windows.push({ start, end: process.hrtime.bigint() });
    ms.push(performance.now() - t);
  }
  return { ms, windows };
}
/** Batches of 1,000 per bulk run (after one not counted). */
const BULK_RUNS = { quick: 3, full: 10 };
/** Objects allocated per Flow for the single POSTs (then used again: see singlePosts). */
const SPARE = 200;
const CONCURRENT_POSTS = 64;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function perOperation(
  operation: string,
  before: FakeCounts,
  after: FakeCounts,
  ops: number,
): RoundTrips {
  if (ops <= 0) throw new Error(`${operation}: no operation completed`);
  const perOp: Record<string, number> = {};
  let total = 0;
  for (const [kind, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[kind as keyof FakeCounts['calls']] ?? 0);
    if (d === 0) continue;
    perOp[kind] = d / ops;
    total += d;
  }
  return {
    operation,
    ops,
    perOp,
    total: total / ops,
    rows: (after.rows - before.rows) / ops,
    examined: (after.examined - before.examined) / ops,
    projectionReads: (after.projectionReads - before.projectionReads) / ops,
  };
}

/**
 * Counts once every read-only commit the server sends after answering (off the response path)
 * has arrived: every begin has its commit or rollback. Bounded: a transaction still open (a
 * keep-alive) must not hang the benchmark.
 */
export async function settledCounts(fake: FakeVastProcess): Promise<FakeCounts> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const c = await fake.counts();
    if (c.calls.commit + c.calls.rollback >= c.calls.begin || Date.now() > deadline) return c;
    await sleep(20);
  }
}

export async function runVastBench(options: BenchOptions, log: (line: string) => void): Promise<void> {
  const figures: Figure[] = [];
  const trips: RoundTrips[] = [];
  const record = (figure: Figure) => {
    figures.push(figure);
    log(`  ${figure.name}: ${figure.value.toFixed(figure.digits ?? 0)} ${figure.unit}`);
  };
  const note = (t: RoundTrips) => {
    trips.push(t);
    const kinds = Object.entries(t.perOp).map(([k, n]) => `${k} ${n.toFixed(2)}`);
    const cpu = t.cpu ? `; CPU ms: server ${t.cpu.server.toFixed(2)}, fake ${t.cpu.fake.toFixed(2)}` : '';
    const projected = t.projectionReads > 0 ? `, ${t.projectionReads.toFixed(2)} from a projection` : '';
    log(
      `  round trips, ${t.operation}: ${t.total.toFixed(2)} (${kinds.join(', ')}; ${t.rows.toFixed(0)} rows read, ${t.examined.toFixed(0)} examined${projected}${cpu})`,
    );
    return t;
  };
  const bulkRuns = options.quick ? BULK_RUNS.quick : BULK_RUNS.full;

  log(
    `tams-server benchmark on VAST (the fake VAST server): ${options.flows} flows, ${options.segments.toLocaleString('en')} segments`,
  );
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  const fake = await startFakeVastProcess();
  log(`fake VAST server in process ${fake.pid}`);
  if (process.env.FAKE_VAST_PROJECTIONS)
    log(`projections (FAKE_VAST_PROJECTIONS): ${process.env.FAKE_VAST_PROJECTIONS}`);
  const dir = join(options.dir, 'vast');
  let before = await fake.counts();
  const dataset = await buildDataset(
    dir,
    { flows: options.flows, segments: options.segments, spare: SPARE, bulk: BULK_BATCH * (2 * bulkRuns + 2) },
    false,
    log,
    fake.env,
  );
  log(`data set ready (${dataset.buildSeconds.toFixed(0)} s to build)`);
  note(perOperation('data set build (whole)', before, await settledCounts(fake), 1));

  before = await fake.counts();
  const opened = performance.now();
  // Background workers (deletion, media GC, webhooks) look for work every 10 min instead of every
  // second: each look is a few round trips, which the per-operation counts would take in.
  const tams = await startTams(dir, { ...fake.env, TAMS_WORKER_IDLE_MS: '600000' });
  record({ name: 'server start to ready', value: (performance.now() - opened) / 1000, unit: 's', digits: 1 });
  note(perOperation('server start (store open)', before, await settledCounts(fake), 1));

  const posts = singlePosts(dataset);
  let bulkBatch = 0;
  const get = async (path: string) => {
    const res = await fetch(`${tams.url}${path}`, { headers: tams.headers });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 200)}`);
    return text;
  };
  const post = async (path: string, body: string) => {
    const res = await fetch(`${tams.url}${path}`, {
      method: 'POST',
      headers: { ...tams.headers, 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${text.slice(0, 300)}`);
  };

  try {
    for (const flowId of dataset.flowIds) await get(`/flows/${flowId}/segments?limit=1`);
    const page = JSON.parse(await get(segmentsPath(dataset))) as unknown[];
    if (page.length !== 100) throw new Error(`a segment page holds ${page.length} segments, not 100`);

    // A first POST to each Flow in this process reads the events' filter fields in turn (no
    // hint yet, StoreHints): steady ingest is measured.
    for (let i = 0; i < dataset.flowIds.length; i++) {
      const { path, body } = posts();
      await post(path, body);
    }
    await responsePath(
      fake,
      {
        get: () => get(segmentsPath(dataset)),
        post: () => {
          const { path, body } = posts();
          return post(path, body);
        },
      },
      record,
    );

    for (const latency of [0, 1]) {
      await fake.setLatency(latency);
      const at = `${latency} ms/round trip`;
      log(`-- ${latency} ms added to every VAST round trip`);
      const authed = {
        url: tams.url,
        headers: tams.headers,
        duration: options.duration,
        connections: options.connections,
      };
      const measured = async <T>(operation: string, ops: (result: T) => number, work: () => Promise<T>) => {
        const start = await settledCounts(fake);
        const cpu0 = { server: cpuMs(tams.pid), fake: cpuMs(fake.pid) };
        const result = await work();
        const end = await settledCounts(fake);
        const n = ops(result);
        const trips = perOperation(operation, start, end, n);
        trips.cpu = { server: (cpuMs(tams.pid) - cpu0.server) / n, fake: (cpuMs(fake.pid) - cpu0.fake) / n };
        return { result, trips: note(trips) };
      };

      log('GET /flows/{id}/segments?timerange=...&limit=100, one at a time, then under load');
      const one = await measured(
        `segment page, one at a time [${at}]`,
        () => SEQUENTIAL_PAGES,
        () =>
          timed(SEQUENTIAL_PAGES, async () => {
            await get(segmentsPath(dataset));
          }),
      );
      record({
        name: `segment page: queries [${at}]`,
        value: one.trips.perOp.query ?? 0,
        unit: 'per page',
        digits: 2,
      });
      record({ name: `segment page: rows read [${at}]`, value: one.trips.rows, unit: 'per page' });
      record({
        name: `segments GET one at a time p50 [${at}]`,
        value: percentile(one.result.ms, 50),
        unit: 'ms',
        digits: 1,
      });
      record({
        name: `segments GET one at a time p99 [${at}]`,
        value: percentile(one.result.ms, 99),
        unit: 'ms',
        digits: 1,
      });
      const pageLoad = { ...authed, next: () => ({ path: segmentsPath(dataset) }) };
      await load({ ...pageLoad, duration: 1 });
      const pages = await measured(
        `segment page, ${options.connections} connections [${at}]`,
        (r) => r.ok,
        () => load(pageLoad),
      );
      if (pages.result.failed > 0) throw new Error(`segments GET: ${pages.result.failed} failed requests`);
      record({ name: `segments GET req/s [${at}]`, value: pages.result.rps, unit: 'req/s' });
      record({ name: `segments GET p50 [${at}]`, value: pages.result.p50, unit: 'ms', digits: 1 });
      record({
        name: `segments GET p99 [${at}]`,
        value: pages.result.p99,
        unit: 'ms',
        digits: 1,
        ...(latency === 1 ? { target: { max: 20 } } : {}),
      });

      log('POST /flows/{id}/segments, one segment, one at a time, then under load');
      const alone = await measured(
        `single-segment POST, one at a time [${at}]`,
        () => SEQUENTIAL,
        () =>
          timed(SEQUENTIAL, async () => {
            const { path, body } = posts();
            await post(path, body);
          }),
      );
      record({
        name: `single-segment POST alone: requests [${at}]`,
        value: alone.trips.total,
        unit: 'per POST',
        digits: 2,
      });
      record({
        name: `single-segment POST alone p50 [${at}]`,
        value: percentile(alone.result.ms, 50),
        unit: 'ms',
        digits: 1,
      });
      const postLoad = { ...authed, connections: CONCURRENT_POSTS, method: 'POST' as const, next: posts };
      await load({ ...postLoad, duration: 1 });
      const many = await measured(
        `single-segment POST, ${CONCURRENT_POSTS} connections, per segment [${at}]`,
        (r) => r.ok,
        () => load(postLoad),
      );
      if (many.result.failed > 0) throw new Error(`single POST: ${many.result.failed} failed requests`);
      record({
        name: `single-segment POST concurrent: round trips per segment [${at}]`,
        value: many.trips.total,
        unit: 'per segment',
        digits: 2,
        target: { max: 4 },
      });
      record({
        name: `single-segment POST [${at}]`,
        value: many.result.rps,
        unit: 'segments/s',
        ...(latency === 1 ? { target: { min: 2000 } } : {}),
      });
      record({ name: `single-segment POST p99 [${at}]`, value: many.result.p99, unit: 'ms', digits: 1 });

      log(`POST /flows/{id}/segments in batches of ${BULK_BATCH}`);
      await post(`/flows/${dataset.bulkFlow}/segments`, bulkBody(dataset, bulkBatch++));
      const bulkStart = performance.now();
      const bulk = await measured(
        `bulk POST of ${BULK_BATCH} [${at}]`,
        () => bulkRuns,
        async () => {
          for (let b = 0; b < bulkRuns; b++)
            await post(`/flows/${dataset.bulkFlow}/segments`, bulkBody(dataset, bulkBatch++));
        },
      );
      const bulkSeconds = (performance.now() - bulkStart) / 1000;
      record({
        name: `bulk POST of ${BULK_BATCH}: round trips [${at}]`,
        value: bulk.trips.total,
        unit: 'per POST',
        digits: 2,
      });
      record({ name: `bulk POST [${at}]`, value: (bulkRuns * BULK_BATCH) / bulkSeconds, unit: 'segments/s' });
    }
    record({ name: 'server RSS at the end', value: tams.rss() / 2 ** 20, unit: 'MiB' });
  } finally {
    await tams.stop();
    await fake.stop();
  }

  printTable(figures, log);
  printTrips(trips, log);
  writeResults(options.out, { options, figures, roundTrips: trips }, log);
}

/** Operations of each kind measured for their round trips on the response path. */
const STRUCTURE_OPS = 20;
/** Added per round trip there: longer than the server takes to send requests side by side. */
const STRUCTURE_LATENCY_MS = 10;

/**
 * Round trips one after another on the response path of a segment page and of a single POST, one
 * at a time, with STRUCTURE_LATENCY_MS added to every answer, so that requests the server sends
 * side by side overlap at the fake however long it takes to build them (with 1 ms, the CPU spent
 * between two requests sent together can exceed the latency and split them).
 */
async function responsePath(
  fake: FakeVastProcess,
  op: { get: () => Promise<unknown>; post: () => Promise<void> },
  record: (figure: Figure) => void,
): Promise<void> {
  await fake.setLatency(STRUCTURE_LATENCY_MS);
  try {
    await fake.spans();
    const pages = await timed(STRUCTURE_OPS, async () => {
      await op.get();
    });
    // A read's commit is sent without waiting for its answer: not on the response path.
    const page = sequentialTrips(pages.windows, await fake.spans(), new Set(['commit']));
    const posts = await timed(STRUCTURE_OPS, op.post);
    const post = sequentialTrips(posts.windows, await fake.spans());
    const at = `${STRUCTURE_LATENCY_MS} ms/round trip`;
    record({
      name: `segment page: query round trips on the response path [${at}]`,
      value: page.query,
      unit: 'per page',
      digits: 2,
      target: { max: 1 },
    });
    record({
      name: `segment page: round trips on the response path [${at}]`,
      value: page.total,
      unit: 'per page',
      digits: 2,
    });
    record({
      name: `single-segment POST: round trips on the response path [${at}]`,
      value: post.total,
      unit: 'per POST',
      digits: 2,
      target: { max: 4 },
    });
  } finally {
    await fake.setLatency(0);
  }
}

/** Round trips per operation as a table: one column per call kind seen. */
function printTrips(trips: readonly RoundTrips[], log: (line: string) => void): void {
  const kinds = [...new Set(trips.flatMap((t) => Object.keys(t.perOp)))];
  const header = ['VAST round trips per operation', ...kinds, 'total', 'rows read', 'CPU ms server', 'fake'];
  const rows = trips.map((t) => [
    t.operation,
    ...kinds.map((k) => (t.perOp[k] === undefined ? '' : fmt(t.perOp[k] as number))),
    fmt(t.total),
    t.rows.toFixed(0),
    t.cpu ? t.cpu.server.toFixed(2) : '',
    t.cpu ? t.cpu.fake.toFixed(2) : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  log('');
  for (const r of [header, ...rows])
    log(
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '),
    );
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
