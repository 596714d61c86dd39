import type { ColumnGroup, DbSession, Predicate, Row } from '../db/db.types.ts';
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
  /**
   * The engine sorts and stops at the limit itself (DuckDB): windows are asked for in order with
   * a limit, and a dense one is read up to the limit. Otherwise (VAST) a window is asked for
   * unordered with a ceiling, which such an engine stops reading at (see `windowScan`).
   */
  ordered: boolean;
  /** Where the scan begins (inclusive bound on seg_start) and the key already seen there. */
  from: bigint;
  after?: StartKey;
  /** No segment of the Flow starts beyond this (in the scan's direction): the scan stops there. */
  until: bigint;
  /**
   * `where` itself bounds seg_start at `until` (a forward scan to a range's end, short of the
   * Flow's): on an engine that sorts, the window that reaches it is the last select.
   */
  closed?: boolean;
  /** Rows wanted in all: sizes the windows. */
  want: number;
  /** Orders rows by key; `compare(a, cursor) <= 0` rows were seen already. */
  compare: (a: StartKey, b: StartKey) => number;
  keyOf: (row: Row) => StartKey;
  /** Takes the rows of one window, in order; returns false to stop. */
  take: (rows: Row[]) => boolean;
  /**
   * The first window, already read (unordered engines): every row of `where` starting before
   * `far` from the scan's start (none missing before `from`), or every row when `far` is
   * undefined, read with a limit of `firstWindowCeiling(want)`. `from`: where the window began,
   * when it was read from before the page's range (`readAhead`).
   */
  first?: { far: bigint | undefined; rows: Row[]; from?: bigint };
  /**
   * Nanoseconds between segment starts, as last seen (this Flow's, else any Flow's): sizes the
   * first window on an engine that sorts (a wrong guess costs a window more or a wider one).
   */
  spacing?: bigint;
}

/** The rows a window is selected with at most on an unordered engine: twice the rows wanted. */
export function firstWindowCeiling(want: number): number {
  return 2 * Math.max(want, 16);
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

/** The rows of `where` whose start lies from `from` (inclusive) to `far` (exclusive), mirrored when reversed. */
function windowWhere(
  where: readonly (ColumnGroup | false)[],
  reverse: boolean,
  from: bigint,
  far: bigint | undefined,
): Predicate {
  return and(
    ...where,
    reverse ? col('seg_start').le(from) : col('seg_start').ge(from),
    far !== undefined && (reverse ? col('seg_start').gt(far) : col('seg_start').lt(far)),
  );
}

/** Where a page's first window can be placed before the Flow's row is read. */
export interface ReadAhead {
  where: readonly (ColumnGroup | false)[];
  reverse: boolean;
  /** The page's cursor (where the last page ended). */
  after?: StartKey;
  /** The range's bounds (null: unbounded). */
  start: bigint | null;
  end: bigint | null;
  want: number;
  /** Nanoseconds between segment starts, as last seen in this Flow; a guess without. */
  spacing: bigint | undefined;
}

/**
 * The first window of a page on an unordered engine, read beside the Flow's row rather than
 * after it (one round trip instead of two): placed by the page's cursor or by its range alone,
 * sized by the spacing last seen. Forward from the range's start it begins two spacings before
 * it, where the segment holding the start begins when segments follow each other as they did:
 * bounded on both sides, so that the engine reads about the window wherever it lies in the Flow
 * (`seg_start < far` alone is read from the Flow's start). The caller checks that it holds that
 * segment (`holdsStart`). Undefined when neither places it (an unbounded page starts at the
 * Flow's first segment, known from its row).
 */
export function readAhead(db: DbSession, page: ReadAhead): Promise<WindowScan['first']> | undefined {
  const { reverse } = page;
  const direction = reverse ? -1n : 1n;
  const anchor = page.after?.start ?? (reverse ? page.end : page.start);
  if (anchor === null || anchor > INT64_MAX || anchor < INT64_MIN) return undefined;
  const rows = BigInt(Math.max(page.want, 16));
  const width = ((page.spacing ?? FIRST_NS_PER_ROW) * rows * 5n) / 4n;
  let far: bigint | undefined = anchor + direction * (width < MIN_WINDOW ? MIN_WINDOW : width);
  // Reaching the range's far end or int64's, the window is the last: open-ended.
  const limit = reverse ? page.start : page.end;
  if (far > INT64_MAX || far < INT64_MIN || (limit !== null && direction * (far - limit) > 0n))
    far = undefined;
  const back = 2n * (page.spacing ?? FIRST_NS_PER_ROW);
  const from =
    page.after !== undefined || reverse ? anchor : anchor - back < INT64_MIN ? INT64_MIN : anchor - back;
  return db
    .select(T.segments, {
      where: windowWhere(page.where, reverse, from, far),
      limit: firstWindowCeiling(page.want),
    })
    .then((found) => ({ far, rows: found, from }));
}

/**
 * Whether a first window read from before `start` (`readAhead`, rows reaching `start` or later)
 * holds every segment reaching `start` from before it: it does when it holds one that starts
 * before `start` (segments never overlap: any earlier one ends before that one starts), or one
 * whose inclusive start is `start` itself. Otherwise such a segment may begin before the window.
 */
export function holdsStart(rows: readonly Row[], start: bigint): boolean {
  return rows.some((r) => {
    const at = r.seg_start as bigint;
    return at < start || (at === start && r.seg_start_incl === true);
  });
}

/**
 * Reads a Flow's segments in time order (or reversed) through windows on seg_start: each select
 * asks for the rows whose start lies in `[lo, lo + width)` (mirrored when reversed), so an engine
 * that evaluates the predicate but not ORDER BY or LIMIT (VAST) reads about the rows wanted rather
 * than every segment of the Flow. Widths adapt to the density the previous window showed; the
 * scan stops at `until`, the end of the Flow's envelope, and one last open-ended select past it
 * keeps the answer exact should the envelope be behind.
 *
 * On such an engine a window is selected without ORDER BY and with a ceiling of rows: without an
 * order the engine stops reading at the limit, so a window denser than guessed costs the ceiling,
 * not its rows. A window that comes back full (it may hold more) or empty (a gap) is a miss: the
 * next window is then found by counts (no rows read), grown and bisected until it holds between
 * the rows wanted and the ceiling, then selected. The common case stays one select per window.
 */
export async function windowScan(db: DbSession, scan: WindowScan): Promise<void> {
  if (scan.ordered) return orderedScan(db, scan);
  const { reverse, compare, keyOf } = scan;
  const direction = reverse ? -1n : 1n;
  const batch = Math.max(scan.want, 16);
  // Rows one select may read; a window the counts found holds fewer.
  const ceiling = firstWindowCeiling(scan.want);
  let lo = scan.from;
  let cursor = scan.after;
  let width = BigInt(batch) * FIRST_NS_PER_ROW;
  let wanted = scan.want;
  // The envelope's end, or no end once rows turned up past it (a stale envelope).
  let until: bigint | undefined = scan.until;
  const window = (from: bigint, far: bigint | undefined) => windowWhere(scan.where, reverse, from, far);
  /** The far edge of a window of `w` from `from`; undefined (open-ended) past the envelope or int64. */
  const edge = (from: bigint, w: bigint): bigint | undefined => {
    const far = from + direction * w;
    if (far > INT64_MAX || far < INT64_MIN) return undefined;
    if (until !== undefined && direction * (far - until) > 0n) return undefined;
    return far;
  };
  const count = (from: bigint, far: bigint | undefined) => db.count(T.segments, window(from, far));
  /**
   * A window from `lo` holding between `wanted` and the ceiling rows (fewer when it reaches the
   * end), found by counts: grows fourfold from width `w` while it holds too few, then bisects
   * between the last width too small and the first too large. `full`, a width known to hold the
   * ceiling or more (a window that came back full), skips the growth. `whole`: rows sharing one
   * start that no window splits, to be read whole.
   */
  const fitWindow = async (
    w: bigint,
    full?: bigint,
  ): Promise<{ far: bigint | undefined; whole: boolean }> => {
    let small = 0n;
    let large: bigint;
    if (full !== undefined) large = full;
    else
      for (;;) {
        const far = edge(lo, w);
        const n = await count(lo, far);
        if (n < ceiling) {
          if (n >= wanted || far === undefined) return { far, whole: false };
          small = w;
          w *= 4n;
        } else if (far === undefined && until !== undefined) {
          // Open-ended past the envelope and full: full before its end, or the envelope is stale
          // (rows lie beyond it) and the windows go on without it.
          const end = direction * (until - lo) + 1n;
          const endFar = lo + direction * end;
          const inRange = endFar <= INT64_MAX && endFar >= INT64_MIN;
          if (end > small && (!inRange || (await count(lo, endFar)) >= ceiling)) {
            large = end;
            break;
          }
          until = undefined;
        } else {
          large = w;
          break;
        }
      }
    while (large - small > 1n) {
      const mid = small + (large - small) / 2n;
      const far = edge(lo, mid);
      const n = await count(lo, far);
      if (n >= ceiling) large = mid;
      else if (n >= wanted || far === undefined) return { far, whole: false };
      else small = mid;
    }
    return { far: edge(lo, large), whole: true };
  };
  // A first window read ahead that ends before the scan's start holds nothing for it.
  const ahead =
    scan.first && (scan.first.far === undefined || direction * (scan.first.far - lo) > 0n)
      ? scan.first
      : undefined;
  let far = ahead ? ahead.far : edge(lo, width);
  let whole = false;
  let first = ahead?.rows;
  for (;;) {
    const rows =
      first ??
      (await db.select(T.segments, {
        where: window(lo, far),
        ...(whole ? {} : { limit: ceiling }),
      }));
    first = undefined;
    if (!whole && rows.length >= ceiling) {
      // Full: the window may hold any number more. Counts find one that holds a page.
      ({ far, whole } =
        far === undefined ? await fitWindow(width) : await fitWindow(width, direction * (far - lo)));
      continue;
    }
    rows.sort((a, b) => (reverse ? compare(keyOf(b), keyOf(a)) : compare(keyOf(a), keyOf(b))));
    const seen = cursor;
    const fresh =
      seen === undefined ? rows : rows.filter((r) => direction * BigInt(compare(keyOf(r), seen)) > 0n);
    if (!scan.take(fresh)) return;
    if (far === undefined) return;
    wanted = Math.max(1, wanted - fresh.length);
    width = direction * (far - lo);
    whole = false;
    lo = far;
    cursor = undefined;
    if (fresh.length === 0) {
      // A gap: find where the rows go on by counts rather than by empty selects.
      ({ far, whole } = await fitWindow(width * 4n));
      continue;
    }
    // Rows per nanosecond seen in this window sizes the next one.
    const next = (width * BigInt(wanted) * 5n) / (4n * BigInt(fresh.length));
    width = next < MIN_WINDOW ? MIN_WINDOW : next > width * 4n ? width * 4n : next;
    far = edge(lo, width);
    whole = false;
  }
}

/**
 * The windows on an engine that sorts and stops at the limit (DuckDB): each window is asked for
 * in order with a limit, a dense one is read up to the limit and the keyset cursor goes on from
 * its last row; empty windows grow fourfold (an empty select costs what a count does there).
 */
async function orderedScan(db: DbSession, scan: WindowScan): Promise<void> {
  const { reverse, compare, keyOf } = scan;
  const direction = reverse ? -1n : 1n;
  const batch = Math.max(scan.want, 16);
  let lo = scan.from;
  let cursor = scan.after;
  // A Flow's first page from the database (its index not loaded) is then mostly one select.
  const guess = scan.spacing === undefined ? undefined : (scan.spacing * BigInt(batch) * 5n) / 4n;
  let width =
    guess === undefined ? BigInt(batch) * FIRST_NS_PER_ROW : guess < MIN_WINDOW ? MIN_WINDOW : guess;
  let wanted = scan.want;
  for (let beyond = false; ; ) {
    if (lo > INT64_MAX || lo < INT64_MIN) return;
    // The window's far edge (exclusive); past `until` the last select is unbounded.
    if (!beyond && direction * (lo - scan.until) > 0n) beyond = true;
    const far = lo + direction * width;
    // A window reaching past the int64 range is the last one: it has no far edge.
    if (far > INT64_MAX || far < INT64_MIN) beyond = true;
    // Past where `where` stops the scan anyway, no select follows this one.
    if (scan.closed && direction * (far - scan.until) > 0n) beyond = true;
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
