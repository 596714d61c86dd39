/**
 * The database under the replica benchmark (replicas.bench.ts): the embedded DuckDB file (one
 * process only), the fake VAST server in a process of its own, or a throwaway PostgreSQL with a
 * user's durability (fsync and synchronous commit on). Each says how a server and the data set
 * builder reach it and how much CPU its own processes used.
 */
import pg from 'pg';
import {
  POSTGRES_BIN,
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../tools/postgres/postgres.server.ts';
import { treeCpuMs } from './bench.cpu.ts';
import { cpuMs } from './bench.server.ts';
import { startFakeVastProcess } from './vast.fake.ts';

export type SharedEngine = 'duckdb' | 'vast' | 'postgres';

export interface BenchBackend {
  /** How the tables name it: "PostgreSQL 15 (fsync on)". */
  readonly label: string;
  /** The settings of a server (and of the builder) on it: TAMS_DB and its own. */
  readonly env: Record<string, string>;
  /** Servers that may share it at once (the embedded engine: one). */
  readonly maxReplicas: number;
  /** CPU (ms) the database's own processes used so far; undefined when it runs inside the server. */
  dbCpuMs(): number | undefined;
  /** Before (true) and after (false) each server count's measured runs: the fake's added latency. */
  measuring(on: boolean): Promise<void>;
  /** What the database itself says about the runs (PostgreSQL: its busiest statements), or nothing. */
  report(): Promise<string[]>;
  /**
   * After the build, before the runs: forgets what `report` would say so far. PostgreSQL also
   * vacuums and analyzes the tables just filled, as after any bulk load, so that autovacuum's first
   * pass over them (it starts within a minute) does not fall into a measured window: before, it
   * put 0.3-1.6 ms of the database's CPU on each single POST of the first runs.
   */
  afterBuild(): Promise<void>;
  stop(): Promise<void>;
}

/** The fake's added latency per round trip while measuring, as vast.bench.ts's second pass. */
const FAKE_LATENCY_MS = 1;
/** Statements `report` lists (pg_stat_statements, by total time). */
const TOP_STATEMENTS = 12;

export async function startBackend(
  engine: SharedEngine,
  options: { statements: boolean },
): Promise<BenchBackend> {
  if (engine === 'duckdb') return embedded();
  if (engine === 'vast') {
    const fake = await startFakeVastProcess();
    return {
      label: 'the fake VAST server (1 ms per round trip)',
      env: fake.env,
      maxReplicas: Number.POSITIVE_INFINITY,
      dbCpuMs: () => cpuMs(fake.pid),
      measuring: (on) => fake.setLatency(on ? FAKE_LATENCY_MS : 0),
      report: async () => [],
      afterBuild: async () => {},
      stop: () => fake.stop(),
    };
  }
  if (!postgresAvailable()) throw new Error(`--engine postgres: no PostgreSQL binaries in ${POSTGRES_BIN}`);
  const server = await startPostgres({
    durable: true,
    // PostgreSQL's own default (the tests' throwaway server has 32 MB).
    settings: {
      shared_buffers: '128MB',
      ...(options.statements
        ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' }
        : {}),
    },
  });
  if (options.statements) await sql(server, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  return {
    label: 'PostgreSQL 15 (fsync and synchronous commit on)',
    env: { TAMS_DB: 'postgres', TAMS_POSTGRES_URL: server.url },
    maxReplicas: Number.POSITIVE_INFINITY,
    dbCpuMs: () => treeCpuMs(server.pid),
    measuring: async () => {},
    report: () => (options.statements ? topStatements(server) : Promise.resolve([])),
    afterBuild: async () => {
      await sql(server, 'VACUUM (ANALYZE)');
      if (options.statements) await sql(server, 'SELECT pg_stat_statements_reset()');
    },
    stop: () => server.close(),
  };
}

function embedded(): BenchBackend {
  return {
    label: 'DuckDB (embedded, in the server process)',
    env: {},
    maxReplicas: 1,
    dbCpuMs: () => undefined,
    measuring: async () => {},
    report: async () => [],
    afterBuild: async () => {},
    stop: async () => {},
  };
}

async function sql(server: PostgresServer, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** The statements that took the most time since the last reset, one line each. */
async function topStatements(server: PostgresServer): Promise<string[]> {
  const { rows } = await sql(
    server,
    `SELECT calls, total_exec_time, rows, query FROM pg_stat_statements
     ORDER BY total_exec_time DESC LIMIT ${TOP_STATEMENTS}`,
  );
  const all = await sql(server, 'SELECT sum(total_exec_time) AS total FROM pg_stat_statements');
  const total = Number((all.rows[0] as { total: number | null }).total ?? 0);
  return [
    `PostgreSQL statements by execution time (pg_stat_statements; ${(total / 1000).toFixed(1)} s in all):`,
    ...rows.map((r: { calls: string; total_exec_time: number; rows: string; query: string }) => {
      const calls = Number(r.calls);
      const share = total > 0 ? (100 * r.total_exec_time) / total : 0;
      const query = r.query.replace(/\s+/g, ' ').slice(0, 140);
      return `  ${share.toFixed(1).padStart(5)} %  ${calls.toLocaleString('en').padStart(9)} calls  ${((1000 * r.total_exec_time) / Math.max(1, calls)).toFixed(0).padStart(6)} µs/call  ${(Number(r.rows) / Math.max(1, calls)).toFixed(1).padStart(7)} rows/call  ${query}`;
    }),
  ];
}
