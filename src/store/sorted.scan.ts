import type { ColumnGroup, DbSession, OrderBy, Row, Value } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import type { ListingOrder, SortCursor, SortValue } from './listing.order.ts';
import { reqStr } from './rows.ts';

/** Rows asked of the engine per select, at least (a page and one more, when larger). */
const MIN_BATCH = 100;

/**
 * A part of the listing read by one select: the rows without a value, those holding one given
 * value (ties, ordered by id), or those with a value, ordered by it.
 */
type Part =
  | { kind: 'unset'; afterId?: string }
  | { kind: 'tie'; value: Date | string; afterId: string }
  | { kind: 'valued'; afterValue?: Date | string };

export interface SortedScan {
  /** The table's sort column (nullable: its unset values are listed by id, apart). */
  column: string;
  /** The table's id column (unique): ties and unset values are ordered by it. Default `id`. */
  idColumn?: string;
  order: ListingOrder;
  /** Filters every part shares (what the listing selects). */
  where: readonly (ColumnGroup | false | undefined)[];
  /** Filters the engine cannot express, applied to each row read; the scan reads on to fill the page. */
  accept?: (row: Row) => boolean;
  /** Rows per select (default: a page and one more, at least MIN_BATCH). */
  batch?: number;
}

/**
 * Keyset paging in a listing order (listing.order.ts) over any engine: a page of the rows after
 * `after` and the cursor of its last row when more follow.
 *
 * The cursor is a (sort value, id) pair, and "after it" is an OR across two columns, which the
 * predicates cannot express (one column per OR group); and engines order nulls differently. So
 * the rows are read in parts, each one select whose predicate and ORDER BY involve one order:
 * the rest of the cursor's tie (value = v, id beyond), the values beyond v (value, then id), and
 * the unset values (id), before or after the others as the order says. A part that fills its
 * batch goes on from its last row. Each part leaves out nulls by its predicate, so no engine's
 * NULLS ordering is relied on.
 *
 * An engine that cannot push ORDER BY and LIMIT down (VAST) reads every row a part's predicate
 * matches: fine for the small listings this serves (deletion requests); a listing of a large
 * table on such an engine wants a window on the sort column, as scan.ts keeps on ids.
 */
export async function sortedPage(
  db: DbSession,
  table: string,
  scan: SortedScan,
  after: SortCursor | undefined,
  limit: number,
): Promise<{ rows: Row[]; next?: SortCursor }> {
  const { column, order } = scan;
  const idColumn = scan.idColumn ?? 'id';
  const batch = scan.batch ?? Math.max(MIN_BATCH, limit + 1);
  const beyond = (direction: 'asc' | 'desc', value: Value) =>
    direction === 'asc' ? col(idColumn).gt(value) : col(idColumn).lt(value);
  const valueBeyond = (value: Value) =>
    order.values === 'asc' ? col(column).gt(value) : col(column).lt(value);
  const byId: OrderBy[] = [{ column: idColumn, direction: order.ids }];

  const parts = firstParts(order, after);
  const found: Row[] = [];
  for (let part = parts.shift(); part !== undefined && found.length <= limit; part = parts.shift()) {
    let where: (ColumnGroup | undefined)[];
    let orderBy: OrderBy[];
    if (part.kind === 'unset') {
      where = [
        col(column).isNull(),
        part.afterId === undefined ? undefined : beyond(order.ids, part.afterId),
      ];
      orderBy = byId;
    } else if (part.kind === 'tie') {
      where = [col(column).eq(part.value), beyond(order.ids, part.afterId)];
      orderBy = byId;
    } else {
      where = [part.afterValue === undefined ? col(column).isNotNull() : valueBeyond(part.afterValue)];
      orderBy = [{ column, direction: order.values }, ...byId];
    }
    const rows = await db.select(table, { where: and(...scan.where, ...where), orderBy, limit: batch });
    for (const row of rows) {
      if (scan.accept && !scan.accept(row)) continue;
      found.push(row);
      if (found.length > limit) break;
    }
    const last = rows.at(-1);
    if (found.length > limit || last === undefined || rows.length < batch) continue;
    // The batch was full: this part goes on from its last row, before the parts after it.
    const id = reqStr(last, idColumn);
    if (part.kind !== 'valued') parts.unshift({ ...part, afterId: id });
    else {
      const value = sortValue(last, column) as Date | string;
      parts.unshift({ kind: 'tie', value, afterId: id }, { kind: 'valued', afterValue: value });
    }
  }
  const rows = found.slice(0, limit);
  const last = rows.at(-1);
  if (found.length <= limit || last === undefined) return { rows };
  return { rows, next: { value: sortValue(last, column), id: reqStr(last, idColumn) } };
}

/** The parts a page starts with, in the listing's order, given where the last page ended. */
function firstParts(order: ListingOrder, after: SortCursor | undefined): Part[] {
  if (after === undefined) {
    return order.unsetFirst
      ? [{ kind: 'unset' }, { kind: 'valued' }]
      : [{ kind: 'valued' }, { kind: 'unset' }];
  }
  if (after.value === null) {
    const rest: Part = { kind: 'unset', afterId: after.id };
    return order.unsetFirst ? [rest, { kind: 'valued' }] : [rest];
  }
  const value = after.value;
  const valued: Part[] = [
    { kind: 'tie', value, afterId: after.id },
    { kind: 'valued', afterValue: value },
  ];
  return order.unsetFirst ? valued : [...valued, { kind: 'unset' }];
}

function sortValue(row: Row, column: string): SortValue {
  const value = row[column];
  return value instanceof Date || typeof value === 'string' ? value : null;
}
