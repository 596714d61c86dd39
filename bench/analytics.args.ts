import { readArgs } from './bench.argv.ts';

/** Command-line options of `npm run bench -- --analytics`. */
export interface AnalyticsBenchOptions {
  quick: boolean;
  flows: number;
  segments: number;
  /** Requests per report (sequential); its p99 is over these. */
  runs: number;
  /** Seconds of each segment page load run. */
  duration: number;
  connections: number;
  dir: string;
  reuse: boolean;
  out: string;
}

const USAGE = `usage: npm run bench -- --analytics [--quick] [--flows N] [--segments N] [--runs N] [--duration S] [--dir PATH] [--reuse] [--out FILE]
  --analytics    analytics over the bench data set (1,000 Flows, 10,000,000 segments, object sizes recorded for 95% of the
                 objects): p50/p99 of every report over HTTP, the export's rows per second (Parquet and CSV), and the
                 p99 of segment pages alone and while reports run
  --quick        20 Flows and 100,000 segments, 5 requests per report, 3 s load runs (CI: every figure is produced)
  --flows        number of Flows
  --segments     total number of segments
  --runs         requests per report (default 30; 5 with --quick)
  --duration     seconds per segment page load run (default 10; 3 with --quick)
  --dir          directory of the data set (default .bench-data; the main bench's data set is reused when it matches)
  --reuse        reuse the data set in --dir if it matches instead of rebuilding it (each run works on a copy)
  --out          JSON results file (default bench/results/analytics.json)`;

export function parseAnalyticsArgs(argv: string[]): AnalyticsBenchOptions {
  const quick = argv.includes('--quick');
  const options: AnalyticsBenchOptions = {
    quick,
    flows: quick ? 20 : 1000,
    segments: quick ? 100_000 : 10_000_000,
    runs: quick ? 5 : 30,
    duration: quick ? 3 : 10,
    connections: 10,
    dir: '.bench-data',
    reuse: false,
    out: 'bench/results/analytics.json',
  };
  readArgs(argv, USAGE, options, {
    '--analytics': { kind: 'known' },
    '--quick': { kind: 'known' },
    '--flows': { kind: 'int', key: 'flows' },
    '--segments': { kind: 'int', key: 'segments' },
    '--runs': { kind: 'int', key: 'runs' },
    '--duration': { kind: 'int', key: 'duration' },
    '--dir': { kind: 'string', key: 'dir' },
    '--reuse': { kind: 'set', key: 'reuse' },
    '--out': { kind: 'string', key: 'out' },
  });
  if (options.segments < options.flows) throw new Error('--segments must be at least --flows');
  return options;
}
