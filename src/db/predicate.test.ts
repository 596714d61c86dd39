import { describe, expect, it } from 'vitest';
import { compareStrings, sortRows } from './compare.ts';
import { DbError } from './db.errors.ts';
import type { Row } from './db.types.ts';
import { and, col, matchesPredicate, or, where } from './predicate.ts';

describe('predicate builder', () => {
  it('builds one-comparison groups', () => {
    expect(col('a').eq(1)).toEqual({ column: 'a', any: [{ op: 'eq', value: 1 }] });
    expect(col('a').isNull()).toEqual({ column: 'a', any: [{ op: 'isNull' }] });
    expect(col('a').in([1n, 2n])).toEqual({ column: 'a', any: [{ op: 'in', value: [1n, 2n] }] });
    expect(col('s').startsWith('x%')).toEqual({ column: 's', any: [{ op: 'startsWith', value: 'x%' }] });
  });

  it('copies in-lists so later mutation does not leak in', () => {
    const values = [1, 2];
    const g = col('a').in(values);
    values.push(3);
    expect(g.any[0]?.value).toEqual([1, 2]);
  });

  it('merges same-column groups with or() and refuses mixed columns', () => {
    expect(or(col('a').lt(1), col('a').gt(5), false && col('a').eq(3))).toEqual({
      column: 'a',
      any: [
        { op: 'lt', value: 1 },
        { op: 'gt', value: 5 },
      ],
    });
    expect(() => or(col('a').eq(1), col('b').eq(1))).toThrow(DbError);
    expect(() => or()).toThrow(DbError);
  });

  it('ands groups, skipping undefined/null/false and flattening predicates', () => {
    const cond = false;
    const p = and(
      col('a').eq(1),
      cond && col('b').eq(2),
      undefined,
      null,
      where(col('c').isNull(), col('a').lt(9)),
    );
    expect(p.all.map((g) => g.column)).toEqual(['a', 'c', 'a']);
    expect(where()).toEqual({ all: [] });
    expect(where).toBe(and);
  });
});

describe('matchesPredicate', () => {
  const row: Row = { n: 5, big: 5n, s: 'héllo', none: null, at: new Date(1000), flag: false };

  it('evaluates every operator', () => {
    const yes = [
      col('n').eq(5),
      col('n').eq(5n),
      col('big').eq(5),
      col('n').ne(4),
      col('n').lt(6),
      col('n').le(5),
      col('n').gt(4n),
      col('n').ge(5),
      col('n').in([1, 5]),
      col('none').isNull(),
      col('missing').isNull(),
      col('n').isNotNull(),
      col('s').startsWith('hé'),
      col('s').contains('ll'),
      col('at').eq(new Date(1000)),
      col('at').lt(new Date(1001)),
      col('flag').lt(true),
    ];
    for (const g of yes) expect(matchesPredicate(row, where(g)), JSON.stringify(g.any, replacer)).toBe(true);
    const no = [
      col('n').eq(6),
      col('n').ne(5),
      col('n').in([]),
      col('n').isNull(),
      col('s').startsWith('He'),
      col('s').contains('%'),
      col('n').eq('5'),
      col('n').startsWith('5'),
    ];
    for (const g of no) expect(matchesPredicate(row, where(g)), JSON.stringify(g.any, replacer)).toBe(false);
  });

  it('applies SQL NULL semantics: every comparison with a null column is false', () => {
    for (const g of [
      col('none').eq(1),
      col('none').ne(1),
      col('none').lt(1),
      col('none').ge(1),
      col('none').in([1]),
      col('none').startsWith(''),
      col('none').contains(''),
      col('none').isNotNull(),
    ]) {
      expect(matchesPredicate(row, where(g))).toBe(false);
    }
  });

  it('ORs within a group and ANDs across groups', () => {
    expect(matchesPredicate(row, where(or(col('n').eq(1), col('n').eq(5))))).toBe(true);
    expect(matchesPredicate(row, where(or(col('n').eq(1), col('n').eq(2))))).toBe(false);
    expect(matchesPredicate(row, where(col('n').gt(1), col('n').lt(3)))).toBe(false);
    expect(matchesPredicate(row, where(col('n').gt(1), col('n').lt(9)))).toBe(true);
    expect(matchesPredicate(row, where())).toBe(true);
    expect(matchesPredicate(row, undefined)).toBe(true);
    expect(matchesPredicate(row, { all: [{ column: 'n', any: [] }] })).toBe(false);
  });
});

describe('ordering helpers', () => {
  it('compares strings by code point, like UTF-8 bytes', () => {
    const words = ['b', '\u{1F3AC}', 'a', '\uFFFD', 'A', '', 'ab', 'é'];
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...words].sort(compareStrings)).toEqual(byBytes);
  });

  it('sorts rows with nulls last in both directions', () => {
    const rows: Row[] = [
      { a: 2, b: 'x' },
      { a: null, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: null },
      { b: 'w' },
    ];
    expect(sortRows([...rows], [{ column: 'a' }, { column: 'b', direction: 'desc' }])).toEqual([
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: null },
      { a: null, b: 'y' },
      { b: 'w' },
    ]);
    expect(sortRows([...rows], [{ column: 'a', direction: 'desc' }]).map((r) => r.a ?? null)).toEqual([
      2,
      2,
      1,
      null,
      null,
    ]);
  });
});

function replacer(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}
