/**
 * The databases of the broadcast benchmark (bench/broadcast.bench.ts), each as the runs see it:
 * the settings a server and the builder need, the CPU of the database's own processes, its size
 * on disk, and on VAST the fake's counters.
 *
 * - PostgreSQL: a PostgreSQL 15 of the bench's own on a data directory kept in `--dir`
 *   (tools/postgres startKeptPostgres), so that runs before and after a change measure one data
 *   set. Built with fsync and synchronous commit off (a bulk load, checked once at its end);
 *   measured with a user's durability: fsync, full-page writes and synchronous commit on.
 * - VAST: the fake VAST server in its own process, its bytes counted on the wire; in memory only.
 * - DuckDB: the file in `--dir`, inside the server's process (no CPU of its own to read).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startKeptPostgres } from '../tools/postgres/postgres.server.ts';
import { treeCpuMs } from './bench.cpu.ts';
import { cpuMs } from './bench.server.ts';
import type { BroadcastEngine } from './broadcast.args.ts';
import { settledCounts } from './vast.bench.ts';
import { type FakeCounts, startFakeVastProcess } from './vast.fake.ts';

/** PostgreSQL's settings while measuring (written beside the figures). */
export const POSTGRES_RUN_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'on',
  full_page_writes: 'on',
  synchronous_commit: 'on',
  shared_buffers: '1GB',
  max_wal_size: '4GB',
  max_connections: '200',
};

/** While building: a bulk load, made durable once at its end (CHECKPOINT and a sync). */
const POSTGRES_BUILD_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'off',
  full_page_writes: 'off',
  synchronous_commit: 'off',
  shared_buffers: '1GB',
  max_wal_size: '8GB',
  maintenance_work_mem: '1GB',
  max_connections: '200',
};
const STATEMENTS = { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' };
const TOP_STATEMENTS = 15;

export interface BroadcastBackend {
  readonly label: string;
  /** The database's settings worth writing beside the figures. */
  readonly settings: Readonly<Record<string, string>>;
  /** TAMS_* settings of a server (and of the builder's store) on this database. */
  readonly env: Record<string, string>;
  /** CPU (ms) of the database's own processes so far; undefined for the embedded engine. */
  dbCpuMs(): number | undefined;
  /** The fake VAST server's counters, once every commit sent has arrived (VAST only). */
  counts?(): Promise<FakeCounts>;
  /** Bytes of the data set on disk (PostgreSQL's data directory, the DuckDB file). */
  bytes(): number | undefined;
  /** SQL straight to the database, for the builder (PostgreSQL only). */
  sql?(text: string): Promise<pg.QueryResult>;
  /** After a build: what a bulk load is followed by (PostgreSQL: VACUUM ANALYZE, CHECKPOINT). */
  afterBuild(): Promise<void>;
  /** Lines of the database's own account of the runs (PostgreSQL with --statements). */
  report(): Promise<string[]>;
  stop(): Promise<void>;
}

/** The data set's folders under `--dir`. */
export function layout(dir: string): { postgres: string; data: string } {
  return { postgres: join(dir, 'postgres'), data: join(dir, 'data') };
}

function du(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((n, name) => n + du(join(path, name)), 0);
}

export async function startBroadcastBackend(
  engine: BroadcastEngine,
  dir: string,
  options: { phase: 'build' | 'run'; statements: boolean },
): Promise<BroadcastBackend> {
  const { postgres, data } = layout(dir);
  if (engine === 'duckdb') {
    return {
      label: 'DuckDB (embedded, accelerator off: the core store path)',
      settings: { accelerator: 'off' },
      env: { TAMS_DATA_DIR: data },
      dbCpuMs: () => undefined,
      bytes: () => du(join(data, 'tams.duckdb')) + du(join(data, 'tams.duckdb.wal')),
      afterBuild: async () => {},
      report: async () => [],
      stop: async () => {},
    };
  }
  if (engine === 'vast') {
    // Node's default heap (4 GB) runs out at about 1.3M segments with their objects and references.
    const fake = await startFakeVastProcess({ countBytes: true, nodeFlags: ['--max-old-space-size=16384'] });
    return {
      label: 'the fake VAST server (in memory, its own process; no added latency)',
      settings: {},
      env: { ...fake.env, TAMS_DATA_DIR: data },
      dbCpuMs: () => cpuMs(fake.pid),
      counts: () => settledCounts(fake),
      bytes: () => undefined,
      afterBuild: async () => {},
      report: async () => [],
      stop: () => fake.stop(),
    };
  }
  const settings = {
    ...(options.phase === 'build' ? POSTGRES_BUILD_SETTINGS : POSTGRES_RUN_SETTINGS),
    ...(options.statements ? STATEMENTS : {}),
  };
  const server = await startKeptPostgres(postgres, { durable: options.phase === 'run', settings });
  const sql = async (text: string) => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  };
  if (options.statements) {
    await sql('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await sql('SELECT pg_stat_statements_reset()');
  }
  return {
    label: `PostgreSQL 15 (${options.phase === 'run' ? 'fsync and synchronous commit on' : 'building: fsync off'})`,
    settings,
    env: { TAMS_DB: 'postgres', TAMS_POSTGRES_URL: server.url, TAMS_DATA_DIR: data },
    dbCpuMs: () => treeCpuMs(server.pid),
    bytes: () => du(join(postgres, 'data')),
    sql,
    afterBuild: async () => {
      await sql('VACUUM (ANALYZE)');
      await sql('CHECKPOINT');
      // Written with fsync off: on disk for good before anything is measured on it.
      execFileSync('sync');
    },
    report: async () => (options.statements ? topStatements(sql) : []),
    stop: () => server.close(),
  };
}

/** The statements that took the most time since the start, one line each. */
async function topStatements(sql: (text: string) => Promise<pg.QueryResult>): Promise<string[]> {
  const { rows } = await sql(
    `SELECT calls, total_exec_time, rows, query FROM pg_stat_statements
     ORDER BY total_exec_time DESC LIMIT ${TOP_STATEMENTS}`,
  );
  const all = await sql('SELECT sum(total_exec_time) AS total FROM pg_stat_statements');
  const total = Number((all.rows[0] as { total: number | null }).total ?? 0);
  return [
    `PostgreSQL statements by execution time (pg_stat_statements; ${(total / 1000).toFixed(1)} s in all):`,
    ...rows.map((r: { calls: string; total_exec_time: number; rows: string; query: string }) => {
      const calls = Number(r.calls);
      const share = total > 0 ? (100 * r.total_exec_time) / total : 0;
      const query = r.query.replace(/\s+/g, ' ').slice(0, 160);
      return `  ${share.toFixed(1).padStart(5)} %  ${calls.toLocaleString('en').padStart(9)} calls  ${((1000 * r.total_exec_time) / Math.max(1, calls)).toFixed(0).padStart(7)} µs/call  ${(Number(r.rows) / Math.max(1, calls)).toFixed(1).padStart(7)} rows/call  ${query}`;
    }),
  ];
}
