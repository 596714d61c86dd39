/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  quick: boolean;
  flows: number;
  segments: number;
  /** Seconds per HTTP load run. */
  duration: number;
  connections: number;
  /** Where the data set is built (kept between runs with --reuse). */
  dir: string;
  reuse: boolean;
  out: string;
}

const USAGE = `usage: npm run bench -- [--quick] [--flows N] [--segments N] [--duration S] [--connections N] [--dir PATH] [--reuse] [--out FILE]
  --quick        small data set (20 flows, 100,000 segments) and short runs: checks that every figure is produced
  --flows        number of flows (default 1,000)
  --segments     total number of segments (default 10,000,000)
  --duration     seconds per load run (default 10; 3 with --quick)
  --connections  concurrent connections per load run (default 10)
  --dir          directory of the data set (default .bench-data)
  --reuse        reuse the data set in --dir if it matches instead of rebuilding it (each run works on a copy)
  --out          JSON results file (default bench/results/latest.json)`;

export function parseArgs(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = {
    quick,
    flows: quick ? 20 : 1000,
    segments: quick ? 100_000 : 10_000_000,
    duration: quick ? 3 : 10,
    connections: 10,
    dir: '.bench-data',
    reuse: false,
    out: 'bench/results/latest.json',
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
      case '--flows':
        options.flows = int();
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
  return options;
}
