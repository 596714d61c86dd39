import { DuckDBInstance } from '@duckdb/node-api';
import type {
  AnalyticsEngine,
  AnalyticsResult,
  EngineExport,
  EngineInput,
  EngineQuery,
  ExportFormat,
} from '../../analytics/analytics.types.ts';
import { DbError } from '../../db.errors.ts';
import type { ColumnGroup, DbSession, Predicate, Row, Value } from '../../db.types.ts';
import { quote } from '../sql/sql.compile.ts';
import { aggregateRows, copiedRows, islandsResult } from './duckdb.analytics.read.ts';
import {
  aggregateNames,
  aggregateSql,
  exportSql,
  islandsSql,
  type SourceSql,
} from './duckdb.analytics.sql.ts';
import { createTableSql } from './duckdb.catalog.ts';
import { DuckConn } from './duckdb.connection.ts';
import { insertRows } from './duckdb.insert.ts';
import type { PhysicalTable } from './duckdb.physical.ts';
import { Params } from './duckdb.sql.ts';
import { Pool } from './duckdb.sync.ts';
import { readRows } from './duckdb.values.ts';

export interface HybridOptions {
  /** DuckDB settings of the in-process database (memory_limit, threads, temp_directory). */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * A join whose main input has at most this many distinct keys fetches only the joined rows
   * with those keys (`in` predicates the source pushes down, PUSH_CHUNK keys each); with more, the
   * joined input is fetched whole under its own predicate. Default 20,000.
   */
  readonly pushKeys?: number;
  /** Reports staged at once (each holds its inputs in memory, or spilled). Default 2. */
  readonly concurrency?: number;
}

const PUSH_CHUNK = 1000;

/** Thrown out of a scan that has staged all it needs (an export's limit without an order). */
class Enough extends Error {}

/**
 * Hybrid analytics, for engines that cannot run the analytic SQL themselves (VAST DataBase):
 * the engine fetches each input's columns, filtered by its predicate where the data is (VAST
 * pushes predicates and projections down), into a staging table of an in-process DuckDB made for
 * the batch, and the same SQL as the embedded engine's runs there (duckdb.analytics.sql.ts). A
 * join whose main side is small fetches only the joined rows with its keys; a semi join whose
 * joined side is small fetches only the main rows with its keys. Each input is read
 * in its own read transaction of the source (a VAST snapshot per input). DuckDB spills what
 * does not fit its memory limit to its temporary directory, so staging is bounded by the disk.
 */
export class HybridAnalytics implements AnalyticsEngine {
  private readonly slots: Pool<number>;
  private readonly pushKeys: number;
  private closed = false;

  constructor(
    private readonly source: DbSession,
    private readonly options: HybridOptions = {},
  ) {
    let next = 0;
    this.slots = new Pool(async () => next++, options.concurrency ?? 2);
    this.pushKeys = options.pushKeys ?? 20_000;
  }

  async query(batch: readonly EngineQuery[]): Promise<AnalyticsResult[]> {
    return this.staged(async (stage) => {
      const results: AnalyticsResult[] = [];
      for (const q of batch) {
        const source = await stage.inputs(q);
        const p = new Params();
        if (q.kind === 'aggregate') {
          const rows = aggregateRows(await stage.run(aggregateSql(q, p, source), p), aggregateNames(q));
          results.push({ kind: 'aggregate', rows });
        } else {
          const result = islandsResult(await stage.run(islandsSql(q, p, source), p), q.limit);
          results.push({ kind: 'islands', result });
        }
      }
      return results;
    });
  }

  async exportTo(q: EngineExport, format: ExportFormat, path: string): Promise<{ rows: number }> {
    return this.staged(async (stage) => {
      // Without an order the first `limit` rows will do: staging stops there.
      const enough = q.orderBy === undefined || q.orderBy.length === 0 ? q.limit : undefined;
      const name = await stage.load(q.from, undefined, enough);
      const p = new Params();
      return {
        rows: copiedRows(
          await stage.run(
            exportSql(q, format, path, p, () => quote(name)),
            p,
          ),
        ),
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.slots.drain();
  }

  private async staged<T>(fn: (stage: Staging) => Promise<T>): Promise<T> {
    if (this.closed) throw new DbError('closed', 'analytics are closed');
    return this.slots.use(async () => {
      const instance = await DuckDBInstance.create(':memory:', { ...this.options.config });
      const conn = new DuckConn(await instance.connect());
      try {
        return await fn(new Staging(conn, this.source, this.pushKeys));
      } finally {
        await conn.release();
        conn.close();
        instance.closeSync();
      }
    });
  }
}

/** Bigint-safe identity of an input (table and predicate). */
function inputKey(input: EngineInput): string {
  return JSON.stringify([input.table, input.where ?? null], (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Date ? `${v.getTime()}d` : v,
  );
}

/** The staging tables of one batch. */
class Staging {
  private readonly tables = new Map<string, { name: string; columns: Set<string> }>();
  private count = 0;

  constructor(
    private readonly conn: DuckConn,
    private readonly source: DbSession,
    private readonly pushKeys: number,
  ) {}

  run(sql: string, p: Params) {
    return this.conn.raw.run(sql, p.values, p.types);
  }

  /** Stages the query's inputs; the SQL source naming their staging tables. */
  async inputs(q: EngineQuery): Promise<SourceSql> {
    const names = new Map<EngineInput, string>();
    const joins = q.kind === 'aggregate' ? (q.joins ?? []) : [];
    // A semi join with few keys filters the main input where it is read: the joined input is
    // staged first, and its keys are pushed down with the main input's predicate.
    let filter: { column: string; keys: readonly Value[] } | undefined;
    for (const j of joins) {
      if (j.kind !== 'semi' || filter !== undefined) continue;
      const staged = await this.shared(j.input);
      names.set(j.input, staged);
      const keys = await this.distinct(staged, j.on[1]);
      if (keys !== undefined) filter = { column: j.on[0], keys };
    }
    const main = filter === undefined ? await this.shared(q.from) : await this.load(q.from, filter);
    names.set(q.from, main);
    for (const j of joins) {
      if (names.has(j.input)) continue;
      // A main input with few keys fetches only the joined rows that can match.
      const keys = await this.distinct(main, j.on[0]);
      const pushed = keys !== undefined ? { column: j.on[1], keys } : undefined;
      names.set(j.input, await this.load(j.input, pushed));
    }
    return (input) => quote(names.get(input) as string);
  }

  /** An input staged once per batch (queries of a report read the same rows). */
  private async shared(input: EngineInput): Promise<string> {
    const key = inputKey(input);
    const staged = this.tables.get(key);
    if (staged !== undefined && input.columns.every((c) => staged.columns.has(c.name))) return staged.name;
    const name = await this.load(input);
    this.tables.set(key, { name, columns: new Set(input.columns.map((c) => c.name)) });
    return name;
  }

  /** The distinct values of a staged column, when few enough to push down; else undefined. */
  private async distinct(table: string, column: string): Promise<Value[] | undefined> {
    const p = new Params();
    const sql = `SELECT DISTINCT ${quote(column)} AS k FROM ${quote(table)} WHERE ${quote(column)} IS NOT NULL LIMIT ${this.pushKeys + 1}`;
    const rows = readRows(await this.run(sql, p), ['k']);
    if (rows.length > this.pushKeys) return undefined;
    return rows.map((r) => r.k as Value);
  }

  /**
   * Fetches an input into a new staging table: whole, or only the rows whose `pushed.column` is
   * one of `pushed.keys` (in chunks), or its first `enough` rows.
   */
  async load(
    input: EngineInput,
    pushed?: { column: string; keys: readonly Value[] },
    enough?: number,
  ): Promise<string> {
    const name = `s${this.count++}`;
    const table: PhysicalTable = {
      name,
      columns: input.columns.map((c) => ({ name: c.name, type: c.type, nullable: true })),
      byName: new Map(input.columns.map((c) => [c.name, { name: c.name, type: c.type, nullable: true }])),
    };
    await this.conn.exec(createTableSql({ name, columns: input.columns }));
    const columns = input.columns.map((c) => c.name);
    let staged = 0;
    const take = async (rows: Row[]) => {
      const kept = enough === undefined ? rows : rows.slice(0, Math.max(0, enough - staged));
      await insertRows(this.conn, table, kept, false);
      staged += kept.length;
      if (enough !== undefined && staged >= enough) throw new Enough();
    };
    const scan = async (where: Predicate | undefined) => {
      try {
        await this.source.scan(input.table, { columns, ...(where !== undefined && { where }) }, take);
      } catch (error) {
        if (!(error instanceof Enough)) throw error;
      }
    };
    if (pushed === undefined) await scan(input.where);
    else {
      for (let i = 0; i < pushed.keys.length; i += PUSH_CHUNK) {
        const group: ColumnGroup = {
          column: pushed.column,
          any: [{ op: 'in', value: pushed.keys.slice(i, i + PUSH_CHUNK) }],
        };
        await scan({ all: [...(input.where?.all ?? []), group] });
      }
    }
    return name;
  }
}
