import { compareStrings, compareValues } from '../db/compare.ts';

/**
 * The order of TAMS 8.2's sorted listings (ADR 0052), as one rule for every listing and every
 * engine: date-times newest first, strings A→Z; items whose sort value is unset come after the
 * others, ordered by `id`; ties are ordered by `id`; `reverse_order` reverses the whole list
 * (unset values first then, ids descending). sorted.scan.ts reads a table in this order, and
 * `pageOf` pages a list held in memory (storage backends) in the same order, so a listing's
 * order and page keys do not depend on where its items are kept.
 */

/** What a sort key holds: the rule's natural direction follows from it. */
export type SortKind = 'datetime' | 'string';

/** A sort value: a date-time (a timestamp column), a string, or unset. */
export type SortValue = Date | string | null;

export interface ListingOrder {
  /** How items with a value are ordered by it. */
  readonly values: 'asc' | 'desc';
  /** How ties, and the items without a value, are ordered by id. */
  readonly ids: 'asc' | 'desc';
  /** Whether the items without a value come before the others. */
  readonly unsetFirst: boolean;
}

/** Where a page ended: the last item's sort value and id (a page key carries both). */
export interface SortCursor {
  readonly value: SortValue;
  readonly id: string;
}

export function listingOrder(kind: SortKind, reverse: boolean): ListingOrder {
  const natural = kind === 'datetime' ? 'desc' : 'asc';
  if (!reverse) return { values: natural, ids: 'asc', unsetFirst: false };
  return { values: natural === 'asc' ? 'desc' : 'asc', ids: 'desc', unsetFirst: true };
}

const flip = (c: number, direction: 'asc' | 'desc') => (direction === 'asc' ? c : -c);

/** Negative when `a` is listed before `b` under `order` (ids compared as the engines do). */
export function compareListed(order: ListingOrder, a: SortCursor, b: SortCursor): number {
  if (a.value === null || b.value === null) {
    if (a.value !== b.value) return (a.value === null) === order.unsetFirst ? -1 : 1;
  } else {
    const c = compareValues(a.value, b.value) ?? 0;
    if (c !== 0) return flip(c, order.values);
  }
  return flip(compareStrings(a.id, b.id), order.ids);
}

/**
 * One page of `items` in `order`: those after `after` (all when undefined), at most `limit`, and
 * the cursor of the page's last item when more follow.
 */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => SortCursor,
  order: ListingOrder,
  after: SortCursor | undefined,
  limit: number,
): { items: T[]; next?: SortCursor } {
  const sorted = items
    .map((item) => ({ item, key: keyOf(item) }))
    .filter(({ key }) => after === undefined || compareListed(order, key, after) > 0)
    .sort((a, b) => compareListed(order, a.key, b.key));
  const page = sorted.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(({ item }) => item),
    ...(sorted.length > limit && last && { next: last.key }),
  };
}
