/**
 * `node --import tsx bench/replication.bench.ts [--segments N] [--page-segments N] [--engine duckdb|postgres]
 * [--origin-version 8.2|7.0] [--dir <dir>] [--rebuild] [--build-only] [--warmup S] [--quiet-seconds S]
 * [--quiet-after S] [--max-load L] [--max-minutes M] [--replication-page N] [--share S] [--out FILE]`: the catch-up of a replication job over a Flow of
 * `--segments` (default 1,000,000) segments, and what the destination's readers see meanwhile
 * (for BENCHMARKS.md; not run by the tests).
 *
 * - Origin: a tams-server (as `npm start` runs it, authentication on) on a copy of an embedded
 *   store holding one Flow of N two-second segments, each with a ts_offset and every tenth with a
 *   last_duration, on objects allocated in its fs backend (replication.dataset.ts: built once in
 *   `--dir` and kept).
 * - Destination: a second tams-server with TAMS_REPLICATION on, TAMS_REPLICATION_ALLOW=127.0.0.1,
 *   TAMS_REPLICATION_PAGE=1000, on a copy of a store holding another Flow of `--page-segments`
 *   (100,000) segments; `--engine postgres` puts it on a throwaway PostgreSQL instead.
 * - One client reads pages of the destination's own Flow one at a time
 *   (`GET /flows/{id}/segments?timerange=<200 segments at random>&limit=100`): `--quiet-seconds`
 *   before the job, throughout the catch-up, and again as long as the catch-up took once the
 *   job is paused; p50/p99 of each and their ratios.
 * - The job: by reference, following, made with `POST /replications`; polled every second until
 *   `segments_copied` is N. Its time, the origin's requests (the job's `origin_requests`, and the
 *   origin's own counters by route from /metrics), the CPU of both servers and of this process
 *   (/proc), per 1,000 segments; then pages of the copy compared with the origin's.
 *
 * Printed as a table, written as JSON to `--out` (bench/results/replication.json).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArgs } from './bench.argv.ts';
import { dbBytes, runCopy } from './bench.dataset.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import { cpuMs, quiet, type RunningServer, startTams } from './bench.server.ts';
import { type BenchBackend, startBackend } from './replicas.backends.ts';
import { compareCopies } from './replication.check.ts';
import { type OneFlowStore, oneFlowOn, oneFlowStore } from './replication.dataset.ts';
import { createJob, pauseJob, api as request, watchCatchUp } from './replication.job.ts';
import { checkPage, type LatencySummary, readPages, summarise } from './replication.pages.ts';
import {
  byKind,
  countsBetween,
  grown,
  kindOf,
  type LoopDelay,
  loopDelay,
  routeCounts,
  scrape,
  total,
} from './replication.requests.ts';

interface Options {
  segments: number;
  pageSegments: number;
  engine: 'duckdb' | 'postgres';
  originVersion: '8.2' | '7.0';
  dir: string;
  rebuild: boolean;
  buildOnly: boolean;
  warmup: number;
  quietSeconds: number;
  /** The quiet run after the job: this long rather than as long as the catch-up took. */
  quietAfter?: number;
  maxLoad?: number;
  maxMinutes: number;
  /** TAMS_REPLICATION_PAGE of the destination: segments asked of the origin per page, registered at once. */
  replicationPage: number;
  /** TAMS_REPLICATION_SHARE of the destination (its default when not given). */
  share?: number;
  out: string;
}

const USAGE =
  'replication.bench.ts [--segments N] [--page-segments N] [--engine duckdb|postgres] [--origin-version 8.2|7.0] [--dir <dir>] [--rebuild] [--build-only] [--warmup S] [--quiet-seconds S] [--quiet-after S] [--max-load L] [--max-minutes M] [--replication-page N] [--share S] [--out FILE]';
const options: Options = {
  segments: 1_000_000,
  pageSegments: 100_000,
  engine: 'duckdb',
  originVersion: '8.2',
  dir: join(tmpdir(), 'tams-bench-replication'),
  rebuild: false,
  buildOnly: false,
  warmup: 10,
  quietSeconds: 30,
  maxMinutes: 25,
  replicationPage: 1000,
  out: 'bench/results/replication.json',
};
readArgs(process.argv.slice(2), USAGE, options, {
  '--segments': { kind: 'int', key: 'segments' },
  '--page-segments': { kind: 'int', key: 'pageSegments' },
  '--engine': {
    kind: 'read',
    read: (v) => {
      if (v !== 'duckdb' && v !== 'postgres') throw new Error(`--engine duckdb|postgres\n${USAGE}`);
      options.engine = v;
    },
  },
  '--origin-version': {
    kind: 'read',
    read: (v) => {
      if (v !== '8.2' && v !== '7.0') throw new Error(`--origin-version 8.2|7.0\n${USAGE}`);
      options.originVersion = v;
    },
  },
  '--dir': { kind: 'string', key: 'dir' },
  '--rebuild': { kind: 'set', key: 'rebuild' },
  '--build-only': { kind: 'set', key: 'buildOnly' },
  '--warmup': { kind: 'int', key: 'warmup' },
  '--quiet-seconds': { kind: 'int', key: 'quietSeconds' },
  '--quiet-after': { kind: 'int', key: 'quietAfter' },
  '--max-load': {
    kind: 'read',
    read: (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--max-load needs a positive number\n${USAGE}`);
      options.maxLoad = n;
    },
  },
  '--max-minutes': { kind: 'int', key: 'maxMinutes' },
  '--replication-page': { kind: 'int', key: 'replicationPage' },
  '--share': {
    kind: 'read',
    read: (v) => {
      const n = Number(v);
      if (!(n > 0 && n <= 1)) throw new Error(`--share needs a number above 0, at most 1\n${USAGE}`);
      options.share = n;
    },
  },
  '--out': { kind: 'string', key: 'out' },
});
const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const figures: Figure[] = [];
const record = (figure: Figure) => {
  figures.push(figure);
  log(`  ${figure.name}: ${figure.value.toFixed(figure.digits ?? 0)} ${figure.unit}`);
};
/** The destination's store timings (transactions, table manager calls). */
const STORE_METRICS = 'tams_store_';
/** How long a server on a large store may take to be ready. */
const READY_MS = 10 * 60_000;
/** The load-average wait (--max-load): polled this often, for this long at most. */
const LOAD_POLL_MS = 30_000;
const LOAD_WAIT_MS = 20 * 60_000;

/** The code measured: HEAD, and the files under src/ that differ from it (read-only git commands). */
function codeState(): { commit: string; src_changes: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const changed = git('diff', '--name-only', 'HEAD', '--', 'src');
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      src_changes: changed === '' ? [] : changed.split('\n'),
    };
  } catch {
    return { commit: 'unknown', src_changes: [] };
  }
}

/** Samples the 1-minute load average every 5 s until stopped; answers the mean. */
function sampleLoad(): { stop(): number } {
  const samples = [loadavg()[0] ?? 0];
  const timer = setInterval(() => samples.push(loadavg()[0] ?? 0), 5000);
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(loadavg()[0] ?? 0);
      return samples.reduce((a, b) => a + b, 0) / samples.length;
    },
  };
}

/** Waits (up to 20 min) until the 1-minute load average is at most `max`; answers the load then. */
async function calmMachine(max: number | undefined): Promise<number> {
  const started = Date.now();
  while (max !== undefined && (loadavg()[0] ?? 0) > max && Date.now() - started < LOAD_WAIT_MS) {
    log(`  1-minute load ${(loadavg()[0] ?? 0).toFixed(2)} > ${max}: waiting`);
    await sleep(LOAD_POLL_MS);
  }
  return loadavg()[0] ?? 0;
}

const pageFigures = (name: string, s: LatencySummary) => {
  record({ name: `${name}: pages read`, value: s.pages, unit: `(${s.perSecond.toFixed(0)}/s)` });
  record({ name: `${name}: page p50`, value: s.p50, unit: 'ms', digits: 2 });
  record({ name: `${name}: page p99`, value: s.p99, unit: 'ms', digits: 2 });
};

const delayFigures = (name: string, d: LoopDelay) => {
  record({ name: `${name}: destination event-loop delay p99`, value: d.p99, unit: 'ms', digits: 1 });
  record({ name: `${name}: destination event-loop delay max`, value: d.max, unit: 'ms', digits: 1 });
};

log(
  `replication bench: catch-up of ${options.segments.toLocaleString('en')} segments by reference, origin ${options.originVersion}, destination on ${options.engine}`,
);
log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
const code = codeState();
log(
  `code: ${code.commit}${code.src_changes.length > 0 ? ` with ${code.src_changes.length} files under src/ changed (${code.src_changes.join(', ')})` : ''}`,
);
const originStore = await oneFlowStore(
  join(options.dir, `origin-${options.segments}`),
  options.segments,
  'the origin',
  options.rebuild,
  log,
);
if (options.buildOnly) {
  if (options.engine === 'duckdb')
    await oneFlowStore(
      join(options.dir, `destination-${options.pageSegments}`),
      options.pageSegments,
      'the page Flow',
      options.rebuild,
      log,
    );
  process.exit(0);
}
const originDir = runCopy(
  join(options.dir, `origin-${options.segments}`),
  join(options.dir, 'run-origin'),
  log,
);
const destinationDir = join(options.dir, 'run-destination');
let backend: BenchBackend | undefined;
let pageStore: OneFlowStore;
if (options.engine === 'postgres') {
  backend = await startBackend('postgres', { statements: false });
  pageStore = await oneFlowOn(backend.env, destinationDir, options.pageSegments, 'the page Flow', log);
  await backend.afterBuild();
} else {
  const base = join(options.dir, `destination-${options.pageSegments}`);
  pageStore = await oneFlowStore(base, options.pageSegments, 'the page Flow', options.rebuild, log);
  runCopy(base, destinationDir, log);
}

const servers: RunningServer[] = [];
let exitCode = 0;
try {
  const origin = await startTams(originDir, {}, READY_MS);
  servers.push(origin);
  const destination = await startTams(
    destinationDir,
    {
      ...backend?.env,
      TAMS_REPLICATION: 'true',
      TAMS_REPLICATION_ALLOW: '127.0.0.1',
      TAMS_REPLICATION_PAGE: String(options.replicationPage),
      ...(options.share !== undefined && { TAMS_REPLICATION_SHARE: String(options.share) }),
    },
    READY_MS,
  );
  servers.push(destination);
  const destinationCpu = () => cpuMs(destination.pid) + (backend?.dbCpuMs() ?? 0);
  await checkPage(destination, pageStore.flowId, pageStore.segments);
  await Promise.all([quiet(origin), quiet(destination)]);
  const loadBefore = await calmMachine(options.maxLoad);
  log(`1-minute load before the measured runs: ${loadBefore.toFixed(2)}`);

  log(`warm-up: ${options.warmup} s of page reads`);
  await readPages(destination, pageStore.flowId, pageStore.segments, options.warmup).done;
  log(`quiet run before the job: ${options.quietSeconds} s of page reads`);
  const loadSampler = sampleLoad();
  await loopDelay(destination);
  const before = summarise(
    await readPages(destination, pageStore.flowId, pageStore.segments, options.quietSeconds).done,
  );
  const loadQuietBefore = loadSampler.stop();
  const delayBefore = await loopDelay(destination);

  log('catch-up: the job made, pages read throughout');
  const counts0 = await routeCounts(origin);
  const originSeconds0 = await routeCounts(origin, true);
  const store0 = await scrape(destination, STORE_METRICS);
  const cpu0 = { destination: destinationCpu(), origin: cpuMs(origin.pid), bench: process.cpuUsage() };
  const bytes0 = options.engine === 'duckdb' ? dbBytes(destinationDir) : 0;
  const reader = readPages(destination, pageStore.flowId, pageStore.segments);
  const started = performance.now();
  const token = (destination.headers.authorization ?? '').replace(/^Bearer /, '');
  const base = options.originVersion === '8.2' ? `${origin.url}/tams/v8.2` : origin.url;
  const made = await createJob(destination, { url: base, token }, originStore.flowId);
  const watched = await watchCatchUp(
    destination,
    made.id,
    options.segments,
    { maxSeconds: options.maxMinutes * 60, judgeAfter: 180 },
    started,
    log,
  );
  reader.stop();
  const cpu1 = {
    destination: destinationCpu(),
    origin: cpuMs(origin.pid),
    bench: process.cpuUsage(cpu0.bench),
  };
  const delayDuring = await loopDelay(destination);
  const counts = countsBetween(counts0, await routeCounts(origin));
  const originSeconds = countsBetween(originSeconds0, await routeCounts(origin, true));
  const store = grown(store0, await scrape(destination, STORE_METRICS));
  const rested = (await scrape(destination, 'tams_replication_rest_seconds_total')).get(
    'tams_replication_rest_seconds_total',
  );
  const during = summarise(await reader.done);
  const loadAfter = loadavg()[0] ?? 0;
  let loadQuietAfter: number | undefined;
  const loads = watched.trace.map((p) => p.load);
  const loadDuring = loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length);
  const { job } = watched;
  const copied = job.segments_copied;
  const kinds = byKind(counts);
  const per1000 = (n: number) => (n / copied) * 1000;

  record({ name: 'segments copied', value: copied, unit: '' });
  record({
    name: 'catch-up time (POST to the poll seeing every segment)',
    value: watched.seconds,
    unit: 's',
    digits: 1,
  });
  if (job.caught_up !== undefined && job.run_started !== undefined)
    record({
      name: "catch-up time, the job's own (run_started to caught_up)",
      value: (Date.parse(job.caught_up) - Date.parse(job.run_started)) / 1000,
      unit: 's',
      digits: 1,
    });
  record({ name: 'segments copied per second', value: copied / watched.seconds, unit: 'segments/s' });
  if (rested !== undefined)
    record({
      name: 'the job rested for the reader (TAMS_REPLICATION_SHARE)',
      value: rested,
      unit: 's',
      digits: 1,
    });
  record({
    name: "origin requests, the job's count (origin_requests)",
    value: job.origin_requests,
    unit: '',
  });
  record({ name: "origin requests, the origin's counters", value: total(counts), unit: '' });
  for (const [kind, n] of Object.entries(kinds))
    record({ name: `origin requests: ${kind}`, value: n, unit: '' });
  for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]))
    log(`    ${key}: ${n.toLocaleString('en')}`);
  const pageSeconds = [...originSeconds].reduce((t, [key, s]) => t + (kindOf(key) === 'segments' ? s : 0), 0);
  record({
    name: 'origin: mean time answering a segment page',
    value: (pageSeconds / Math.max(1, kinds.segments)) * 1000,
    unit: 'ms',
    digits: 1,
  });
  record({
    name: 'origin: share of the catch-up spent answering pages',
    value: (100 * pageSeconds) / watched.seconds,
    unit: '%',
    digits: 1,
  });
  const txSeconds = [...store]
    .filter(([key]) => key.startsWith('tams_store_transaction_duration_seconds_sum'))
    .reduce((t, [, s]) => t + s, 0);
  record({
    name: 'destination: share of the catch-up in store transactions',
    value: (100 * txSeconds) / watched.seconds,
    unit: '%',
    digits: 1,
  });
  log('    destination store operations during the catch-up, by time:');
  for (const [key, s] of [...store]
    .filter(([key]) => key.startsWith('tams_store_operation_duration_seconds_sum'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)) {
    const calls = store.get(key.replace('_sum{', '_count{')) ?? 0;
    log(`    ${key.slice(key.indexOf('{'))}: ${s.toFixed(2)} s, ${calls} calls`);
  }
  const cpuS = {
    destination: (cpu1.destination - cpu0.destination) / 1000,
    origin: (cpu1.origin - cpu0.origin) / 1000,
    bench: (cpu1.bench.user + cpu1.bench.system) / 1e6,
  };
  record({
    name: 'CPU during the catch-up: destination (with its reads)',
    value: cpuS.destination,
    unit: 's',
    digits: 1,
  });
  record({ name: 'CPU during the catch-up: origin', value: cpuS.origin, unit: 's', digits: 1 });
  record({
    name: 'CPU during the catch-up: this process (reader, polls)',
    value: cpuS.bench,
    unit: 's',
    digits: 1,
  });
  record({
    name: 'origin CPU per 1,000 segments',
    value: per1000(cpuS.origin) * 1000,
    unit: 'ms',
    digits: 1,
  });
  pageFigures('quiet before', before);
  pageFigures('during the catch-up', during);
  log(
    `1-minute load during the catch-up (this bench's processes included): mean ${loadDuring.toFixed(2)}, ${loadAfter.toFixed(2)} at its end`,
  );
  if (watched.abandoned !== undefined) {
    log(`ABANDONED: ${watched.abandoned}`);
    exitCode = 2;
    await request(destination, 'DELETE', `/replications/${made.id}`);
  } else {
    if (job.segments_refused > 0)
      throw new Error(`${job.segments_refused} segments refused: ${job.last_error}`);
    const paused = await pauseJob(destination, made.id);
    const compared = await compareCopies(origin, destination, originStore.flowId, options.segments, 20);
    log(`  ${compared} segments compared with the origin's: the same (fields and URLs)`);
    await quiet(destination);
    if (options.engine === 'duckdb')
      record({
        name: 'destination DuckDB file and WAL growth per 1,000 segments',
        value: per1000(dbBytes(destinationDir) - bytes0) / 1024,
        unit: 'KiB',
        digits: 1,
      });
    const quietSeconds = options.quietAfter ?? Math.max(options.quietSeconds, Math.round(watched.seconds));
    log(`quiet run after the job (paused): ${quietSeconds} s of page reads`);
    await loopDelay(destination);
    const cpuQuiet0 = destinationCpu();
    const afterReads = readPages(destination, pageStore.flowId, pageStore.segments, quietSeconds);
    const afterLoad = sampleLoad();
    const after = summarise(await afterReads.done);
    const delayAfter = await loopDelay(destination);
    loadQuietAfter = afterLoad.stop();
    log(`1-minute load during the quiet run after: mean ${loadQuietAfter.toFixed(2)}`);
    const quietCpuS = (destinationCpu() - cpuQuiet0) / 1000;
    pageFigures('quiet after', after);
    delayFigures('quiet before', delayBefore);
    delayFigures('during the catch-up', delayDuring);
    delayFigures('quiet after', delayAfter);
    record({
      name: 'page p50 ratio, catch-up / quiet after',
      value: during.p50 / after.p50,
      unit: '',
      digits: 2,
    });
    record({
      name: 'page p99 ratio, catch-up / quiet after',
      value: during.p99 / after.p99,
      unit: '',
      digits: 2,
    });
    record({
      name: 'page p50 ratio, catch-up / quiet before',
      value: during.p50 / before.p50,
      unit: '',
      digits: 2,
    });
    record({
      name: 'page p99 ratio, catch-up / quiet before',
      value: during.p99 / before.p99,
      unit: '',
      digits: 2,
    });
    record({
      name: 'pages per second ratio, catch-up / quiet after',
      value: during.perSecond / after.perSecond,
      unit: '',
      digits: 2,
    });
    record({ name: 'destination CPU, quiet run after (reads only)', value: quietCpuS, unit: 's', digits: 1 });
    // The reads' cost scaled to the pages the catch-up run read, taken off its CPU.
    const readsCpu = after.pages > 0 ? (quietCpuS * during.pages) / after.pages : 0;
    record({
      name: 'destination CPU per 1,000 segments (less the reads)',
      value: per1000(cpuS.destination - readsCpu) * 1000,
      unit: 'ms',
      digits: 1,
    });
    record({
      name: 'destination CPU per 1,000 segments (with the reads)',
      value: per1000(cpuS.destination) * 1000,
      unit: 'ms',
      digits: 1,
    });
    log(
      `  job: ${paused.state}, follow_by ${paused.follow_by ?? '-'}${paused.follow_note ? ` (${paused.follow_note})` : ''}, restarts ${paused.restarts}`,
    );
    await request(destination, 'DELETE', `/replications/${made.id}`);
  }
  printTable(figures, log);
  writeResults(
    options.out,
    {
      options,
      code,
      load: {
        before: loadBefore,
        quiet_before: loadQuietBefore,
        during: loadDuring,
        after: loadAfter,
        quiet_after: loadQuietAfter,
      },
      job,
      trace: watched.trace,
      origin_routes: Object.fromEntries(counts),
      ...(watched.abandoned !== undefined && { abandoned: watched.abandoned }),
      figures,
    },
    log,
  );
} catch (error) {
  exitCode = 1;
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await backend?.stop();
}
process.exit(exitCode);
