/**
 * `npm run bench -- --engine postgres|vast [--replicas N]` and `--engine duckdb --per-op`: one
 * tams-server on the engine, then (with --replicas N) N servers on the same database, requests
 * spread over them as a load balancer would, on one data set (bench/replicas.backends.ts: a
 * throwaway PostgreSQL with fsync on, the fake VAST server, or the embedded DuckDB file). Segment
 * pages, single-segment POSTs and bulk POSTs; besides rates and latencies, the **CPU per
 * operation** of the servers (all replicas' processes, /proc) and of the database's own
 * processes, measured from each run's start until everything is quiet again, and the conflicts
 * the servers ran again (tams_store_transaction_conflicts_total) per registration.
 *
 * Single POSTs are spread two ways: by Flow (a balancer hashing the path: each Flow's ingest on
 * one replica) and, with N replicas, in turn whatever their Flow (round robin: two replicas
 * register segments of one Flow at once and one of them runs again). Bulk POSTs go in one stream
 * per server, each to Flows of its own; with N replicas, also to one Flow from every replica at
 * once. Each server gets the same connections whatever their number: N replicas carry N times
 * one's load, as when replicas are added for more clients, so that each process batches as much
 * as one alone does and what the CPU per operation compares is the sharing of one database. On this machine's 2 cores the replicas,
 * the database and the load generator share the CPU: three replicas cannot be faster than one,
 * so what the figures compare is the CPU each operation costs (3 replicas over 1: the target is
 * at most 1.2, scaling limited by cores, not by contention).
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './bench.args.ts';
import { startCoTenants } from './bench.cotenants.ts';
import { buildDataset, type Dataset } from './bench.dataset.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import { BULK_BATCH, bulkBody, flowBulkBody, segmentsPath, singlePosts } from './bench.requests.ts';
import { type RunningServer, startTams } from './bench.server.ts';
import { type BenchBackend, type SharedEngine, startBackend } from './replicas.backends.ts';
import {
  byFlow,
  idleCpu,
  inTurn,
  measured,
  percentile,
  type RunCost,
  send,
  steady,
} from './replicas.load.ts';
import { type CpuRow, cpuRatios, printCpu, REPLICA_CPU_TARGET } from './replicas.report.ts';

const PAGE_CONNECTIONS = 10;
const POST_CONNECTIONS = 64;
/** Operations one at a time (their latency without queueing). */
const ALONE = { pages: 100, posts: 30 };
/** Bulk batches per stream in a run (after one each not counted). */
const BULK_RUNS = { quick: 2, full: 5 };
/**
 * Objects allocated per Flow for the single and bulk POSTs, used again once all were registered
 * (a POST on an object already used updates its references rather than adding them: dearer on
 * DuckDB). Enough for ~1,000 single POSTs a second over every run of the full set; the figure
 * "single POSTs on an object used before" says how many were not.
 */
const SPARE = { quick: 1000, full: 10_000 };
/** Seconds of load before each measured window, not counted. */
const WARMUP = 2;

type Post = () => { path: string; body: string };

export async function runReplicasBench(options: BenchOptions, log: (line: string) => void): Promise<void> {
  const figures: Figure[] = [];
  const record = (figure: Figure) => {
    figures.push(figure);
    log(`  ${figure.name}: ${figure.value.toFixed(figure.digits ?? 0)} ${figure.unit}`);
  };
  const n = options.replicas;
  const bulkRuns = options.quick ? BULK_RUNS.quick : BULK_RUNS.full;
  const spare = options.quick ? SPARE.quick : SPARE.full;
  const backend = await startBackend(options.engine as SharedEngine, { statements: options.statements });
  const cpu: CpuRow[] = [];
  const statements: string[] = [];
  let stopCoTenants = () => {};
  try {
    if (n > backend.maxReplicas)
      throw new Error(`--replicas: ${backend.label} admits ${backend.maxReplicas}`);
    log(
      `tams-server on ${backend.label}: ${n > 1 ? `${n} replicas against 1` : 'one server'}, ${options.flows} flows, ${options.segments.toLocaleString('en')} segments`,
    );
    log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
    const dir = join(options.dir, `${options.engine}-replicas`);
    const dataset = await buildDataset(
      dir,
      {
        flows: options.flows,
        segments: options.segments,
        spare,
        bulk: BULK_BATCH * n * (bulkRuns + 1),
      },
      false,
      log,
      backend.env,
    );
    log(`data set ready (${dataset.buildSeconds.toFixed(0)} s to build)`);
    await backend.afterBuild();
    if (options.coTenants > 0) {
      stopCoTenants = startCoTenants(options.coTenants);
      log(`${options.coTenants} co-tenants walking memory from here on (--co-tenants)`);
    }
    const state = newState(dataset, n);
    for (const count of n > 1 ? [1, n] : [1]) {
      const at = `${count} replica${count > 1 ? 's' : ''}`;
      log(`-- ${at}`);
      const servers = await Promise.all(
        Array.from({ length: count }, () =>
          startTams(dir, { ...backend.env, TAMS_WORKER_IDLE_MS: '600000' }),
        ),
      );
      try {
        await runCount({ servers, backend, dataset, state, options, bulkRuns, at, record, say: log, cpu });
      } finally {
        await backend.measuring(false);
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
    const reused = [...state.positions.values()].reduce((sum, k) => sum + Math.max(0, k - spare), 0);
    record({ name: 'single POSTs on an object used before', value: reused, unit: '' });
    statements.push(...(await backend.report()));
    for (const r of cpuRatios(cpu, n)) {
      record({
        name: `tams-server CPU per ${r.operation}, ${n} replicas over 1`,
        value: r.server,
        unit: '',
        digits: 2,
        target: { max: REPLICA_CPU_TARGET },
      });
    }
  } finally {
    stopCoTenants();
    await backend.stop();
  }
  printTable(figures, log);
  printCpu(cpu, n, log);
  for (const line of statements) log(line);
  writeResults(
    options.out,
    { options, engine: backend.label, figures, cpuPerOperation: cpu, statements },
    log,
  );
}

/** What the runs of every server count share: where each Flow's single and bulk POSTs are. */
interface State {
  /** Single POSTs sent to each Flow so far. */
  positions: Map<string, number>;
  allPosts: Post;
  flowPosts: Post[];
  /** Bulk streams: the Flows of each, and the next batch of each Flow. */
  streams: Dataset[];
  bulkNext: Map<string, number>;
  bulkOneFlow: number;
}

function newState(dataset: Dataset, n: number): State {
  // One generator of single POSTs per Flow set for the whole run: it knows where each Flow ends.
  const positions = new Map<string, number>();
  return {
    positions,
    allPosts: singlePosts(dataset, positions),
    flowPosts: byFlow(dataset, n).map((d) => singlePosts(d, positions)),
    streams: byFlow(dataset, n),
    bulkNext: new Map(),
    bulkOneFlow: 0,
  };
}

interface CountRun {
  servers: RunningServer[];
  backend: BenchBackend;
  dataset: Dataset;
  state: State;
  options: BenchOptions;
  bulkRuns: number;
  /** "1 replica", "3 replicas": the label of this count's figures. */
  at: string;
  record: (figure: Figure) => void;
  say: (line: string) => void;
  cpu: CpuRow[];
}

async function runCount(run: CountRun): Promise<void> {
  const { servers, backend, dataset, state, options, at, record } = run;
  const many = servers.length > 1;
  // Each replica's first POST to a Flow reads the events' filter fields in turn: not measured.
  for (const s of servers) {
    for (let f = 0; f < dataset.flowIds.length; f++) {
      const { path, body } = state.allPosts();
      await send(s, path, { method: 'POST', body, status: 201 });
    }
  }
  await backend.measuring(true);
  const cost = (operation: string, mode: string, c: RunCost<unknown>, ops: number) => {
    const row: CpuRow = {
      operation,
      mode,
      servers: servers.length,
      serverUs: (1000 * c.serverMs) / ops,
      dbUs: c.dbMs === undefined ? undefined : (1000 * c.dbMs) / ops,
    };
    run.cpu.push(row);
    run.say(
      `  ${operation} [${mode}]: ${ops.toLocaleString('en')} operations, quiet ${c.settled.toFixed(1)} s after`,
    );
    record({ name: `tams-server CPU per ${operation} [${mode}]`, value: row.serverUs, unit: 'µs' });
    if (row.dbUs !== undefined)
      record({ name: `database CPU per ${operation} [${mode}]`, value: row.dbUs, unit: 'µs' });
  };

  run.say('GET /flows/{id}/segments?timerange=...&limit=100');
  const pageOne = await inTurn(servers, ALONE.pages, (s) => send(s, segmentsPath(dataset), { status: 200 }));
  record({
    name: `segment page one at a time p50 [${at}]`,
    value: percentile(pageOne, 50),
    unit: 'ms',
    digits: 1,
  });
  record({
    name: `segment page one at a time p99 [${at}]`,
    value: percentile(pageOne, 99),
    unit: 'ms',
    digits: 1,
  });
  const idle = await idleCpu(servers, backend);
  record({ name: `tams-server CPU idle, each [${at}]`, value: idle.server, unit: 'ms/s', digits: 1 });
  if (idle.db !== undefined)
    record({ name: `database CPU idle [${at}]`, value: idle.db, unit: 'ms/s', digits: 1 });
  const pages = await steady(servers, backend, {
    connections: PAGE_CONNECTIONS,
    ...(options.pageRate === undefined ? {} : { rate: options.pageRate }),
    warmup: WARMUP,
    duration: options.duration,
    request: () => ({ next: () => ({ path: segmentsPath(dataset) }) }),
  });
  if (pages.result.failed > 0) throw new Error(`segment pages: ${pages.result.failed} failed`);
  record({
    name: `segments GET, ${PAGE_CONNECTIONS} connections per server [${at}]`,
    value: pages.result.rps,
    unit: 'req/s',
  });
  record({ name: `segments GET p99 [${at}]`, value: pages.result.p99, unit: 'ms', digits: 1 });
  cost('segment page', at, pages, pages.result.ok);

  run.say('POST /flows/{id}/segments, one segment');
  const postOne = await inTurn(servers, ALONE.posts, (s) => {
    const { path, body } = state.allPosts();
    return send(s, path, { method: 'POST', body, status: 201 });
  });
  record({
    name: `single-segment POST alone p50 [${at}]`,
    value: percentile(postOne, 50),
    unit: 'ms',
    digits: 1,
  });
  // By Flow first: the in-turn run leaves the replicas a backlog of refused transactions to run
  // again, which would be charged to whatever runs next.
  const modes: [string, (i: number) => Post][] = many
    ? [
        [`${at}, by Flow`, (i) => state.flowPosts[i] as Post],
        [`${at}, in turn`, () => state.allPosts],
      ]
    : [[at, () => state.allPosts]];
  for (const [mode, posts] of modes) {
    const single = await steady(servers, backend, {
      connections: POST_CONNECTIONS,
      warmup: WARMUP,
      duration: options.duration,
      request: (i) => ({ method: 'POST', next: posts(i) }),
    });
    const { ok, failed } = single.result;
    record({
      name: `single-segment POST, ${POST_CONNECTIONS} connections per server [${mode}]`,
      value: single.result.rps,
      unit: 'segments/s',
    });
    record({ name: `single-segment POST p99 [${mode}]`, value: single.result.p99, unit: 'ms', digits: 1 });
    // A POST whose transaction lost 5 times in a row answers 503 (Retry-After): a client sends it again.
    record({
      name: `single-segment POST: not 201 per 1,000 [${mode}]`,
      value: (1000 * failed) / Math.max(1, ok + failed),
      unit: '',
      digits: 1,
    });
    const byFlowMode = !mode.endsWith('in turn');
    record({
      name: `single-segment POST: conflicts re-run per 100 registrations [${mode}]`,
      value: (100 * single.conflicts) / Math.max(1, ok),
      unit: '%',
      digits: 2,
      ...(many && byFlowMode ? { target: { max: 1 } } : {}),
    });
    cost('single POST', mode, single, ok);
  }

  await bulkByFlow(run, cost);
  if (many) await bulkOneFlow(run);
  record({
    name: `tams-server RSS at the end [${at}]`,
    value: Math.max(...servers.map((s) => s.rss())) / 2 ** 20,
    unit: 'MiB',
  });
}

/** How long `work` took, in seconds. */
async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** Bulk POSTs in one stream per server, each to the Flows of its own share of the data set. */
async function bulkByFlow(
  run: CountRun,
  cost: (operation: string, mode: string, c: RunCost<unknown>, ops: number) => void,
): Promise<void> {
  const { servers, state, dataset, at, record } = run;
  run.say(`POST /flows/{id}/segments in batches of ${BULK_BATCH}, one stream per server, by Flow`);
  const batch = async (stream: number, i: number) => {
    const flows = (state.streams[stream] as Dataset).flowIds;
    const flowId = flows[i % flows.length] as string;
    const b = state.bulkNext.get(flowId) ?? 0;
    state.bulkNext.set(flowId, b + 1);
    const server = servers[stream] as RunningServer;
    await send(server, `/flows/${flowId}/segments`, {
      method: 'POST',
      body: flowBulkBody(dataset, flowId, b),
      status: 201,
    });
  };
  const streams = servers.map((_, j) => j);
  await Promise.all(streams.map((j) => batch(j, 0)));
  const bulk = await measured(servers, run.backend, () =>
    seconds(() =>
      Promise.all(
        streams.map(async (j) => {
          for (let b = 1; b <= run.bulkRuns; b++) await batch(j, b);
        }),
      ),
    ),
  );
  const segments = streams.length * run.bulkRuns * BULK_BATCH;
  const mode = servers.length > 1 ? `${at}, by Flow` : at;
  record({
    name: `bulk POST, one stream per server [${mode}]`,
    value: segments / bulk.result,
    unit: 'segments/s',
  });
  record({
    name: `bulk POST: conflicts re-run per batch [${mode}]`,
    value: bulk.conflicts / (streams.length * run.bulkRuns),
    unit: '',
    digits: 2,
  });
  cost('bulk segment', mode, bulk, segments);
}

/**
 * Context for N replicas: one Flow's bulk batches from every replica at once (disjoint in time).
 * A batch whose transaction kept losing to the other replicas' answers 503: sent again, as a
 * client would, and counted.
 */
async function bulkOneFlow(run: CountRun): Promise<void> {
  const { servers, state, dataset, at, record } = run;
  run.say(`POST /flows/{id}/segments in batches of ${BULK_BATCH}, one Flow from every replica`);
  let refused = 0;
  const post = async (s: RunningServer) => {
    const body = bulkBody(dataset, state.bulkOneFlow++);
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${s.url}/flows/${dataset.bulkFlow}/segments`, {
        method: 'POST',
        headers: { ...s.headers, 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      if (res.status === 201) return;
      if (res.status !== 503 || attempt >= 20)
        throw new Error(`bulk POST: ${res.status} ${text.slice(0, 300)}`);
      refused++;
    }
  };
  for (const s of servers) await post(s);
  const bulk = await measured(servers, run.backend, () =>
    seconds(() =>
      Promise.all(
        servers.map(async (s) => {
          for (let b = 0; b < run.bulkRuns; b++) await post(s);
        }),
      ),
    ),
  );
  const batches = run.bulkRuns * servers.length;
  const mode = `${at}, one Flow`;
  record({
    name: `bulk POST [${mode}]`,
    value: (batches * BULK_BATCH) / bulk.result,
    unit: 'segments/s',
  });
  record({
    name: `bulk POST: answered 503 per batch [${mode}]`,
    value: refused / batches,
    unit: '',
    digits: 2,
  });
  record({
    name: `bulk POST: conflicts re-run per batch [${mode}]`,
    value: bulk.conflicts / batches,
    unit: '',
    digits: 2,
  });
}
