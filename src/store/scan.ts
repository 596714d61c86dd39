import type { ColumnGroup, DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { reqStr } from './rows.ts';

const SCAN_BATCH = 500;
/** Ids are windowed on their first 8 characters read as hex (UUIDs: uniformly spread). */
const SPACE = 2 ** 32;
const HEX8 = /^[0-9a-f]{8}/;

/**
 * Keyset paging on the `id` column: a single column, so every engine pushes it down. Filters the
 * engine cannot express (tag absence, exact timerange overlap) run in `accept`, and the scan goes
 * on until the page is full. `next` is the last id of the page when more follow.
 *
 * Each select also bounds `id` to a window of the id space (ids are UUIDs, spread evenly over
 * their first hex digits): an engine that cannot push ORDER BY or LIMIT down (VAST) reads every
 * row its predicate matches, so without the window one page would read the whole table. Windows
 * start small, follow the density the previous one showed and grow fourfold when it was empty;
 * the last one, past `ffffffff` (or after an id that is not hex), has no upper bound, and the
 * first, without a cursor, no lower bound, so every id is reached whatever its form.
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
  // Where the window begins: after the cursor id, or at a window edge (inclusive).
  let from: ColumnGroup | undefined = after === undefined ? undefined : col('id').gt(after);
  let low = after === undefined ? 0 : position(after);
  // The first window guesses a table of 100,000 rows; the next follow what the last one held.
  let width = Math.max(16, Math.ceil((SPACE / 100_000) * (limit + 1)));
  for (;;) {
    const high = low + width >= SPACE ? undefined : low + width;
    const batch = await db.select(table, {
      where: and(...where, from, high !== undefined && col('id').lt(hex(high))),
      orderBy: [{ column: 'id' }],
      limit: batchSize,
    });
    let accepted = 0;
    for (const row of batch) {
      if (!accept(row)) continue;
      found.push(row);
      accepted++;
      if (found.length > limit) break;
    }
    const last = batch.at(-1);
    if (found.length > limit) break;
    if (last && batch.length >= batchSize) {
      // The engine stopped at the limit inside the window: go on from the last id.
      from = col('id').gt(reqStr(last, 'id'));
      continue;
    }
    if (high === undefined) break;
    from = col('id').ge(hex(high));
    low = high;
    const missing = limit + 1 - found.length;
    width =
      accepted === 0
        ? width * 4
        : Math.max(16, Math.min(width * 4, Math.ceil((width * missing * 1.25) / accepted)));
  }
  const rows = found.slice(0, limit);
  const lastRow = rows.at(-1);
  return { rows, next: found.length > limit && lastRow ? reqStr(lastRow, 'id') : undefined };
}

/** Where an id lies in the window space; ids that do not start with 8 hex digits lie at its end. */
function position(id: string): number {
  return HEX8.test(id) ? Number.parseInt(id.slice(0, 8), 16) : SPACE;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
