import type { ColumnGroup, DbSession, Row, Value } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';

const BATCH = 500;

/**
 * How a key column is cut into windows: keys are positions on a line of integers, `bound(p)` is
 * the key value where position p begins, positions from `end` on are one last, open window.
 */
export interface KeySpace {
  readonly column: string;
  position(key: Value): bigint;
  bound(position: bigint): Value;
  readonly start: bigint;
  readonly end: bigint;
  readonly firstWidth: bigint;
  readonly minWidth: bigint;
}

/** File ids: hex digits, spread evenly over their first 8 (SHA-256). */
export function hexKeys(column: string, expectedRows = 100_000, limit = 100): KeySpace {
  const space = 2n ** 32n;
  return {
    column,
    position: (key) =>
      typeof key === 'string' && /^[0-9a-f]{8}/.test(key) ? BigInt(`0x${key.slice(0, 8)}`) : space,
    bound: (p) => p.toString(16).padStart(8, '0'),
    start: 0n,
    end: space,
    firstWidth: BigInt(Math.max(16, Math.ceil((2 ** 32 / expectedRows) * (limit + 1)))),
    minWidth: 16n,
  };
}

/** Segment starts of one Flow, between the ends of its timeline (nanoseconds). */
export function timelineKeys(column: string, first: bigint, last: bigint): KeySpace {
  const span = last - first + 1n;
  return {
    column,
    position: (key) => (typeof key === 'bigint' ? key : first),
    bound: (p) => p,
    start: first,
    end: last + 1n,
    firstWidth: span > 0n ? (span / 16n > 1n ? span / 16n : 1n) : 1n,
    minWidth: 1n,
  };
}

/**
 * Keyset paging on one column, `where` ANDed: each select also bounds the key to a window, so an
 * engine that cannot push ORDER BY or LIMIT down (VAST) reads about a page per select rather than
 * every row after the cursor. Windows follow the density the last one showed and grow fourfold
 * when empty (as src/store/scan.ts does for ids); the first has no lower bound and the last no
 * upper one, so every key is reached. `next` is the last key of the page when more follow.
 */
export async function windowPage(
  db: DbSession,
  table: string,
  keys: KeySpace,
  where: readonly (ColumnGroup | false | undefined)[],
  after: Value | undefined,
  limit: number,
  columns?: readonly string[],
): Promise<{ rows: Row[]; next?: Value }> {
  const batchSize = Math.max(BATCH, limit + 1);
  const key = col(keys.column);
  const found: Row[] = [];
  let from: ColumnGroup | undefined = after === undefined ? undefined : key.gt(after);
  let low = after === undefined ? keys.start : keys.position(after);
  let width = keys.firstWidth;
  for (;;) {
    const high = low + width >= keys.end ? undefined : low + width;
    const batch = await db.select(table, {
      where: and(...where, from, high !== undefined && key.lt(keys.bound(high))),
      orderBy: [{ column: keys.column }],
      limit: batchSize,
      ...(columns !== undefined && { columns }),
    });
    const before = found.length;
    for (const row of batch) {
      found.push(row);
      if (found.length > limit) break;
    }
    if (found.length > limit) break;
    const last = batch.at(-1);
    if (last !== undefined && batch.length >= batchSize) {
      from = key.gt(last[keys.column] ?? null);
      continue;
    }
    if (high === undefined) break;
    from = key.ge(keys.bound(high));
    low = high;
    const accepted = BigInt(found.length - before);
    const missing = BigInt(limit + 1 - found.length);
    const grown = width * 4n;
    const dense = accepted === 0n ? grown : (width * missing * 5n) / (accepted * 4n);
    width = dense > grown ? grown : dense < keys.minWidth ? keys.minWidth : dense;
  }
  const rows = found.slice(0, limit);
  const lastRow = rows.at(-1);
  return {
    rows,
    ...(found.length > limit && lastRow !== undefined && { next: lastRow[keys.column] ?? undefined }),
  };
}
