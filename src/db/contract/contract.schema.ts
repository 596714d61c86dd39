import { DbError } from '../db.errors.ts';
import type { TableDef } from '../db.types.ts';
import { TableManager } from '../manager.ts';
import { col, where } from '../predicate.ts';
import { type ContractContext, THING_ROWS, THINGS } from './contract.fixture.ts';
import { describe, expect, it } from './contract.harness.ts';

const V1: TableDef = {
  name: 'evolving',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'label', type: 'string' },
  ],
};

const V2: TableDef = {
  name: 'evolving',
  columns: [
    ...V1.columns,
    { name: 'plain', type: 'int32' },
    { name: 'score', type: 'float64', defaultValue: 0.5 },
    { name: 'kind', type: 'string', nullable: false, defaultValue: 'video' },
    { name: 'tags', type: 'json', defaultValue: ['a'] },
    { name: 'seen', type: 'timestamp', defaultValue: new Date(Date.UTC(2020, 1, 2)) },
    { name: 'huge', type: 'int64', defaultValue: 2n ** 40n },
  ],
};

/** Lookups and composite indexes, one of them with a name past PostgreSQL's 63 bytes. */
const INDEXED: TableDef = {
  name: 'indexed',
  columns: [
    { name: 'owner', type: 'string', nullable: false },
    { name: 'at', type: 'int64', nullable: false },
    { name: 'until', type: 'int64' },
    { name: 'a_column_whose_name_makes_the_index_name_too_long_to_keep', type: 'string' },
  ],
  lookups: ['owner'],
  indexes: [
    ['owner', 'at'],
    ['owner', 'until'],
    ['owner', 'at', 'a_column_whose_name_makes_the_index_name_too_long_to_keep'],
  ],
};

export function schemaContract(ctx: ContractContext): void {
  describe('schema', () => {
    it('creates declared tables and reports their definitions', async () => {
      const db = await ctx.open([THINGS, V1]);
      expect(db.tableNames().sort()).toEqual(['evolving', 'things']);
      expect(db.tableInfo('things').columns.map((c) => c.name)).toEqual(THINGS.columns.map((c) => c.name));
      const tables = await db.engine.listTables();
      expect(tables).toEqual(expect.arrayContaining(['evolving', 'things']));
      const info = await db.engine.describeTable('things');
      expect(info?.columns.map((c) => [c.name, c.type])).toEqual(
        THINGS.columns.map((c) => [
          c.name,
          c.type === 'json' ? expect.stringMatching(/^(json|string)$/) : c.type,
        ]),
      );
      expect(await db.engine.describeTable('nope')).toBeNull();
      expect(await db.count('things')).toBe(0);
    });

    it('opening twice on the same engine is a no-op for existing tables', async () => {
      const engine = await ctx.engine();
      const a = await TableManager.open(engine, [V1]);
      await a.insert('evolving', [{ id: 1n, label: 'x' }]);
      const b = await TableManager.open(engine, [V1]);
      expect(await b.select('evolving')).toEqual([{ id: 1n, label: 'x' }]);
    });

    it('adds missing columns to an existing table: data survives, new columns null or default', async () => {
      const engine = await ctx.engine();
      const v1 = await TableManager.open(engine, [V1]);
      await v1.insert('evolving', [
        { id: 1n, label: 'one' },
        { id: 2n, label: null },
      ]);
      const v2 = await TableManager.open(engine, [V2]);
      const rows = await v2.select('evolving', { orderBy: [{ column: 'id' }] });
      const filled = {
        plain: null,
        score: 0.5,
        kind: 'video',
        tags: ['a'],
        seen: new Date(Date.UTC(2020, 1, 2)),
        huge: 2n ** 40n,
      };
      expect(rows).toEqual([
        { id: 1n, label: 'one', ...filled },
        { id: 2n, label: null, ...filled },
      ]);
      // A default also fills columns an insert leaves out; an explicit null stays null.
      await v2.insert('evolving', [{ id: 3n }, { id: 4n, score: null }]);
      const more = await v2.select('evolving', {
        where: where(col('id').ge(3n)),
        orderBy: [{ column: 'id' }],
      });
      expect(more.map((r) => [r.id, r.score, r.kind, r.plain])).toEqual([
        [3n, 0.5, 'video', null],
        [4n, null, 'video', null],
      ]);
      const info = await engine.describeTable('evolving');
      expect(info?.columns.map((c) => c.name)).toEqual(V2.columns.map((c) => c.name));
    });

    it('leaves undeclared columns alone and ignores them', async () => {
      const engine = await ctx.engine();
      const v2 = await TableManager.open(engine, [V2]);
      await v2.insert('evolving', [{ id: 1n, label: 'old', plain: 7 }]);
      const v1 = await TableManager.open(engine, [V1]);
      expect(await v1.select('evolving')).toEqual([{ id: 1n, label: 'old' }]);
      await v1.insert('evolving', [{ id: 2n, label: 'new' }]);
      await expect(v1.select('evolving', { columns: ['plain'] })).rejects.toMatchObject({
        code: 'unknown_column',
      });
      await expect(v1.insert('evolving', [{ id: 3n, plain: 1 }])).rejects.toMatchObject({
        code: 'unknown_column',
      });
      expect(await v1.update('evolving', where(col('id').eq(2n)), { label: 'newer' })).toBe(1);
      const info = await engine.describeTable('evolving');
      expect(info?.columns.map((c) => c.name)).toContain('plain');
      const again = await TableManager.open(engine, [V2]);
      const rows = await again.select('evolving', {
        columns: ['id', 'label', 'plain'],
        orderBy: [{ column: 'id' }],
      });
      expect(rows).toEqual([
        { id: 1n, label: 'old', plain: 7 },
        { id: 2n, label: 'newer', plain: null },
      ]);
    });

    it('drops a table with its rows, and dropping a missing table does nothing', async () => {
      const engine = await ctx.engine();
      const db = await TableManager.open(engine, [THINGS, V1]);
      await db.insert('evolving', [{ id: 1n, label: 'gone' }]);
      await engine.dropTable('evolving');
      expect(await engine.describeTable('evolving')).toBeNull();
      expect(await engine.listTables()).not.toContain('evolving');
      await engine.dropTable('evolving');
      await engine.dropTable('never_was');
      // The other table is untouched, and the dropped one comes back empty when declared again.
      expect(await engine.describeTable('things')).not.toBeNull();
      const again = await TableManager.open(engine, [V1]);
      expect(await again.count('evolving')).toBe(0);
    });

    it('refuses a declared type that contradicts the table', async () => {
      const engine = await ctx.engine();
      await TableManager.open(engine, [V1]);
      const retyped: TableDef = { name: 'evolving', columns: [{ name: 'label', type: 'int64' }] };
      await expect(TableManager.open(engine, [retyped])).rejects.toMatchObject({ code: 'schema_mismatch' });
    });

    it('makes declared lookups and indexes, on a new table and on one that has rows', async () => {
      const engine = await ctx.engine();
      const plain: TableDef = { name: INDEXED.name, columns: INDEXED.columns };
      const before = await TableManager.open(engine, [plain]);
      const rows = [3n, 1n, 2n].flatMap((at) => ['a', 'b'].map((owner) => ({ owner, at, until: at + 1n })));
      await before.insert(INDEXED.name, rows);
      // Declared later, then opened again (by a second server): made once, the rows untouched.
      await TableManager.open(engine, [INDEXED]);
      const db = await TableManager.open(engine, [INDEXED]);
      const page = await db.select(INDEXED.name, {
        where: where(col('owner').eq('a'), col('at').ge(2n)),
        columns: ['at', 'until'],
        orderBy: [{ column: 'at', direction: 'desc' }],
        limit: 5,
      });
      expect(page).toEqual([
        { at: 3n, until: 4n },
        { at: 2n, until: 3n },
      ]);
      expect(await db.count(INDEXED.name, where(col('owner').eq('b'), col('until').gt(2n)))).toBe(2);
      const fresh = await ctx.open([{ ...INDEXED, name: 'indexed_new' }]);
      await fresh.insert('indexed_new', rows);
      expect(await fresh.count('indexed_new', where(col('owner').eq('a')))).toBe(3);
    });

    it('refuses invalid definitions', async () => {
      const bad: TableDef[][] = [
        [{ name: 'Bad-Name', columns: [{ name: 'a', type: 'string' }] }],
        [{ name: 'empty', columns: [] }],
        [
          {
            name: 'dup',
            columns: [
              { name: 'a', type: 'string' },
              { name: 'a', type: 'int64' },
            ],
          },
        ],
        [{ name: 'badtype', columns: [{ name: 'a', type: 'uuid' as 'string' }] }],
        [{ name: 'baddefault', columns: [{ name: 'a', type: 'int32', defaultValue: 'x' }] }],
        [V1, V1],
        [{ ...V1, indexes: [['id', 'nope']] }],
        [{ ...V1, indexes: [[]] }],
        [{ ...V1, lookups: ['nope'] }],
      ];
      for (const defs of bad) {
        await expect(ctx.open(defs)).rejects.toBeInstanceOf(DbError);
      }
      const engine = await ctx.engine();
      await TableManager.open(engine, [V1]);
      const needsDefault: TableDef = {
        name: 'evolving',
        columns: [...V1.columns, { name: 'required', type: 'string', nullable: false }],
      };
      await expect(TableManager.open(engine, [needsDefault])).rejects.toMatchObject({
        code: 'invalid_definition',
      });
    });

    it('reports unknown tables and columns with DbError', async () => {
      const db = await ctx.open([THINGS]);
      const unknownTable = { code: 'unknown_table' };
      const unknownColumn = { code: 'unknown_column' };
      await expect(db.select('nope')).rejects.toMatchObject(unknownTable);
      await expect(db.count('nope')).rejects.toMatchObject(unknownTable);
      await expect(db.insert('nope', [{ id: 1n }])).rejects.toMatchObject(unknownTable);
      await expect(db.update('nope', where(), { id: 1n })).rejects.toMatchObject(unknownTable);
      await expect(db.delete('nope', where())).rejects.toMatchObject(unknownTable);
      expect(() => db.tableInfo('nope')).toThrow(DbError);
      await expect(db.select('things', { columns: ['id', 'nope'] })).rejects.toMatchObject(unknownColumn);
      await expect(db.select('things', { where: where(col('nope').eq(1)) })).rejects.toMatchObject(
        unknownColumn,
      );
      await expect(db.select('things', { orderBy: [{ column: 'nope' }] })).rejects.toMatchObject(
        unknownColumn,
      );
      await expect(db.count('things', where(col('nope').isNull()))).rejects.toMatchObject(unknownColumn);
      await expect(db.insert('things', [{ id: 1n, nope: 1 }])).rejects.toMatchObject(unknownColumn);
      await expect(db.update('things', where(), { nope: 1 })).rejects.toMatchObject(unknownColumn);
      await expect(db.delete('things', where(col('nope').eq(1)))).rejects.toMatchObject(unknownColumn);
      expect(await db.count('things')).toBe(0);
    });

    it.runIf(ctx.persistent)('keeps data across close and reopen', async () => {
      const store = ctx.newStore();
      const first = await ctx.open([THINGS, V1], store);
      await first.insert('things', THING_ROWS);
      await first.insert('evolving', [{ id: 1n, label: 'kept' }]);
      await first.delete('things', where(col('id').eq(10n)));
      await first.close();
      const second = await ctx.open([THINGS, V2], store);
      expect(await second.count('things')).toBe(THING_ROWS.length - 1);
      expect(await second.select('things', { where: where(col('id').eq(9n)) })).toEqual([
        { ...nulls(), ...THING_ROWS[8] },
      ]);
      expect(await second.select('evolving', { columns: ['label', 'kind'] })).toEqual([
        { label: 'kept', kind: 'video' },
      ]);
      await second.close();
      const third = await ctx.open([V2], store);
      expect(await third.select('evolving', { columns: ['id', 'score'] })).toEqual([{ id: 1n, score: 0.5 }]);
    });

    it('rejects every call after close', async () => {
      const db = await ctx.open([THINGS]);
      await db.close();
      await db.close();
      await expect(db.select('things')).rejects.toMatchObject({ code: 'closed' });
      await expect(db.insert('things', [{ id: 1n }])).rejects.toMatchObject({ code: 'closed' });
      await expect(db.transaction(async () => 1)).rejects.toMatchObject({ code: 'closed' });
    });
  });
}

/** Every THINGS column set to null: rows read back always have every selected column. */
function nulls(): Record<string, null> {
  return Object.fromEntries(THINGS.columns.map((c) => [c.name, null]));
}
