/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  quick: boolean;
  /** The metadata engine: DuckDB in its file, or VAST DataBase (the fake VAST server, in a process of its own). */
  engine: 'duckdb' | 'vast';
  flows: number;
  segments: number;
  /** Seconds per HTTP load run. */
  duration: number;
  connections: number;
  /** Where the data set is built (kept between runs with --reuse). */
  dir: string;
  reuse: boolean;
  out: string;
  /** With --engine vast: servers sharing the fake VAST database, measured against one. */
  replicas: number;
}

const USAGE = `usage: npm run bench -- [--quick] [--engine duckdb|vast] [--replicas N] [--flows N] [--segments N] [--duration S] [--connections N] [--dir PATH] [--reuse] [--out FILE]
  --quick        small data set (20 flows, 100,000 segments) and short runs: checks that every figure is produced
  --engine       duckdb (default) or vast: the server on TAMS_DB=vast against the fake VAST server (test/vast/fake)
                 in its own process, with VAST round trips per operation and the figures again at 1 ms per round trip
  --replicas     with --engine vast: N server processes on the one fake VAST database, requests spread over them,
                 against one server on the same fake (bench/vast.replicas.ts)
  --flows        number of flows (default 1,000; vast: 20, 10 with --quick)
  --segments     total number of segments (default 10,000,000; vast: 40,000, 10,000 with --quick)
  --duration     seconds per load run (default 10; 3 with --quick)
  --connections  concurrent connections per load run (default 10)
  --dir          directory of the data set (default .bench-data)
  --reuse        reuse the data set in --dir if it matches instead of rebuilding it (each run works on a copy)
  --out          JSON results file (default bench/results/latest.json)`;

export function parseArgs(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--engine');
  const engine = at >= 0 ? argv[at + 1] : 'duckdb';
  if (engine !== 'duckdb' && engine !== 'vast') throw new Error(`--engine: duckdb or vast\n${USAGE}`);
  // The fake VAST server keeps its rows in memory and scans a whole table for every query (it
  // has no index), so its data set is small: its figures are about round trips, not scale.
  const vast = engine === 'vast';
  const options: BenchOptions = {
    quick,
    engine,
    flows: vast ? (quick ? 10 : 20) : quick ? 20 : 1000,
    segments: vast ? (quick ? 10_000 : 40_000) : quick ? 100_000 : 10_000_000,
    duration: quick ? 3 : 10,
    connections: 10,
    dir: '.bench-data',
    reuse: false,
    out: 'bench/results/latest.json',
    replicas: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    const int = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${arg} needs a positive integer\n${USAGE}`);
      return n;
    };
    switch (arg) {
      case '--quick':
        break;
      case '--engine':
        i++;
        break;
      case '--flows':
        options.flows = int();
        break;
      case '--replicas':
        options.replicas = int();
        break;
      case '--segments':
        options.segments = int();
        break;
      case '--duration':
        options.duration = int();
        break;
      case '--connections':
        options.connections = int();
        break;
      case '--dir':
        options.dir = value();
        break;
      case '--reuse':
        options.reuse = true;
        break;
      case '--out':
        options.out = value();
        break;
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  if (options.segments < options.flows) throw new Error('--segments must be at least --flows');
  if (vast && options.reuse) throw new Error('--reuse: the fake VAST server keeps its data in memory only');
  if (!vast && options.replicas > 1)
    throw new Error('--replicas: with --engine vast (the embedded engine admits one process)');
  return options;
}

const SEARCH_USAGE = `usage: npm run bench -- --search [--quick] [--cues N] [--dir PATH] [--reuse] [--out FILE]
  --search       media search: quality on bench/search-eval (recall@10, MRR per mode), then latency per mode over
                 an index of N cues and indexing throughput with and without embeddings (needs npm run search:model)
  --quick        10,000 cues instead of 1,000,000
  --cues         cues of the latency index
  --dir          where the indexes are built (default .bench-data; --reuse keeps the large one between runs)
  --out          JSON results file (default bench/results/search.json)`;

/** Options of `npm run bench -- --search`. */
export interface SearchBenchOptions {
  quick: boolean;
  cues: number;
  dir: string;
  reuse: boolean;
  out: string;
}

export function parseSearchArgs(argv: string[]): SearchBenchOptions {
  const quick = argv.includes('--quick');
  const options = {
    quick,
    cues: quick ? 10_000 : 1_000_000,
    dir: '.bench-data',
    reuse: false,
    out: 'bench/results/search.json',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${SEARCH_USAGE}`);
      return v;
    };
    switch (arg) {
      case '--search':
      case '--quick':
        break;
      case '--cues': {
        const n = Number(value());
        if (!Number.isInteger(n) || n <= 0)
          throw new Error(`--cues needs a positive integer\n${SEARCH_USAGE}`);
        options.cues = n;
        break;
      }
      case '--dir':
        options.dir = value();
        break;
      case '--reuse':
        options.reuse = true;
        break;
      case '--out':
        options.out = value();
        break;
      default:
        throw new Error(`unknown option ${arg}\n${SEARCH_USAGE}`);
    }
  }
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
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${EXR_USAGE}`);
      return v;
    };
    switch (arg) {
      case '--exr':
      case '--quick':
        break;
      case '--frames': {
        const n = Number(value());
        if (!Number.isInteger(n) || n <= 0)
          throw new Error(`--frames needs a positive integer\n${EXR_USAGE}`);
        options.frames = n;
        break;
      }
      case '--dir':
        options.dir = value();
        break;
      case '--out':
        options.out = value();
        break;
      default:
        throw new Error(`unknown option ${arg}\n${EXR_USAGE}`);
    }
  }
  return options;
}
