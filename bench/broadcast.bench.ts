/**
 * `npm run bench -- --broadcast [--engine postgres|vast|duckdb]`: a year-long channel in one Flow
 * on the shared engines' path (issue 62). One Flow of 2-second segments (10M on PostgreSQL: 231
 * days) beside 1,000 Flows of 1,000, built once into `--dir` (bench/broadcast.dataset.ts) and
 * measured again with `--reuse`, so that runs before and after a change measure one data set.
 *
 * Scenarios, each first one at a time (latency alone, and on VAST the fake's requests, rows and
 * bytes per operation), then under a steady load of `--connections` (rate, p50/p99), with the CPU
 * per operation of the server process and of the database's own processes apart (/proc):
 * pages of 100 at 1 %, 50 % and 99 % of the long Flow by timerange, by paging key and reversed;
 * single POSTs appended at its live end; Flow creates; Flow lists with a tag filter; analytics
 * reports over it (one at a time only); and the deletion of one day from its middle (once: until
 * its deletion request is done and everything is quiet).
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { quietCpu } from './bench.cpu.ts';
import { segmentRange } from './bench.dataset.ts';
import { writeResults } from './bench.report.ts';
import { cpuMs, startTams } from './bench.server.ts';
import type { BroadcastOptions } from './broadcast.args.ts';
import { type BroadcastBackend, startBroadcastBackend } from './broadcast.backend.ts';
import {
  allocateAppends,
  type BroadcastDataset,
  buildBroadcast,
  clearForBuild,
  deletedSpan,
  matches,
  nextRun,
  readBroadcastManifest,
} from './broadcast.dataset.ts';
import {
  alone,
  type Measured,
  type Measurer,
  type Request,
  send,
  steadyLoad,
  wireCost,
} from './broadcast.measure.ts';
import { printBroadcast } from './broadcast.report.ts';
import {
  analytics,
  appends,
  band,
  creates,
  cycle,
  flowLists,
  nextIndex,
  type PageWay,
  POSITIONS,
  pagePath,
  pageRange,
} from './broadcast.scenarios.ts';
import { followersSettled } from './broadcast.settle.ts';

/** A server that opens a 10M data set may take a while before /ready. */
const READY_TIMEOUT_MS = 10 * 60_000;
/** The longest wait for the followers to apply the events of the Flows the build wrote. */
const SETTLE_LIMIT_MS = 10 * 60_000;
/** Time one scenario's operations one at a time may take (at least 3 are done). */
const ALONE_BUDGET_MS = 20_000;
/** Objects allocated per run for the appended POSTs (used again beyond: counted). */
const APPEND_OBJECTS = { quick: 2_000, full: 40_000 };

export async function runBroadcastBench(
  options: BroadcastOptions,
  say: (line: string) => void,
): Promise<void> {
  const dir = options.dir;
  say(
    `broadcast benchmark on ${options.engine}: one Flow of ${options.segments.toLocaleString('en')} segments beside ${options.flows.toLocaleString('en')} Flows of ${options.flowSegments.toLocaleString('en')}`,
  );
  say(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  let dataset = options.reuse ? readBroadcastManifest(dir) : undefined;
  if (options.reuse && !matches(dataset, options)) {
    const kept = dataset
      ? `${dataset.engine}, ${dataset.segments} segments, ${dataset.flows} x ${dataset.flowSegments}`
      : 'no data set';
    throw new Error(`--reuse: ${dir} holds ${kept}; build it first (--build-only)`);
  }
  let backend: BroadcastBackend;
  if (!matches(dataset, options)) {
    clearForBuild(dir);
    backend = await startBroadcastBackend(options.engine, dir, { phase: 'build', statements: false });
    try {
      say(`building the data set in ${dir} (${backend.label})`);
      dataset = await buildBroadcast(dir, backend, options, say);
      say(describeBuild(dataset));
    } catch (error) {
      await backend.stop();
      throw error;
    }
    if (options.buildOnly || options.engine !== 'vast') await backend.stop();
    if (options.buildOnly) return;
    if (options.engine !== 'vast')
      backend = await startBroadcastBackend(options.engine, dir, {
        phase: 'run',
        statements: options.statements,
      });
  } else {
    const kept = dataset as BroadcastDataset;
    say(`reusing the data set in ${dir}, built ${kept.built}: ${describeBuild(kept)}`);
    if (options.buildOnly) return;
    backend = await startBroadcastBackend(options.engine, dir, {
      phase: 'run',
      statements: options.statements,
    });
  }
  const ds = dataset as BroadcastDataset;
  const results: Measured[] = [];
  const notes: Record<string, number | string> = {};
  let statements: string[] = [];
  try {
    const run = options.engine === 'vast' ? 0 : nextRun(dir);
    const objects = await allocateAppends(
      backend,
      ds.longFlow,
      options.quick ? APPEND_OBJECTS.quick : APPEND_OBJECTS.full,
    );
    const server = await startTams(
      join(dir, 'data'),
      {
        ...backend.env,
        // Background workers look for work every 10 min (a deletion request wakes its worker).
        TAMS_WORKER_IDLE_MS: '600000',
        ...(options.engine === 'duckdb' ? { BENCH_ACCELERATOR: 'off' } : {}),
      },
      READY_TIMEOUT_MS,
      './broadcast.main.ts',
    );
    say(`server ready after ${server.started.ready.toFixed(1)} s`);
    await followersSettled(server, SETTLE_LIMIT_MS, say);
    const m: Measurer = { server, backend, say };
    try {
      statements = await scenarios(m, ds, options, { run, objects, results, notes });
    } finally {
      await server.stop();
    }
  } finally {
    await backend.stop();
    // What was measured, also when a scenario failed half way (a report over 10M that ran out of memory).
    printBroadcast(results, say);
    for (const line of statements) say(line);
    writeResults(
      options.out,
      {
        options,
        commit: commitOf(),
        engine: backend.label,
        settings: backend.settings,
        dataset: { ...ds, flowIds: undefined },
        notes,
        figures: [],
        operations: results,
        statements,
      },
      say,
    );
  }
}

/** The commit the run measured (its worktree's HEAD), when git can say. */
function commitOf(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const GB = (n: number) => `${(n / 1e9).toFixed(2)} GB`;

/** The build's time and size, in a line. */
function describeBuild(d: BroadcastDataset): string {
  const time = `data set built in ${d.buildSeconds.toFixed(0)} s (indexes and VACUUM ANALYZE ${d.indexSeconds.toFixed(0)} s of it)`;
  const disk = d.bytes === undefined ? '' : `, ${GB(d.bytes)} on disk`;
  const tables = Object.entries(d.tableBytes ?? {}).map(([t, n]) => `${t} ${GB(n)}`);
  const db =
    d.databaseBytes === undefined ? '' : ` (the database ${GB(d.databaseBytes)}: ${tables.join(', ')})`;
  return `${time}${disk}${db}`;
}

interface RunState {
  run: number;
  objects: string[];
  results: Measured[];
  notes: Record<string, number | string>;
}

async function scenarios(
  m: Measurer,
  ds: BroadcastDataset,
  options: BroadcastOptions,
  state: RunState,
): Promise<string[]> {
  const { server } = m;
  const wanted = (name: string) =>
    options.only.length === 0 || options.only.some((part) => name.includes(part));
  // With --quick the operations one at a time are the warm-up: it checks that every figure comes.
  const load = {
    connections: options.connections,
    warmup: options.quick ? 0 : 2,
    duration: options.duration,
  };
  const measure = async (operation: string, next: () => Request, status: number, underLoad = true) => {
    if (!wanted(operation)) return;
    m.say(`${operation}`);
    // Reports (one at a time only) may take minutes over a whole long Flow: one is enough then.
    const run = {
      count: options.alone,
      least: underLoad ? 3 : 1,
      budgetMs: options.quick ? 1000 : ALONE_BUDGET_MS,
    };
    const one = await alone(m, run, async () => {
      await send(server, next(), status);
    });
    const row: Measured = { operation, alone: one };
    m.say(
      `  one at a time: ${one.ops} ops, p50 ${one.p50.toFixed(1)} ms, p99 ${one.p99.toFixed(1)} ms, CPU µs/op server ${one.serverUs.toFixed(0)} db ${one.dbUs?.toFixed(0) ?? '-'}${one.wire ? `; VAST ${one.wire.requests.toFixed(2)} requests, ${one.wire.rowsRead.toFixed(0)} rows read, ${one.wire.rowsExamined.toFixed(0)} examined, ${(one.wire.bytesIn + one.wire.bytesOut).toFixed(0)} bytes` : ''}`,
    );
    if (underLoad) {
      row.load = await steadyLoad(m, { ...load, next });
      const l = row.load;
      m.say(
        `  ${l.connections} connections: ${l.rate.toFixed(1)}/s (${l.ops} ok, ${l.failed} failed), p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, CPU µs/op server ${l.serverUs.toFixed(0)} db ${l.dbUs?.toFixed(0) ?? '-'}`,
      );
    }
    state.results.push(row);
  };

  // Every Flow read once, the long one's pages at each position once: plans, caches, connections.
  for (const id of [ds.longFlow, ...ds.flowIds.slice(0, 20)])
    await send(server, { path: `/flows/${id}/segments?limit=1` }, 200);
  for (const fraction of POSITIONS)
    await send(
      server,
      { path: pagePath(ds.longFlow, band(ds.segments, fraction)[0] as number, 'timerange') },
      200,
    );

  for (const way of ['timerange', 'paging key', 'reversed'] as PageWay[]) {
    for (const fraction of POSITIONS) {
      const name = `page of 100 at ${fraction * 100} %, ${way}`;
      if (!wanted(name)) continue;
      const starts = band(ds.segments, fraction);
      const paths =
        way === 'paging key'
          ? await pageKeys(m, ds.longFlow, starts[0] as number)
          : starts.map((k) => pagePath(ds.longFlow, k, way));
      await measure(name, cycle(paths), 200);
    }
  }

  const flowDoc = JSON.parse(
    (await send(server, { path: `/flows/${ds.longFlow}?include_timerange=true` }, 200)).text,
  ) as {
    timerange: string;
  };
  const appended = appends(ds.longFlow, nextIndex(flowDoc.timerange), state.objects);
  await measure('single POST appended at the live end', appended.next, 201);
  state.notes['appended POSTs sent'] = appended.sent();
  state.notes['appended POSTs on an object used before'] = appended.reused();

  const made = creates();
  await measure('Flow create (PUT, new Source)', made.next, 201);
  await measure(`Flow list with a tag filter (${ds.flows.toLocaleString('en')} Flows)`, flowLists(), 200);

  if (wanted('delete')) await deleteDay(m, ds, state);

  // Last: over a whole long Flow a report may take minutes, with every other figure taken.
  for (const report of analytics(ds)) await measure(report.name, () => report.request, 200, false);

  // The Flows the creates made, gone again: the next run lists the same Flows.
  if (made.made.length > 0) {
    m.say(`deleting the ${made.made.length.toLocaleString('en')} Flows created (not measured)`);
    const ids = [...made.made];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = ids.pop(); id !== undefined; id = ids.pop())
          await send(server, { path: `/flows/${id}`, method: 'DELETE' }, [202, 204, 404]);
      }),
    );
  }
  return m.backend.report();
}

/**
 * Paging keys of 32 pages in a row from `start`: the first from the page with a timerange there,
 * the others by walking on with the keys alone, as a client following the Link header does (one
 * page with a timerange per position: at 10M those cost seconds on some engines).
 */
async function pageKeys(m: Measurer, flowId: string, start: number): Promise<string[]> {
  const paths: string[] = [];
  let res = await send(m.server, { path: pagePath(flowId, start, 'timerange') }, 200);
  while (paths.length < 32) {
    const key = res.headers.get('x-paging-nextkey');
    if (key === null)
      throw new Error(`no X-Paging-NextKey after ${paths.length} pages from ${pageRange(start)}`);
    paths.push(`/flows/${flowId}/segments?limit=100&page=${encodeURIComponent(key)}`);
    res = await send(m.server, { path: paths[paths.length - 1] as string }, 200);
  }
  return paths;
}

/**
 * The deletion of one day of the long Flow: the DELETE, then its deletion request followed until
 * done; the time to done and the CPU of the server and of the database until everything is quiet.
 */
async function deleteDay(m: Measurer, ds: BroadcastDataset, state: RunState): Promise<void> {
  const span = deletedSpan(ds.segments, state.run);
  const range = `${segmentRange(BigInt(span.first)).format().split('_')[0]}_${segmentRange(
    BigInt(span.first + span.count),
  )
    .format()
    .split('_')[0]
    ?.slice(1)})`;
  const operation = `delete one day (${span.count.toLocaleString('en')} segments) from the middle`;
  m.say(`${operation}: ${range}`);
  const c0 = await m.backend.counts?.();
  const server0 = cpuMs(m.server.pid);
  const db0 = m.backend.dbCpuMs();
  const started = performance.now();
  const res = await send(
    m.server,
    { path: `/flows/${ds.longFlow}/segments?timerange=${encodeURIComponent(range)}`, method: 'DELETE' },
    [202, 204],
  );
  const answered = performance.now() - started;
  if (res.status === 202) {
    const location = res.headers.get('location') ?? '';
    const path = new URL(location).pathname;
    for (;;) {
      const doc = JSON.parse((await send(m.server, { path }, 200)).text) as { status: string };
      if (doc.status === 'done') break;
      if (doc.status === 'error')
        throw new Error(`the deletion request ended in error: ${JSON.stringify(doc)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const done = performance.now() - started;
  await quietCpu(() => cpuMs(m.server.pid) + (m.backend.dbCpuMs() ?? 0), 180_000);
  const serverMs = cpuMs(m.server.pid) - server0;
  const db1 = m.backend.dbCpuMs();
  const c1 = await m.backend.counts?.();
  state.notes['day deleted'] = range;
  state.notes['day deletion: DELETE answered (ms)'] = Math.round(answered);
  state.results.push({
    operation,
    alone: {
      ops: 1,
      p50: done,
      p99: done,
      serverUs: 1000 * serverMs,
      ...(db0 === undefined || db1 === undefined ? {} : { dbUs: 1000 * (db1 - db0) }),
      ...(c0 && c1 ? { wire: wireCost(c0, c1, 1) } : {}),
    },
  });
  m.say(
    `  answered ${res.status} after ${answered.toFixed(0)} ms, done after ${done.toFixed(0)} ms; CPU ms server ${serverMs.toFixed(0)} db ${db0 === undefined || db1 === undefined ? '-' : (db1 - db0).toFixed(0)}`,
  );
}
