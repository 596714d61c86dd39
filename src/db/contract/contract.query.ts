import type { Predicate, Row, TableDef } from '../db.types.ts';
import type { TableManager } from '../manager.ts';
import { and, col, matchesPredicate, or, where } from '../predicate.ts';
import { type ContractContext, ids, sortedIds, THING_ROWS, THINGS } from './contract.fixture.ts';
import { beforeEach, describe, expect, it } from './contract.harness.ts';

const T0 = Date.UTC(2024, 0, 1);

/** Predicates over THING_ROWS with the ids they must match, worked out by hand. */
const CASES: readonly [string, Predicate, number[]][] = [
  ['n eq', where(col('n').eq(2)), [2]],
  ['n ne (null excluded)', where(col('n').ne(2)), [1, 3, 4, 6, 7, 8, 9, 10]],
  ['n lt', where(col('n').lt(3)), [1, 2, 6, 7]],
  ['n le', where(col('n').le(3)), [1, 2, 3, 6, 7]],
  ['n gt', where(col('n').gt(3)), [4, 8, 9, 10]],
  ['n ge', where(col('n').ge(3)), [3, 4, 8, 9, 10]],
  ['n in', where(col('n').in([1, 9, 100])), [1, 9]],
  ['n in []', where(col('n').in([])), []],
  ['n isNull', where(col('n').isNull()), [5]],
  ['n isNotNull', where(col('n').isNotNull()), [1, 2, 3, 4, 6, 7, 8, 9, 10]],
  ['name eq empty', where(col('name').eq('')), [7]],
  ['name ne (null excluded)', where(col('name').ne('alpha')), [2, 3, 5, 6, 7, 8, 9, 10]],
  ['name lt (code point order)', where(col('name').lt('b')), [1, 5, 6, 7]],
  ['name gt (é after z)', where(col('name').gt('delta')), [3, 9, 10]],
  ['name startsWith (case-sensitive)', where(col('name').startsWith('alpha')), [1, 5]],
  ['name startsWith empty', where(col('name').startsWith('')), [1, 2, 3, 5, 6, 7, 8, 9, 10]],
  ['name contains', where(col('name').contains('ta')), [2, 8, 10]],
  ['name contains unicode', where(col('name').contains('psi')), [9]],
  ['x lt 0', where(col('x').lt(0)), [2, 7, 10]],
  ['x ge', where(col('x').ge(4.25)), [4, 6, 8, 9]],
  ['flag eq true', where(col('flag').eq(true)), [1, 3, 6, 9]],
  ['flag ne true', where(col('flag').ne(true)), [2, 5, 7, 10]],
  ['flag isNull', where(col('flag').isNull()), [4, 8]],
  ['at lt', where(col('at').lt(new Date(T0 + 2000))), [1, 2, 5]],
  ['at ge', where(col('at').ge(new Date(T0 + 5000))), [8, 9, 10]],
  ['at eq', where(col('at').eq(new Date(T0))), [1]],
  ['at in', where(col('at').in([new Date(T0 - 1000), new Date(T0 + 7000)])), [5, 10]],
  ['big beyond 2^53', where(col('big').gt(9007199254740992n)), [6]],
  ['big below -2^53', where(col('big').lt(-9007199254740992n)), [8]],
  ['big eq number', where(col('big').eq(50)), [5]],
  ['meta isNull', where(col('meta').isNull()), [4, 6, 8, 10]],
  ['meta isNotNull', where(col('meta').isNotNull()), [1, 2, 3, 5, 7, 9]],
  [
    'id in many',
    where(col('id').in(Array.from({ length: 1000 }, (_, i) => BigInt(i)))),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  ],
  [
    'id in >64 evens',
    where(col('id').in(Array.from({ length: 100 }, (_, i) => BigInt(i * 2)))),
    [2, 4, 6, 8, 10],
  ],
  ['or on one column', where(or(col('n').lt(2), col('n').gt(8))), [1, 6, 7, 9, 10]],
  ['or with isNull', where(or(col('name').isNull(), col('name').startsWith('a'))), [1, 4, 5]],
  ['two groups on one column', where(col('n').gt(1), col('n').lt(4)), [2, 3]],
  ['and of or groups', and(or(col('flag').eq(true), col('flag').isNull()), col('x').gt(0)), [1, 4, 6, 8, 9]],
  ['empty predicate', where(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
  ['skipped parts', and(col('n').eq(2), false, undefined), [2]],
  ['contradiction', where(col('n').eq(2), col('n').eq(3)), []],
];

const TEXTS: TableDef = {
  name: 'texts',
  columns: [
    { name: 'id', type: 'int32' },
    { name: 's', type: 'string' },
  ],
};
const INJECTION = "x'); DROP TABLE texts; --";
const SPECIAL = [
  INJECTION,
  'a%b',
  'a_b',
  'axb',
  "it's",
  'back\\slash',
  'per%cent_',
  '100%',
  "''",
  '\\',
  '%',
  '_',
  'AXB',
];

export function queryContract(ctx: ContractContext): void {
  it('prepared statements see data changed after they were prepared', async () => {
    // Engines that cache query plans must not let a plan made for old data (its value ranges,
    // its all-null columns) shape the answer for new data.
    const db = await ctx.open([THINGS]);
    await db.insert('things', [{ id: 1n, name: null, n: 1, flag: false, big: 1n }]);
    const sorted = () => db.select('things', { orderBy: [{ column: 'id' }] });
    const flagged = () => db.select('things', { where: where(col('flag').eq(true)) });
    const named = () => db.select('things', { where: where(col('name').isNotNull()) });
    expect(await sorted()).toHaveLength(1);
    expect(await flagged()).toEqual([]);
    expect(await named()).toEqual([]);
    await db.update('things', where(col('id').eq(1n)), {
      name: 'me0',
      n: 2_000_000_000,
      flag: true,
      big: 10n ** 15n,
    });
    await db.insert('things', [
      { id: 2n, name: 'a string longer than twelve bytes', n: -5, flag: true, big: -(10n ** 17n) },
    ]);
    const rows = await sorted();
    expect(rows.map((r) => [r.name, r.n, r.flag, r.big])).toEqual([
      ['me0', 2_000_000_000, true, 10n ** 15n],
      ['a string longer than twelve bytes', -5, true, -(10n ** 17n)],
    ]);
    expect(sortedIds(await flagged())).toEqual([1n, 2n]);
    expect(sortedIds(await named())).toEqual([1n, 2n]);
  });

  describe('select and count', () => {
    let db: TableManager;
    beforeEach(async () => {
      db = await ctx.open([THINGS, TEXTS]);
      await db.insert('things', THING_ROWS);
      await db.insert(
        'texts',
        SPECIAL.map((s, i) => ({ id: i, s })),
      );
    });

    it('reads rows back with the documented JS types; missing values are null', async () => {
      const rows = await db.select('things', { orderBy: [{ column: 'id' }] });
      expect(rows).toHaveLength(THING_ROWS.length);
      const full = (r: Row | undefined) => ({
        ...Object.fromEntries(THINGS.columns.map((c) => [c.name, null])),
        ...r,
      });
      expect(rows).toEqual(THING_ROWS.map(full));
      const first = rows[0] as Row;
      expect(typeof first.id).toBe('bigint');
      expect(typeof first.n).toBe('number');
      expect(first.at).toBeInstanceOf(Date);
      expect(first.meta).toEqual({ a: 1 });
      expect(Object.keys(rows[5] as Row)).toEqual(THINGS.columns.map((c) => c.name));
    });

    for (const [label, predicate, expected] of CASES) {
      it(`where: ${label}`, async () => {
        const rows = await db.select('things', { where: predicate });
        expect(sortedIds(rows)).toEqual(expected.map(BigInt));
        expect(await db.count('things', predicate)).toBe(expected.length);
        const inJs = THING_ROWS.filter((r) => matchesPredicate(r, predicate));
        expect(sortedIds(inJs)).toEqual(expected.map(BigInt));
      });
    }

    it('treats special characters in startsWith/contains literally', async () => {
      const match = async (p: Predicate) =>
        (await db.select('texts', { where: p, columns: ['s'] })).map((r) => r.s).sort();
      const sorted = (xs: string[]) => [...xs].sort();
      expect(await match(where(col('s').startsWith('a%')))).toEqual(['a%b']);
      expect(await match(where(col('s').startsWith('a_')))).toEqual(['a_b']);
      expect(await match(where(col('s').contains('%')))).toEqual(sorted(['a%b', 'per%cent_', '100%', '%']));
      expect(await match(where(col('s').contains('_')))).toEqual(sorted(['a_b', 'per%cent_', '_']));
      expect(await match(where(col('s').contains("'")))).toEqual(sorted(["it's", "''", INJECTION]));
      expect(await match(where(col('s').contains('\\')))).toEqual(sorted(['back\\slash', '\\']));
      expect(await match(where(col('s').startsWith("''")))).toEqual(["''"]);
      expect(await match(where(col('s').contains('%cent_')))).toEqual(['per%cent_']);
      expect(await match(where(col('s').contains('xb')))).toEqual(['axb']);
      expect(await match(where(col('s').eq("it's")))).toEqual(["it's"]);
      expect(await match(where(col('s').in(['%', '_', 'nope'])))).toEqual(sorted(['%', '_']));
      expect(await match(where(col('s').eq(INJECTION)))).toEqual([INJECTION]);
      expect(await match(where(col('s').startsWith("x');")))).toEqual([INJECTION]);
      expect(await db.count('texts')).toBe(SPECIAL.length);
    });

    it('projects the requested columns only', async () => {
      const rows = await db.select('things', { columns: ['name', 'id'], where: where(col('id').le(2n)) });
      expect(rows.sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
        { name: 'alpha', id: 1n },
        { name: 'beta', id: 2n },
      ]);
      const metaOnly = await db.select('things', { columns: ['meta'], where: where(col('id').eq(2n)) });
      expect(metaOnly).toEqual([{ meta: [1, 2] }]);
    });

    it('orders by one column asc/desc with nulls last', async () => {
      const asc = await db.select('things', { orderBy: [{ column: 'name' }] });
      expect(ids(asc)).toEqual([7n, 6n, 1n, 5n, 2n, 8n, 3n, 10n, 9n, 4n]);
      const desc = await db.select('things', { orderBy: [{ column: 'name', direction: 'desc' }] });
      expect(ids(desc)).toEqual([9n, 10n, 3n, 8n, 2n, 5n, 1n, 6n, 7n, 4n]);
      const byTime = await db.select('things', {
        orderBy: [{ column: 'at', direction: 'desc' }],
        columns: ['id'],
      });
      expect(ids(byTime)).toEqual([10n, 9n, 8n, 7n, 6n, 3n, 2n, 1n, 5n, 4n]);
      const byBig = await db.select('things', {
        orderBy: [{ column: 'big', direction: 'asc' }],
        columns: ['id'],
      });
      expect(ids(byBig)).toEqual([8n, 2n, 7n, 1n, 3n, 5n, 9n, 10n, 6n, 4n]);
    });

    it('orders by several columns', async () => {
      const rows = await db.select('things', {
        orderBy: [{ column: 'flag' }, { column: 'n', direction: 'desc' }],
        columns: ['id', 'flag', 'n'],
      });
      expect(ids(rows)).toEqual([10n, 2n, 7n, 5n, 9n, 3n, 1n, 6n, 8n, 4n]);
    });

    it('applies the limit after filtering and ordering', async () => {
      const top = await db.select('things', { orderBy: [{ column: 'id', direction: 'desc' }], limit: 3 });
      expect(ids(top)).toEqual([10n, 9n, 8n]);
      const filtered = await db.select('things', {
        where: where(col('flag').eq(false)),
        orderBy: [{ column: 'x' }],
        limit: 2,
      });
      expect(ids(filtered)).toEqual([2n, 7n]);
      expect(await db.select('things', { limit: 0 })).toEqual([]);
      expect(await db.select('things', { limit: 1000 })).toHaveLength(10);
      expect(await db.select('things', { limit: 4 })).toHaveLength(4);
      await expect(db.select('things', { limit: -1 })).rejects.toMatchObject({ code: 'invalid_value' });
      await expect(db.select('things', { columns: [] })).rejects.toMatchObject({ code: 'invalid_value' });
      await expect(db.select('things', { limit: 1.5 })).rejects.toMatchObject({ code: 'invalid_value' });
    });

    it('scans rows in batches, filtered, ordered and projected like select', async () => {
      const options = {
        where: where(col('n').isNotNull()),
        columns: ['id', 'meta'],
        orderBy: [{ column: 'id', direction: 'desc' as const }],
      };
      const batches: Row[][] = [];
      await db.scan('things', options, (rows) => {
        batches.push(rows);
      });
      expect(batches.length).toBeGreaterThan(0);
      expect(batches.flat()).toEqual(await db.select('things', options));
      let many = 0;
      await db.insert(
        'texts',
        Array.from({ length: 5000 }, (_, i) => ({ id: 1000 + i, s: `row ${i}` })),
      );
      const seen = new Set<unknown>();
      await db.scan('texts', { columns: ['id'] }, async (rows) => {
        many++;
        for (const r of rows) seen.add(r.id);
      });
      expect(seen.size).toBe(5000 + SPECIAL.length);
      expect(many).toBeGreaterThan(1);
      await expect(db.scan('things', { columns: ['nope'] }, () => {})).rejects.toMatchObject({
        code: 'unknown_column',
      });
    });

    it('counts rows', async () => {
      expect(await db.count('things')).toBe(10);
      expect(await db.count('things', where())).toBe(10);
      expect(await db.count('texts')).toBe(SPECIAL.length);
    });

    it('refuses predicates it cannot evaluate', async () => {
      const bad = { code: 'invalid_predicate' };
      await expect(db.select('things', { where: where(col('meta').eq('text')) })).rejects.toMatchObject(bad);
      await expect(db.select('things', { where: where(col('n').startsWith('1')) })).rejects.toMatchObject(
        bad,
      );
      await expect(db.select('things', { where: where(col('n').eq(null)) })).rejects.toMatchObject(bad);
      await expect(db.select('things', { where: where(col('n').in([1, null])) })).rejects.toMatchObject(bad);
      await expect(db.select('things', { orderBy: [{ column: 'meta' }] })).rejects.toMatchObject(bad);
      await expect(db.select('things', { where: where(col('n').eq('1')) })).rejects.toMatchObject({
        code: 'invalid_value',
      });
      await expect(db.select('things', { where: where(col('at').gt(T0)) })).rejects.toMatchObject({
        code: 'invalid_value',
      });
    });
  });
}
