import { readArgs } from './bench.argv.ts';

/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  quick: boolean;
  /**
   * The metadata engine: DuckDB in its file, VAST DataBase (the fake VAST server, in a process of
   * its own) or PostgreSQL (a throwaway server with fsync on, bench/replicas.backends.ts).
   */
  engine: 'duckdb' | 'vast' | 'postgres';
  flows: number;
  segments: number;
  /** Seconds per HTTP load run. */
  duration: number;
  connections: number;
  /** Where the data set is built (kept between runs with --reuse). */
  dir: string;
  reuse: boolean;
  /** Build (or finish building) the data set in --dir, then stop. */
  buildOnly: boolean;
  /**
   * Run on the data set itself instead of a copy (bench.place.ts): 'auto' does for a data set too
   * large to copy at each run.
   */
  inPlace: 'auto' | 'yes' | 'no';
  /** Flows the cold-read run reads once each (default: every Flow). */
  coldFlows?: number;
  /** Flows the warm page runs read (default: at most 1,000, the 10M set's count). */
  hotFlows: number;
  /** An earlier run's results file whose POST ratios this run's are compared with. */
  compare?: string;
  out: string;
  /** With --engine vast or postgres: servers sharing the database, measured against one. */
  replicas: number;
  /**
   * The replica benchmark's runs (bench/replicas.bench.ts: CPU per operation) with this engine:
   * always with postgres, with vast when --replicas is over 1, with duckdb when asked (--per-op).
   */
  perOp: boolean;
  /** With --engine postgres: PostgreSQL's busiest statements over the runs (pg_stat_statements). */
  statements: boolean;
  /** Per-operation runs: processes walking memory beside the servers (bench/bench.cotenants.ts). */
  coTenants: number;
  /** Per-operation runs: segment pages a second each server gets at most (none: as many as it answers). */
  pageRate?: number;
  /** Only the API versions' comparison of the main benchmark (bench.versions.ts), not the rest of it. */
  versionsOnly: boolean;
  /** Rounds of the API versions' comparison, each version first in every other one. */
  rounds: number;
}

const USAGE = `usage: npm run bench -- [--quick] [--engine duckdb|vast|postgres] [--replicas N] [--per-op] [--statements] [--co-tenants N] [--page-rate N] [--versions] [--rounds N] [--flows N] [--segments N] [--duration S] [--connections N] [--dir PATH] [--reuse] [--build-only] [--in-place yes|no|auto] [--cold-flows N] [--hot-flows N] [--compare FILE] [--out FILE]
  --quick        small data set (20 flows, 100,000 segments) and short runs: checks that every figure is produced
  --engine       duckdb (default); vast: the server on TAMS_DB=vast against the fake VAST server (tools/vast-fake)
                 in its own process, with VAST round trips per operation and the figures again at 1 ms per round trip;
                 postgres: the server on TAMS_DB=postgres against a throwaway PostgreSQL 15 with fsync and
                 synchronous commit on (tools/postgres), with the CPU per operation of the server and of PostgreSQL
  --replicas     with --engine vast or postgres: N server processes on the one database, requests spread over them,
                 against one server on the same database, and the CPU per operation at N over 1 (bench/replicas.bench.ts)
  --per-op       the runs of --replicas with one server: CPU per operation (the way to get them for duckdb)
  --statements   with --engine postgres: PostgreSQL's busiest statements over the runs (pg_stat_statements)
  --co-tenants   with the per-operation runs: N processes walking 64 MiB of memory at random all through, taking
                 CPU and caches as other busy processes on the machine do (bench/bench.cotenants.ts)
  --page-rate    with the per-operation runs: segment pages a second each server gets at most (one server at the
                 rate each of N replicas reaches, for its CPU per page)
  --versions     only the main benchmark's comparison of the API versions: segment pages and single POSTs through
                 TAMS 7.0 (/) and 8.2 (/tams/v8.2), 8.2's over 7.0's (every main run ends with it)
  --rounds       rounds of that comparison, alternating which version goes first (default 4; 2 with --quick)
  --flows        number of flows (default 1,000; vast, postgres and --per-op: 20, 10 with --quick)
  --segments     total number of segments (default 10,000,000; vast, postgres and --per-op: 40,000, 10,000 with --quick)
  --duration     seconds per load run (default 10; 3 with --quick)
  --connections  concurrent connections per load run (default 10)
  --dir          directory of the data set (default .bench-data)
  --reuse        reuse the data set in --dir if it matches instead of rebuilding it, or finish a build of that
                 size that stopped half way
  --build-only   build the data set in --dir (resuming one that stopped half way) and stop
  --in-place     run on the data set itself, not on a copy of it (auto, the default: for data sets over 4 GB or
                 when a copy would leave less than 4 GB of disk free); each run there uses positions, objects and
                 a DELETE victim of its own (bench/bench.place.ts)
  --cold-flows   Flows the cold-read run reads once each, after a restart (default: every Flow)
  --hot-flows    Flows the warm page runs read (default: 1,000, or every Flow when there are fewer)
  --compare      an earlier run's results (--out): this run's POST ratios over that run's (the 100M run against
                 the 10M run's, target >= 0.8)
  --out          JSON results file (default bench/results/latest.json)`;

export function parseArgs(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--engine');
  const engine = at >= 0 ? argv[at + 1] : 'duckdb';
  if (engine !== 'duckdb' && engine !== 'vast' && engine !== 'postgres')
    throw new Error(`--engine: duckdb, vast or postgres\n${USAGE}`);
  const perOp = argv.includes('--per-op');
  // The fake VAST server keeps its rows in memory and answers from one Node.js process, so its
  // data set is small: its figures are about round trips, not scale. PostgreSQL's and the
  // per-operation runs use the same set, so that the engines' CPU per operation compare.
  const vast = engine === 'vast';
  const small = engine !== 'duckdb' || perOp;
  const options: BenchOptions = {
    quick,
    engine,
    flows: small ? (quick ? 10 : 20) : quick ? 20 : 1000,
    segments: small ? (quick ? 10_000 : 40_000) : quick ? 100_000 : 10_000_000,
    duration: quick ? 3 : 10,
    connections: 10,
    dir: '.bench-data',
    reuse: false,
    buildOnly: false,
    inPlace: 'auto',
    hotFlows: 1000,
    out: 'bench/results/latest.json',
    replicas: 1,
    perOp,
    statements: false,
    coTenants: 0,
    versionsOnly: false,
    rounds: quick ? 2 : 4,
  };
  readArgs(argv, USAGE, options, {
    '--quick': { kind: 'known' },
    '--engine': { kind: 'known', value: true },
    '--per-op': { kind: 'known' },
    '--statements': { kind: 'set', key: 'statements' },
    '--co-tenants': { kind: 'int', key: 'coTenants' },
    '--page-rate': { kind: 'int', key: 'pageRate' },
    '--versions': { kind: 'set', key: 'versionsOnly' },
    '--rounds': { kind: 'int', key: 'rounds' },
    '--flows': { kind: 'int', key: 'flows' },
    '--replicas': { kind: 'int', key: 'replicas' },
    '--segments': { kind: 'int', key: 'segments' },
    '--duration': { kind: 'int', key: 'duration' },
    '--connections': { kind: 'int', key: 'connections' },
    '--dir': { kind: 'string', key: 'dir' },
    '--reuse': { kind: 'set', key: 'reuse' },
    '--build-only': { kind: 'set', key: 'buildOnly' },
    '--in-place': {
      kind: 'read',
      read: (value) => {
        if (value !== 'yes' && value !== 'no' && value !== 'auto')
          throw new Error(`--in-place: yes, no or auto\n${USAGE}`);
        options.inPlace = value;
      },
    },
    '--cold-flows': { kind: 'int', key: 'coldFlows' },
    '--hot-flows': { kind: 'int', key: 'hotFlows' },
    '--compare': { kind: 'string', key: 'compare' },
    '--out': { kind: 'string', key: 'out' },
  });
  if (options.segments < options.flows) throw new Error('--segments must be at least --flows');
  if (vast && options.reuse) throw new Error('--reuse: the fake VAST server keeps its data in memory only');
  if (engine === 'postgres' && options.reuse)
    throw new Error('--reuse: the benchmark starts a PostgreSQL of its own each time');
  if (engine === 'duckdb' && options.replicas > 1)
    throw new Error('--replicas: with --engine vast or postgres (the embedded engine admits one process)');
  if (options.statements && engine !== 'postgres') throw new Error('--statements: with --engine postgres');
  options.perOp = perOp || engine === 'postgres' || options.replicas > 1;
  if (options.coTenants > 0 && !options.perOp) throw new Error('--co-tenants: with the per-operation runs');
  if (options.pageRate !== undefined && !options.perOp)
    throw new Error('--page-rate: with the per-operation runs');
  if ((options.versionsOnly || argv.includes('--rounds')) && (engine !== 'duckdb' || options.perOp))
    throw new Error('--versions, --rounds: with the main benchmark (--engine duckdb, without --per-op)');
  if (options.versionsOnly && options.buildOnly) throw new Error('--versions: not with --build-only');
  if (options.perOp && options.reuse)
    throw new Error('--reuse: the per-operation runs build their data set each time');
  return options;
}

const SEARCH_USAGE = `usage: npm run bench -- --search [--quick] [--cues N] [--modes LIST] [--latency-only | --quality-only] [--dir PATH] [--reuse] [--out FILE]
  --search       media search: quality on bench/search-eval (recall@10, MRR per mode), then latency per mode over
                 an index of N cues and indexing throughput with and without embeddings (needs npm run search:model)
  --quick        10,000 cues instead of 1,000,000
  --cues         cues of the latency index
  --modes        modes whose latency is measured, comma-separated (default keyword,semantic,hybrid)
  --latency-only only the latency over the N-cue index: no quality evaluation and no keyword-only indexing run
                 (with --reuse, a keyword latency run over an index already built takes a minute, not an hour)
  --quality-only only the quality evaluation and its conditions (CI's landing tier: the gate, not the timings)
  --dir          where the indexes are built (default .bench-data; --reuse keeps the large one between runs)
  --out          JSON results file (default bench/results/search.json)`;

export type SearchBenchMode = 'keyword' | 'semantic' | 'hybrid';
const SEARCH_MODES: readonly SearchBenchMode[] = ['keyword', 'semantic', 'hybrid'];

/** Options of `npm run bench -- --search`. */
export interface SearchBenchOptions {
  quick: boolean;
  cues: number;
  /** Modes whose latency is measured. */
  modes: SearchBenchMode[];
  /** Latency over the large index only (skips the quality evaluation and the keyword-only indexing). */
  latencyOnly: boolean;
  /** The quality evaluation only, with its conditions (no latency run). */
  qualityOnly: boolean;
  dir: string;
  reuse: boolean;
  out: string;
}

export function parseSearchArgs(argv: string[]): SearchBenchOptions {
  const quick = argv.includes('--quick');
  const options: SearchBenchOptions = {
    quick,
    cues: quick ? 10_000 : 1_000_000,
    modes: [...SEARCH_MODES],
    latencyOnly: false,
    qualityOnly: false,
    dir: '.bench-data',
    reuse: false,
    out: 'bench/results/search.json',
  };
  readArgs(argv, SEARCH_USAGE, options, {
    '--search': { kind: 'known' },
    '--quick': { kind: 'known' },
    '--cues': { kind: 'int', key: 'cues' },
    '--modes': {
      kind: 'read',
      read: (value) => {
        const modes = value.split(',');
        const unknown = modes.find((m) => !SEARCH_MODES.includes(m as SearchBenchMode));
        if (unknown !== undefined || modes.length === 0)
          throw new Error(`--modes: a list of ${SEARCH_MODES.join(', ')}\n${SEARCH_USAGE}`);
        options.modes = SEARCH_MODES.filter((m) => modes.includes(m));
      },
    },
    '--latency-only': { kind: 'set', key: 'latencyOnly' },
    '--quality-only': { kind: 'set', key: 'qualityOnly' },
    '--dir': { kind: 'string', key: 'dir' },
    '--reuse': { kind: 'set', key: 'reuse' },
    '--out': { kind: 'string', key: 'out' },
  });
  if (options.latencyOnly && options.qualityOnly)
    throw new Error(`--latency-only and --quality-only leave nothing to run\n${SEARCH_USAGE}`);
  return options;
}

const EXR_USAGE = `usage: npm run bench -- --exr [--quick] [--frames N] [--dir PATH] [--out FILE]
  --exr          EXR metadata: headers parsed per second from memory (the samples of ../shared/exr-samples,
                 against JSON.parse of their reference dumps), and inspections per second end to end on the
                 embedded store (frames uploaded and registered through the TAMS API, until /exr/stats counts them)
  --quick        200 frames and 1 s per parse figure instead of 5,000 and 5 s
  --frames       frames of the end-to-end run
  --dir          where the end-to-end run's server keeps its data (default: the system's temporary folder)
  --out          JSON results file (default bench/results/exr.json)`;

/** Options of `npm run bench -- --exr`. */
export interface ExrBenchOptions {
  quick: boolean;
  frames: number;
  dir?: string;
  out: string;
}

export function parseExrArgs(argv: string[]): ExrBenchOptions {
  const quick = argv.includes('--quick');
  const options: ExrBenchOptions = { quick, frames: quick ? 200 : 5000, out: 'bench/results/exr.json' };
  return readArgs(argv, EXR_USAGE, options, {
    '--exr': { kind: 'known' },
    '--quick': { kind: 'known' },
    '--frames': { kind: 'int', key: 'frames' },
    '--dir': { kind: 'string', key: 'dir' },
    '--out': { kind: 'string', key: 'out' },
  });
}
