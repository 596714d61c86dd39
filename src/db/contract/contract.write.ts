import type { JsonValue, Row, TableDef } from '../db.types.ts';
import type { TableManager } from '../manager.ts';
import { col, or, where } from '../predicate.ts';
import { type ContractContext, sortedIds, THING_ROWS, THINGS } from './contract.fixture.ts';
import { beforeEach, describe, expect, it } from './contract.harness.ts';

const WIDE: TableDef = {
  name: 'wide',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'flow', type: 'string' },
    { name: 'start_ns', type: 'int64' },
    { name: 'end_ns', type: 'int64' },
    { name: 'incl_start', type: 'boolean' },
    { name: 'seq', type: 'int32' },
    { name: 'ratio', type: 'float64' },
    { name: 'created', type: 'timestamp' },
    { name: 'obj', type: 'string' },
    { name: 'extra', type: 'json' },
  ],
};

function wideRow(i: number): Row {
  return {
    id: BigInt(i),
    flow: `flow-${i % 7}`,
    start_ns: BigInt(i) * 1_000_000_000n,
    end_ns: BigInt(i + 1) * 1_000_000_000n,
    incl_start: i % 2 === 0,
    seq: i,
    ratio: i / 3,
    created: new Date(Date.UTC(2024, 0, 1) + i),
    obj: `obj-${i}`,
    extra: i % 100 === 0 ? { i } : null,
  };
}

/**
 * Inserts as autocommit calls and inside a transaction: engines may take different paths for the
 * two (DuckDB: statements and the appender outside, JSON parameters and the appender inside).
 */
const VIAS = ['autocommit', 'a transaction'] as const;

function inserter(db: TableManager, via: (typeof VIAS)[number]) {
  return (table: string, rows: readonly Row[]) =>
    via === 'autocommit' ? db.insert(table, rows) : db.transaction((tx) => tx.insert(table, rows));
}

export function writeContract(ctx: ContractContext): void {
  describe('insert, update, delete', () => {
    let db: TableManager;
    beforeEach(async () => {
      db = await ctx.open([THINGS, WIDE]);
    });

    it('inserts 100k rows in one call', async () => {
      const rows = Array.from({ length: 100_000 }, (_, i) => wideRow(i));
      await db.insert('wide', rows);
      expect(await db.count('wide')).toBe(100_000);
      expect(await db.count('wide', where(col('flow').eq('flow-3')))).toBe(
        rows.filter((r) => r.flow === 'flow-3').length,
      );
      const sample = await db.select('wide', {
        where: where(col('id').in([0n, 4_321n, 99_999n])),
        orderBy: [{ column: 'id' }],
      });
      expect(sample).toEqual([wideRow(0), wideRow(4_321), wideRow(99_999)]);
      const last = await db.select('wide', {
        orderBy: [{ column: 'start_ns', direction: 'desc' }],
        limit: 1,
        columns: ['id'],
      });
      expect(last).toEqual([{ id: 99_999n }]);
    });

    it('updates the matching rows and returns how many changed', async () => {
      await db.insert('things', THING_ROWS);
      expect(await db.update('things', where(col('flag').eq(true)), { name: 'on', meta: { on: true } })).toBe(
        4,
      );
      expect(await db.update('things', where(col('id').eq(404n)), { name: 'none' })).toBe(0);
      expect(
        await db.update('things', where(or(col('n').isNull(), col('n').lt(0))), { n: 100, at: null }),
      ).toBe(2);
      const on = await db.select('things', { where: where(col('name').eq('on')), columns: ['id', 'meta'] });
      expect(sortedIds(on)).toEqual([1n, 3n, 6n, 9n]);
      expect(on.every((r) => (r.meta as { on: boolean }).on === true)).toBe(true);
      const hundred = await db.select('things', { where: where(col('n').eq(100)), columns: ['id', 'at'] });
      expect(sortedIds(hundred)).toEqual([5n, 6n]);
      expect(hundred.every((r) => r.at === null)).toBe(true);
      // Untouched rows keep their values.
      expect(await db.select('things', { where: where(col('id').eq(2n)), columns: ['name', 'n'] })).toEqual([
        { name: 'beta', n: 2 },
      ]);
      // No changes: nothing is written, the count of matching rows comes back.
      expect(await db.update('things', where(col('id').le(3n)), {})).toBe(3);
      expect(await db.update('things', where(), { x: 1 })).toBe(10);
      expect(await db.count('things', where(col('x').eq(1)))).toBe(10);
    });

    it('updates many rows at once', async () => {
      const rows = Array.from({ length: 5000 }, (_, i) => wideRow(i));
      await db.insert('wide', rows);
      const expected = rows.filter((r) => r.flow === 'flow-1').length;
      expect(await db.update('wide', where(col('flow').eq('flow-1')), { obj: 'moved' })).toBe(expected);
      expect(await db.count('wide', where(col('obj').eq('moved')))).toBe(expected);
    });

    it('updates each keyed row with its own values', async () => {
      await db.insert(
        'wide',
        Array.from({ length: 300 }, (_, i) => wideRow(i)),
      );
      const changes: Row[] = Array.from({ length: 120 }, (_, i) => ({
        obj: `obj-${i * 2}`,
        seq: -(i + 1),
        extra: { i },
        created: new Date(Date.UTC(2030, 0, 1) + i),
      }));
      changes.push({ obj: 'no-such-row', seq: 1, extra: null, created: new Date(0) });
      expect(await db.updateEach('wide', 'obj', changes)).toBe(120);
      const rows = await db.select('wide', {
        where: where(col('seq').lt(0)),
        columns: ['obj', 'seq', 'extra', 'created', 'flow'],
        orderBy: [{ column: 'id' }],
      });
      expect(rows).toHaveLength(120);
      for (const [i, row] of rows.entries()) {
        expect(row).toEqual({
          obj: `obj-${i * 2}`,
          seq: -(i + 1),
          extra: { i },
          created: new Date(Date.UTC(2030, 0, 1) + i),
          // Columns not named keep their values.
          flow: `flow-${(i * 2) % 7}`,
        });
      }
      expect(await db.count('wide', where(col('seq').ge(0)))).toBe(180);
      expect(await db.updateEach('wide', 'obj', [])).toBe(0);
    });

    it('refuses updateEach rows that differ in shape or repeat a key', async () => {
      await db.insert('wide', [wideRow(0), wideRow(1)]);
      await expect(
        db.updateEach('wide', 'obj', [
          { obj: 'obj-0', seq: 5 },
          { obj: 'obj-1', ratio: 1 },
        ]),
      ).rejects.toMatchObject({ code: 'invalid_value' });
      await expect(
        db.updateEach('wide', 'obj', [
          { obj: 'obj-0', seq: 5 },
          { obj: 'obj-0', seq: 6 },
        ]),
      ).rejects.toMatchObject({ code: 'invalid_value' });
      await expect(db.updateEach('wide', 'obj', [{ obj: 'obj-0', nope: 1 }])).rejects.toMatchObject({
        code: 'unknown_column',
      });
      expect(await db.count('wide', where(col('seq').eq(5)))).toBe(0);
    });

    it('deletes the matching rows and returns how many went', async () => {
      await db.insert('things', THING_ROWS);
      expect(await db.delete('things', where(col('name').startsWith('alpha')))).toBe(2);
      expect(await db.delete('things', where(col('name').startsWith('alpha')))).toBe(0);
      expect(await db.delete('things', where(col('id').in([])))).toBe(0);
      expect(sortedIds(await db.select('things', { columns: ['id'] }))).toEqual([
        2n,
        3n,
        4n,
        6n,
        7n,
        8n,
        9n,
        10n,
      ]);
      expect(await db.delete('things', where())).toBe(8);
      expect(await db.count('things')).toBe(0);
      await db.insert('things', [{ id: 1n, name: 'back' }]);
      expect(await db.select('things', { columns: ['id', 'name'] })).toEqual([{ id: 1n, name: 'back' }]);
    });

    it('deletes many rows at once', async () => {
      await db.insert(
        'wide',
        Array.from({ length: 5000 }, (_, i) => wideRow(i)),
      );
      expect(await db.delete('wide', where(col('seq').ge(1000)))).toBe(4000);
      expect(await db.count('wide')).toBe(1000);
    });

    it('refuses values of the wrong type, before writing anything', async () => {
      const bad = { code: 'invalid_value' };
      const cases: Row[] = [
        { id: 'x' },
        { id: 1.5 },
        { id: 2 ** 60 },
        { id: 2n ** 63n },
        { id: -(2n ** 63n) - 1n },
        { id: 1n, name: 5 },
        { id: 1n, n: 2 ** 31 },
        { id: 1n, n: 1.5 },
        { id: 1n, n: '1' },
        { id: 1n, x: '1.5' },
        { id: 1n, flag: 1 },
        { id: 1n, at: '2024-01-01T00:00:00Z' },
        { id: 1n, at: new Date(Number.NaN) },
        { id: 1n, meta: 1n as unknown as Row[string] },
        { id: null },
        {},
      ];
      for (const row of cases)
        await expect(db.insert('things', [{ id: 1n }, row])).rejects.toMatchObject(bad);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(db.insert('things', [{ id: 1n, meta: cyclic as Row[string] }])).rejects.toMatchObject(bad);
      await expect(db.update('things', where(), { id: null })).rejects.toMatchObject(bad);
      await expect(db.update('things', where(), { n: 'x' })).rejects.toMatchObject(bad);
      expect(await db.count('things')).toBe(0);
    });
  });

  for (const via of VIAS) {
    describe(`inserts through ${via}`, () => {
      let db: TableManager;
      let insert: (table: string, rows: readonly Row[]) => Promise<void>;
      beforeEach(async () => {
        db = await ctx.open([THINGS, WIDE]);
        insert = inserter(db, via);
      });

      it('inserts batches of every size around internal thresholds', async () => {
        let next = 0;
        for (const size of [1, 2, 7, 9, 10, 11, 31, 64, 255, 256, 257, 2047, 2048, 2049]) {
          await insert(
            'wide',
            Array.from({ length: size }, () => wideRow(next++)),
          );
        }
        expect(await db.count('wide')).toBe(next);
        const all = await db.select('wide', { orderBy: [{ column: 'id' }] });
        expect(all).toEqual(Array.from({ length: next }, (_, i) => wideRow(i)));
      });

      it('inserts rows that mention different subsets of columns', async () => {
        await insert('things', [{ id: 1n }, { id: 2n, name: 'two' }, { id: 3n, meta: { x: 1 }, n: 3 }]);
        const rows = await db.select('things', {
          columns: ['id', 'name', 'n', 'meta'],
          orderBy: [{ column: 'id' }],
        });
        expect(rows).toEqual([
          { id: 1n, name: null, n: null, meta: null },
          { id: 2n, name: 'two', n: null, meta: null },
          { id: 3n, name: null, n: 3, meta: { x: 1 } },
        ]);
        await insert('things', []);
        expect(await db.count('things')).toBe(3);
      });

      it('round-trips int64 extremes, 32-bit extremes and floats', async () => {
        const min = -(2n ** 63n);
        const max = 2n ** 63n - 1n;
        await insert('things', [
          { id: min, n: -(2 ** 31), x: Number.MAX_VALUE, big: max },
          { id: max, n: 2 ** 31 - 1, x: -Number.MIN_VALUE, big: min },
          { id: 0n, n: 0, x: 0.1 + 0.2, big: 9007199254740991 },
        ]);
        const rows = await db.select('things', {
          columns: ['id', 'n', 'x', 'big'],
          orderBy: [{ column: 'id' }],
        });
        expect(rows).toEqual([
          { id: min, n: -(2 ** 31), x: Number.MAX_VALUE, big: max },
          { id: 0n, n: 0, x: 0.1 + 0.2, big: 9007199254740991n },
          { id: max, n: 2 ** 31 - 1, x: -Number.MIN_VALUE, big: min },
        ]);
        expect(await db.count('things', where(col('id').eq(min)))).toBe(1);
        expect(await db.count('things', where(col('big').ge(max)))).toBe(1);
      });

      it('round-trips unicode strings', async () => {
        const texts = [
          '日本語',
          'emoji 🎬🎞️',
          'Ω≈ç√∫',
          'zero\u200bwidth',
          'combining é',
          'quote " and \' and \\',
          'line\nbreak\ttab',
        ];
        await insert(
          'things',
          texts.map((name, i) => ({ id: BigInt(i), name })),
        );
        const rows = await db.select('things', { columns: ['name'], orderBy: [{ column: 'id' }] });
        expect(rows.map((r) => r.name)).toEqual(texts);
        expect(await db.count('things', where(col('name').eq('emoji 🎬🎞️')))).toBe(1);
        expect(await db.count('things', where(col('name').contains('🎬')))).toBe(1);
        expect(await db.count('things', where(col('name').startsWith('日本')))).toBe(1);
      });

      it('round-trips timestamps at millisecond precision', async () => {
        const dates = [
          new Date(0),
          new Date('1969-12-31T23:59:59.999Z'),
          new Date('1900-02-28T12:00:00.001Z'),
          new Date('2024-02-29T23:59:59.999Z'),
          new Date('2262-04-11T23:47:16.854Z'),
          new Date('9999-12-31T23:59:59.999Z'),
        ];
        await insert(
          'things',
          dates.map((at, i) => ({ id: BigInt(i), at })),
        );
        const rows = await db.select('things', { columns: ['at'], orderBy: [{ column: 'id' }] });
        expect(rows.map((r) => (r.at as Date).toISOString())).toEqual(dates.map((d) => d.toISOString()));
        expect(await db.count('things', where(col('at').lt(new Date(0))))).toBe(2);
      });

      it('round-trips json values', async () => {
        const values: JsonValue[] = [
          { a: 1, b: [true, null, 'x'], c: { d: 1.5 } },
          [1, 'two', { three: 3 }],
          'a string',
          '',
          42,
          -0.5,
          true,
          false,
          [],
          {},
          { unicode: 'ü🎬', quote: '"\'\\' },
        ];
        await insert(
          'things',
          values.map((meta, i) => ({ id: BigInt(i), meta })),
        );
        const rows = await db.select('things', { columns: ['meta'], orderBy: [{ column: 'id' }] });
        expect(rows.map((r) => r.meta)).toEqual(values);
        await db.update('things', where(col('id').eq(0n)), { meta: { replaced: [1] } });
        expect(await db.select('things', { columns: ['meta'], where: where(col('id').eq(0n)) })).toEqual([
          { meta: { replaced: [1] } },
        ]);
      });

      it('round-trips infinite and NaN floats', async () => {
        const xs = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1.5];
        await insert(
          'things',
          xs.map((x, i) => ({ id: BigInt(i), x })),
        );
        const rows = await db.select('things', { columns: ['x'], orderBy: [{ column: 'id' }] });
        expect(rows.map((r) => r.x)).toEqual(xs);
      });
    });
  }
}
