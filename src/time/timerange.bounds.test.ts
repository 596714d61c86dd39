import { describe, expect, it } from 'vitest';
import {
  boundsEmpty,
  compareEnds,
  compareStarts,
  containsBounds,
  endsBefore,
  overlapsBounds,
} from './timerange.bounds.ts';
import { parseTimeRange as tr } from './timerange.parse.ts';

const S = 1_000_000_000n;

describe('boundsEmpty', () => {
  it.each<[bigint | null, bigint | null, boolean, boolean, boolean]>([
    [0n, 0n, false, false, true],
    [0n, 0n, true, false, true],
    [0n, 0n, false, true, true],
    [0n, 0n, true, true, false],
    [5n, 3n, true, true, true],
    [-1n, -2n, true, true, true],
    [0n, 1n, false, false, false],
    [-2n, -1n, false, false, false],
    [null, 0n, false, false, false],
    [0n, null, false, false, false],
    [null, null, false, false, false],
  ])('(%s, %s, %s, %s) -> %s', (start, end, si, ei, empty) => {
    expect(boundsEmpty(start, end, si, ei)).toBe(empty);
  });
});

describe('compareStarts / compareEnds', () => {
  it.each<[bigint | null, boolean, bigint | null, boolean, number, number]>([
    // a, aInclusive, b, bInclusive, start order, end order
    [null, false, null, true, 0, 0],
    [null, true, 0n, true, -1, 1],
    [0n, true, null, false, 1, -1],
    [0n, true, 1n, true, -1, -1],
    [1n, false, 0n, true, 1, 1],
    [0n, true, 0n, true, 0, 0],
    [0n, false, 0n, false, 0, 0],
    [0n, true, 0n, false, -1, 1],
    [0n, false, 0n, true, 1, -1],
    [-5n, false, -4n, true, -1, -1],
  ])('%s%s vs %s%s: starts %i, ends %i', (a, ai, b, bi, startOrder, endOrder) => {
    expect(compareStarts(a, ai, b, bi)).toBe(startOrder);
    expect(compareEnds(a, ai, b, bi)).toBe(endOrder);
  });
});

describe('endsBefore', () => {
  it.each<[bigint | null, boolean, bigint | null, boolean, boolean]>([
    [1n, true, 2n, true, true],
    [2n, true, 2n, true, false],
    [2n, false, 2n, true, true],
    [2n, true, 2n, false, true],
    [2n, false, 2n, false, true],
    [3n, false, 2n, false, false],
    [null, true, 2n, true, false],
    [2n, true, null, true, false],
    [null, false, null, false, false],
  ])('end %s (%s) before start %s (%s) is %s', (end, ei, start, si, expected) => {
    expect(endsBefore(end, ei, start, si)).toBe(expected);
  });
});

describe('stored-row helpers against a query range', () => {
  // Rows as the store would hold them: (start, end, startInclusive, endInclusive).
  type Row = [bigint | null, bigint | null, boolean, boolean];
  const seg = (a: number, b: number): Row => [BigInt(a) * S, BigInt(b) * S, true, false];

  it.each<[string, Row, boolean, boolean]>([
    // query, row, overlaps, contained
    ['[10:0_20:0)', seg(0, 10), false, false],
    ['[10:0_20:0)', seg(10, 20), true, true],
    ['[10:0_20:0)', seg(15, 25), true, false],
    ['[10:0_20:0)', seg(20, 30), false, false],
    ['[10:0_20:0]', seg(20, 30), true, false],
    ['(10:0_20:0)', seg(5, 10), false, false],
    ['[10:0_20:0)', [10n * S, 10n * S, true, true], true, true],
    ['[10:0_20:0)', [20n * S, 20n * S, true, true], false, false],
    ['_', seg(-5, 5), true, true],
    ['()', seg(-5, 5), false, false],
    // An empty row overlaps nothing and is covered by anything.
    ['[10:0_20:0)', [5n, 3n, true, true], false, true],
    ['()', [0n, 0n, false, false], false, true],
    // Flags next to a null bound are ignored whatever the row holds.
    ['[10:0_20:0)', [null, 10n * S, true, false], false, false],
    ['[10:0_20:0)', [null, 10n * S, false, true], true, false],
    ['_', [null, null, true, true], true, true],
    ['_', [null, null, false, false], true, true],
    ['[0:0_', [5n, null, true, true], true, true],
    ['[0:0_', [5n, null, true, false], true, true],
    ['_10:0]', [10n * S, null, true, true], true, false],
    ['_10:0]', [10n * S, null, false, false], false, false],
  ])('query %s, row %s: overlaps %s, contained %s', (query, row, overlaps, contained) => {
    const q = tr(query);
    expect(overlapsBounds(q, ...row)).toBe(overlaps);
    expect(containsBounds(q, ...row)).toBe(contained);
  });
});
