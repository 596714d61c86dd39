import type { ColumnGroup, DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { reqStr } from './rows.ts';

const SCAN_BATCH = 500;

/**
 * Keyset paging on the `id` column: a single column, so every engine pushes it down. Filters the
 * engine cannot express (tag absence, exact timerange overlap) run in `accept`, and the scan goes
 * on batch by batch until the page is full. `next` is the last id of the page when more follow.
 */
export async function scanPage(
  db: DbSession,
  table: string,
  where: readonly (ColumnGroup | false | undefined)[],
  accept: (row: Row) => boolean,
  after: string | undefined,
  limit: number,
): Promise<{ rows: Row[]; next?: string }> {
  const batchSize = Math.max(SCAN_BATCH, limit + 1);
  const found: Row[] = [];
  let cursor = after;
  for (;;) {
    const batch = await db.select(table, {
      where: and(...where, cursor !== undefined && col('id').gt(cursor)),
      orderBy: [{ column: 'id' }],
      limit: batchSize,
    });
    for (const row of batch) {
      if (accept(row)) found.push(row);
      if (found.length > limit) break;
    }
    const last = batch.at(-1);
    if (found.length > limit || !last || batch.length < batchSize) break;
    cursor = reqStr(last, 'id');
  }
  const rows = found.slice(0, limit);
  const lastRow = rows.at(-1);
  return { rows, next: found.length > limit && lastRow ? reqStr(lastRow, 'id') : undefined };
}
