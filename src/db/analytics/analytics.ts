import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DbError } from '../db.errors.ts';
import { type AnalyticsSchema, checkQuery, resolveInput } from './analytics.check.ts';
import { tailFile } from './analytics.tail.ts';
import type {
  AggregateQuery,
  AnalyticsEngine,
  AnalyticsResult,
  AnalyticsRow,
  ExportFormat,
  ExportQuery,
  IslandsQuery,
  IslandsResult,
} from './analytics.types.ts';

export type * from './analytics.types.ts';

/** A streamed export: its bytes, and the rows once the writer has finished. */
export interface ExportStream {
  readonly stream: Readable;
  readonly rows: Promise<number>;
}

/**
 * The manager-level analytics API (db/analytics): checks every query against the declared tables
 * (names, column types, predicates converted as the manager's selects are), then hands it to the
 * engine's executor. Built by the engine factory (openAnalytics), which picks the executor.
 */
export class Analytics {
  private readonly exportDir: string;

  constructor(
    private readonly schema: AnalyticsSchema,
    private readonly engine: AnalyticsEngine,
    options: { exportDir?: string } = {},
  ) {
    this.exportDir = options.exportDir ?? tmpdir();
  }

  /** Runs the queries on one snapshot (one per input on engines that read inputs apart). */
  async run(batch: readonly (AggregateQuery | IslandsQuery)[]): Promise<AnalyticsResult[]> {
    const checked = batch.map((q) => checkQuery(this.schema, q));
    return this.engine.query(checked);
  }

  async aggregate(q: AggregateQuery): Promise<AnalyticsRow[]> {
    const [result] = await this.run([q]);
    if (result?.kind !== 'aggregate') throw new DbError('invalid_value', 'analytics: no aggregate result');
    return result.rows;
  }

  async islands(q: IslandsQuery): Promise<IslandsResult> {
    const [result] = await this.run([q]);
    if (result?.kind !== 'islands') throw new DbError('invalid_value', 'analytics: no islands result');
    return result.result;
  }

  /**
   * Streams the rows as Parquet or CSV: the engine writes a temporary file and the stream reads
   * it as it grows (analytics.tail.ts), so neither the server nor the engine holds the export.
   */
  export(q: ExportQuery, format: ExportFormat): ExportStream {
    const from = resolveInput(this.schema, q.from);
    for (const o of q.orderBy ?? []) {
      if (!from.columns.some((c) => c.name === o.column)) {
        throw new DbError('unknown_column', `analytics: export ordered by "${o.column}", not exported`);
      }
    }
    if (q.limit !== undefined && (!Number.isSafeInteger(q.limit) || q.limit < 0)) {
      throw new DbError('invalid_value', 'analytics: export limit must be a non-negative integer');
    }
    const path = join(this.exportDir, `tams-export-${randomUUID()}.${format}`);
    const written = this.engine.exportTo({ ...q, from }, format, path);
    const rows = written.then((r) => r.rows);
    // Reported through the stream too; this copy must not be an unhandled rejection.
    rows.catch(() => undefined);
    return { stream: tailFile(path, written), rows };
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
