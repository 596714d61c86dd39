import type { Analytics, ExportStream } from '../../db/analytics/analytics.ts';
import type { ExportFormat } from '../../db/analytics/analytics.types.ts';
import type { TableInfo } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { T } from '../../store/tables.ts';
import type { TimeRange } from '../../time/index.ts';
import { AT } from './analytics.tables.ts';
import { count, within } from './reports.window.ts';

/**
 * The tables a reader (the `read` scope) may export: the TAMS content the API already shows to
 * readers, and the object sizes. Not: service settings (the media URL-signing key), users and
 * tokens, webhooks (their API keys), the event outbox, leases and other internal tables, nor the
 * search and EXR tables (their own APIs serve them).
 */
export const EXPORTABLE = [
  T.sources,
  T.sourceTags,
  T.flows,
  T.flowTags,
  T.collections,
  T.segments,
  T.objects,
  T.objectRefs,
  T.deletions,
  AT.sizes,
] as const;

export type ExportTable = (typeof EXPORTABLE)[number];

/**
 * Columns the store keeps for itself, not part of what a table records: not exported. Segments'
 * `get_urls` is retired (written null since object instances hold the URLs: migration 4).
 */
const INTERNAL = new Set([`${T.segments}.seq`, `${T.segments}.get_urls`]);

export function isExportable(table: string): table is ExportTable {
  return (EXPORTABLE as readonly string[]).includes(table);
}

/** Rows of `table`, or one Flow's segments starting in `window` (ordered by start). */
export interface ExportScope {
  table: ExportTable;
  flowId?: string;
  window?: TimeRange;
}

/** Where the scope filters: only the segments table takes a Flow and a window. */
function scopeWhere(scope: ExportScope) {
  if (scope.table !== T.segments) return undefined;
  return and(
    scope.flowId !== undefined && col('flow_id').eq(scope.flowId),
    ...(scope.window !== undefined ? within('seg_start', scope.window) : []),
  );
}

/** How many rows the scope holds (before the export's limit). */
export async function exportRows(analytics: Analytics, scope: ExportScope, info: TableInfo): Promise<number> {
  const where = scopeWhere(scope);
  const column = info.columns[0]?.name ?? 'id';
  const rows = await analytics.aggregate({
    kind: 'aggregate',
    from: { table: scope.table, columns: [column], ...(where !== undefined && { where }) },
    measures: { n: { fn: 'count' } },
  });
  return count(rows[0], 'n');
}

/** Streams every declared column of the scope's rows (but the store's own, INTERNAL), at most `limit`. */
export function exportScope(
  analytics: Analytics,
  scope: ExportScope,
  info: TableInfo,
  format: ExportFormat,
  limit: number,
): ExportStream {
  const where = scopeWhere(scope);
  const ordered = scope.table === T.segments && scope.flowId !== undefined;
  return analytics.export(
    {
      from: {
        table: scope.table,
        columns: info.columns.filter((c) => !INTERNAL.has(`${scope.table}.${c.name}`)).map((c) => c.name),
        ...(where !== undefined && { where }),
      },
      ...(ordered && { orderBy: [{ column: 'seg_start' }] }),
      limit,
    },
    format,
  );
}
