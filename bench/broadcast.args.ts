import { readArgs } from './bench.argv.ts';

/** The engines the broadcast benchmark drives (DuckDB with the embedded accelerator off). */
export type BroadcastEngine = 'postgres' | 'vast' | 'duckdb';

/** Options of `npm run bench -- --broadcast`. */
export interface BroadcastOptions {
  quick: boolean;
  engine: BroadcastEngine;
  /** Segments of the long Flow (one channel's years in 2-second segments). */
  segments: number;
  /** Flows beside it, each of `flowSegments` segments. */
  flows: number;
  flowSegments: number;
  /** Where the data set is kept (PostgreSQL's data directory, DuckDB's file), for --reuse. */
  dir: string;
  reuse: boolean;
  buildOnly: boolean;
  /** Seconds of each measured load window. */
  duration: number;
  /** Connections of each load. */
  connections: number;
  /** Operations one at a time per scenario (their latency alone, and the fake VAST's counts). */
  alone: number;
  /** Scenarios whose name contains one of these (default: all). */
  only: string[];
  /** With --engine postgres: PostgreSQL's busiest statements over the runs (pg_stat_statements). */
  statements: boolean;
  out: string;
}

const USAGE = `usage: npm run bench -- --broadcast [--quick] [--engine postgres|vast|duckdb] [--segments N] [--flows N] [--flow-segments N] [--dir PATH] [--reuse] [--build-only] [--duration S] [--connections N] [--alone N] [--only LIST] [--statements] [--out FILE]
  --broadcast      one long Flow of 2-second segments (a 24/7 channel) beside many short ones, on a shared engine's
                   path: pages of 100 at 1 %, 50 % and 99 % of the long Flow by timerange, by paging key and reversed,
                   single POSTs appended at its live end, Flow creates, Flow lists with a tag filter, analytics over it,
                   and the deletion of one day from its middle; per operation the rate, p50/p99 and CPU per operation of
                   the server and of the database (bench/broadcast.bench.ts)
  --quick          50,000 segments beside 10 Flows of 100, short runs, 4 connections: checks that every figure is produced
  --engine         postgres (default: a PostgreSQL 15 of the bench's own on a kept data directory, fsync on); vast:
                   the fake VAST server in its own process (requests, rows read and bytes per operation; built anew
                   each run); duckdb: the DuckDB file with the embedded accelerator off (the core store path)
  --segments       segments of the long Flow (default 10,000,000 on postgres, 1,000,000 on vast and duckdb)
  --flows          Flows beside it (default 1,000)
  --flow-segments  segments of each of those (default 1,000)
  --dir            where the data set is kept (default .bench-data/broadcast-<engine>); keep it outside the repository
  --reuse          measure the data set already built in --dir (of the same size) instead of building it again
  --build-only     build the data set in --dir and stop
  --duration       seconds of each measured load (default 10; 1 with --quick)
  --connections    connections of each load (default 16; 4 with --quick)
  --alone          operations one at a time per scenario, before its load (default 50; 5 with --quick)
  --only           comma-separated parts of scenario names: only those run (e.g. "page,append")
  --statements     with --engine postgres: PostgreSQL's busiest statements over the runs
  --out            JSON results file (default bench/results/broadcast-<engine>.json)`;

export function parseBroadcastArgs(argv: readonly string[]): BroadcastOptions {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--engine');
  const engine = at >= 0 ? argv[at + 1] : 'postgres';
  if (engine !== 'postgres' && engine !== 'vast' && engine !== 'duckdb')
    throw new Error(`--engine: postgres, vast or duckdb\n${USAGE}`);
  const options: BroadcastOptions = {
    quick,
    engine,
    segments: quick ? 50_000 : engine === 'postgres' ? 10_000_000 : 1_000_000,
    flows: quick ? 10 : 1000,
    flowSegments: quick ? 100 : 1000,
    dir: `.bench-data/broadcast-${engine}`,
    reuse: false,
    buildOnly: false,
    duration: quick ? 1 : 10,
    connections: quick ? 4 : 16,
    alone: quick ? 5 : 50,
    only: [],
    statements: false,
    out: `bench/results/broadcast-${engine}.json`,
  };
  readArgs(argv, USAGE, options, {
    '--broadcast': { kind: 'known' },
    '--quick': { kind: 'known' },
    '--engine': { kind: 'known', value: true },
    '--segments': { kind: 'int', key: 'segments' },
    '--flows': { kind: 'int', key: 'flows' },
    '--flow-segments': { kind: 'int', key: 'flowSegments' },
    '--dir': { kind: 'string', key: 'dir' },
    '--reuse': { kind: 'set', key: 'reuse' },
    '--build-only': { kind: 'set', key: 'buildOnly' },
    '--duration': { kind: 'int', key: 'duration' },
    '--connections': { kind: 'int', key: 'connections' },
    '--alone': { kind: 'int', key: 'alone' },
    '--only': {
      kind: 'read',
      read: (value) => {
        options.only = value.split(',').filter((s) => s !== '');
        if (options.only.length === 0) throw new Error(`--only: a comma-separated list\n${USAGE}`);
      },
    },
    '--statements': { kind: 'set', key: 'statements' },
    '--out': { kind: 'string', key: 'out' },
  });
  // 1 %, 50 % and 99 % pages of 100 reach 200 segments past their position, and the day deleted
  // from the middle is 43,200 segments: a Flow shorter than this has no middle day to spare.
  if (options.segments < 20_000) throw new Error(`--segments: at least 20,000\n${USAGE}`);
  if (engine === 'vast' && (options.reuse || options.buildOnly))
    throw new Error(`--reuse, --build-only: the fake VAST server keeps its data in memory only\n${USAGE}`);
  if (options.statements && engine !== 'postgres')
    throw new Error(`--statements: with --engine postgres\n${USAGE}`);
  return options;
}
