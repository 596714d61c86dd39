import { describe, expect, it } from 'vitest';
import { listingOrder, pageOf, type SortCursor } from './listing.order.ts';

const at = (iso: string | null, id: string): SortCursor => ({
  value: iso === null ? null : new Date(iso),
  id,
});
const named = (name: string | null, id: string): SortCursor => ({ value: name, id });
const ids = (items: SortCursor[]) => items.map((i) => i.id);
const all = (items: SortCursor[], kind: 'datetime' | 'string', reverse: boolean) =>
  ids(pageOf(items, (i) => i, listingOrder(kind, reverse), undefined, 100).items);

describe('the listing order of ADR 0052', () => {
  const dates = [
    at(null, 'n2'),
    at('2024-01-01T00:00:00Z', 'b'),
    at('2025-01-01T00:00:00Z', 'c'),
    at(null, 'n1'),
    at('2024-01-01T00:00:00Z', 'a'),
  ];

  it('lists date-times newest first, ties by id, unset ones last by id', () => {
    expect(all(dates, 'datetime', false)).toEqual(['c', 'a', 'b', 'n1', 'n2']);
  });

  it('reverses the whole list with reverse_order: unset ones first', () => {
    expect(all(dates, 'datetime', true)).toEqual(['n2', 'n1', 'b', 'a', 'c']);
  });

  it('lists strings A to Z by code point (the engines’ order), unset ones last', () => {
    const names = [
      named('b', '1'),
      named(null, '2'),
      named('B', '3'),
      named('', '4'),
      named('\u{1F600}', '5'),
    ];
    expect(all(names, 'string', false)).toEqual(['4', '3', '1', '5', '2']);
    expect(all(names, 'string', true)).toEqual(['2', '5', '1', '3', '4']);
  });

  it('pages after a cursor, with the next cursor while more follow', () => {
    const order = listingOrder('datetime', false);
    const first = pageOf(dates, (i) => i, order, undefined, 2);
    expect(ids(first.items)).toEqual(['c', 'a']);
    expect(first.next).toEqual(dates[4]);
    const second = pageOf(dates, (i) => i, order, first.next, 2);
    expect(ids(second.items)).toEqual(['b', 'n1']);
    const last = pageOf(dates, (i) => i, order, second.next, 2);
    expect(ids(last.items)).toEqual(['n2']);
    expect(last.next).toBeUndefined();
  });
});
