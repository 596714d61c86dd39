import type { ColumnGroup, DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { T } from './tables.ts';

/** A segment key as stored: start and whether the start is inclusive. */
export interface StartKey {
  start: bigint;
  startInclusive: boolean;
}

export interface WindowScan {
  /** Pushed-down groups besides the window (Flow, object, coarse timerange bounds). */
  where: readonly (ColumnGroup | false)[];
  reverse: boolean;
  /** Where the scan begins (inclusive bound on seg_start) and the key already seen there. */
  from: bigint;
  after?: StartKey;
  /** No segment of the Flow starts beyond this (in the scan's direction): the scan stops there. */
  until: bigint;
  /** Rows wanted in all: sizes the windows. */
  want: number;
  /** Orders rows by key; `compare(a, cursor) <= 0` rows were seen already. */
  compare: (a: StartKey, b: StartKey) => number;
  keyOf: (row: Row) => StartKey;
  /** Takes the rows of one window, in order; returns false to stop. */
  take: (rows: Row[]) => boolean;
}

const ORDER_ASC = [
  { column: 'seg_start', direction: 'asc' },
  { column: 'seg_start_incl', direction: 'desc' },
] as const;
const ORDER_DESC = [
  { column: 'seg_start', direction: 'desc' },
  { column: 'seg_start_incl', direction: 'asc' },
] as const;

/** The first window: about a tenth of a second per row wanted, a guess the next windows correct. */
const FIRST_NS_PER_ROW = 100_000_000n;
const MIN_WINDOW = 1_000n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Reads a Flow's segments in time order (or reversed) through windows on seg_start: each select
 * asks for the rows whose start lies in `[lo, lo + width)` (mirrored when reversed), so an engine
 * that evaluates the predicate but not ORDER BY or LIMIT (VAST) reads about the rows wanted rather
 * than every segment of the Flow. Widths adapt to the density the previous window showed, grow
 * fourfold over empty stretches (a gap costs a few empty reads), and the scan stops at `until`,
 * the end of the Flow's envelope; one last select past it keeps the answer exact should the
 * envelope be behind. ORDER BY and LIMIT are still asked for: engines that push them down stop
 * early inside a dense window, and the keyset cursor goes on from the last row.
 */
export async function windowScan(db: DbSession, scan: WindowScan): Promise<void> {
  const { reverse, compare, keyOf } = scan;
  const direction = reverse ? -1n : 1n;
  const batch = Math.max(scan.want, 16);
  let lo = scan.from;
  let cursor = scan.after;
  let width = BigInt(batch) * FIRST_NS_PER_ROW;
  let wanted = scan.want;
  for (let beyond = false; ; ) {
    if (lo > INT64_MAX || lo < INT64_MIN) return;
    // The window's far edge (exclusive); past `until` the last select is unbounded.
    if (!beyond && direction * (lo - scan.until) > 0n) beyond = true;
    const far = lo + direction * width;
    // A window reaching past the int64 range is the last one: it has no far edge.
    if (far > INT64_MAX || far < INT64_MIN) beyond = true;
    const rows = await db.select(T.segments, {
      where: and(
        ...scan.where,
        reverse ? col('seg_start').le(lo) : col('seg_start').ge(lo),
        !beyond && (reverse ? col('seg_start').gt(far) : col('seg_start').lt(far)),
      ),
      orderBy: reverse ? ORDER_DESC : ORDER_ASC,
      limit: batch,
    });
    const seen = cursor;
    const fresh =
      seen === undefined ? rows : rows.filter((r) => direction * BigInt(compare(keyOf(r), seen)) > 0n);
    if (!scan.take(fresh)) return;
    wanted = Math.max(1, wanted - fresh.length);
    const last = rows.at(-1);
    if (last !== undefined && rows.length >= batch) {
      // The engine stopped at the limit inside the window: go on from the last key.
      cursor = keyOf(last);
      lo = cursor.start;
      continue;
    }
    if (beyond) return;
    lo = far;
    cursor = undefined;
    // Rows per nanosecond seen in this window sizes the next one.
    const next =
      fresh.length === 0 ? width * 4n : (width * BigInt(wanted) * 5n) / (4n * BigInt(fresh.length));
    width = next < MIN_WINDOW ? MIN_WINDOW : next > width * 4n ? width * 4n : next;
  }
}
