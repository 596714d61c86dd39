import type { DuckDBInstance } from '@duckdb/node-api';
import type {
  AnalyticsEngine,
  AnalyticsResult,
  EngineExport,
  EngineInput,
  EngineQuery,
  ExportFormat,
} from '../../analytics/analytics.types.ts';
import { DbError } from '../../db.errors.ts';
import { quote } from '../sql/sql.compile.ts';
import { aggregateRows, copiedRows, islandsResult } from './duckdb.analytics.read.ts';
import {
  aggregateNames,
  aggregateSql,
  exportSql,
  islandsSql,
  type SourceSql,
} from './duckdb.analytics.sql.ts';
import type { Catalog } from './duckdb.catalog.ts';
import { DuckConn } from './duckdb.connection.ts';
import type { PhysicalTable } from './duckdb.physical.ts';
import { Params, DUCKDB_SQL as SQL } from './duckdb.sql.ts';
import { Pool } from './duckdb.sync.ts';

/**
 * Connections of their own for reports, besides the reader pool that serves the API: two, so a
 * second report does not wait for a long first one, and no more, since each report already
 * spreads over every DuckDB thread (TAMS_DUCKDB_THREADS) and the machine's cores are what the
 * API's requests need.
 */
const CONNECTIONS = 2;

/** How a statement's results are read, per query kind. */
async function runQuery(conn: DuckConn, q: EngineQuery, source: SourceSql): Promise<AnalyticsResult> {
  const p = new Params();
  if (q.kind === 'aggregate') {
    const sql = aggregateSql(q, p, source);
    const result = await conn.raw.run(sql, p.values, p.types);
    return { kind: 'aggregate', rows: aggregateRows(result, aggregateNames(q)) };
  }
  const sql = islandsSql(q, p, source);
  return { kind: 'islands', result: islandsResult(await conn.raw.run(sql, p.values, p.types), q.limit) };
}

/** Every input a query reads. */
export function inputsOf(q: EngineQuery): EngineInput[] {
  return q.kind === 'aggregate' ? [q.from, ...(q.joins ?? []).map((j) => j.input)] : [q.from];
}

function tablesOf(inputs: readonly EngineInput[]): string[] {
  return [...new Set(inputs.map((i) => i.table))];
}

/**
 * Analytics on the embedded engine's own tables (see AnalyticsEngine). The SQL runs on
 * connections of its own, never the writer's: DuckDB's MVCC lets a read transaction run beside
 * the writer's commits and checkpoints (checked with a checkpoint during a 2.5 s aggregate over
 * 5M rows), so ingest never waits for a report, only shares the cores with it. A batch of
 * queries runs in one read transaction: its figures come from one snapshot. Statements run
 * asynchronously (on DuckDB's and libuv's threads), so the event loop is free meanwhile.
 */
export class DuckAnalytics implements AnalyticsEngine {
  private readonly pool: Pool<DuckConn>;
  private closed = false;

  constructor(
    instance: DuckDBInstance,
    private readonly catalog: Catalog,
    /**
     * Runs a report's `fn` on `conn` in a read transaction that sees every acknowledged write to
     * `tables` (what the engine's append journal holds reaches them first, or alongside).
     */
    private readonly read: <T>(conn: DuckConn, tables: readonly string[], fn: () => Promise<T>) => Promise<T>,
  ) {
    this.pool = new Pool(async () => new DuckConn(await instance.connect()), CONNECTIONS);
  }

  async query(batch: readonly EngineQuery[]): Promise<AnalyticsResult[]> {
    this.checkOpen();
    const inputs = batch.flatMap(inputsOf);
    return this.pool.use((conn) =>
      this.read(conn, tablesOf(inputs), async () => {
        const source = await this.sources(conn, inputs);
        const results: AnalyticsResult[] = [];
        for (const q of batch) results.push(await runQuery(conn, q, source));
        return results;
      }),
    );
  }

  async exportTo(q: EngineExport, format: ExportFormat, path: string): Promise<{ rows: number }> {
    this.checkOpen();
    return this.pool.use((conn) =>
      this.read(conn, [q.from.table], async () => {
        const source = await this.sources(conn, [q.from]);
        const p = new Params();
        const result = await conn.raw.run(exportSql(q, format, path, p, source), p.values, p.types);
        return { rows: copiedRows(result) };
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const connections = await this.pool.drain();
    for (const conn of connections) await conn.release();
    for (const conn of connections) conn.close();
  }

  /** Each input as a subquery over its table, filtered by its predicate. */
  private async sources(conn: DuckConn, inputs: readonly EngineInput[]): Promise<SourceSql> {
    const tables = new Map<string, PhysicalTable>();
    for (const input of inputs) {
      if (!tables.has(input.table)) tables.set(input.table, await this.catalog.table(conn, input.table));
    }
    return (input, p) => {
      const table = tables.get(input.table) as PhysicalTable;
      const columns = input.columns.map((c) => quote(c.name)).join(', ');
      return `(SELECT ${columns} FROM ${SQL.tableName(table)}${SQL.where(p, table, input.where)})`;
    };
  }

  private checkOpen(): void {
    if (this.closed) throw new DbError('closed', 'the DuckDB engine is closed');
  }
}
