/**
 * The SQL text and parameters each dialect makes of the manager's calls, pinned: the engines'
 * prepared-statement caches key on the text, so a change here is a change of every cached
 * statement, and the dialects' differences (binding, table names, starts-with and contains, IN
 * lists, U+0000 on PostgreSQL, the empty projection) are each shown side by side.
 */
import { describe, expect, it } from 'vitest';
import type { ColumnGroup, ColumnType, Predicate, Row, SelectOptions } from '../../db.types.ts';
import { col, or, where } from '../../predicate.ts';
import type { PhysicalTable } from '../duckdb/duckdb.physical.ts';
import { DUCKDB_SQL, Params as DuckParams } from '../duckdb/duckdb.sql.ts';
import { Params as PgParams, type PgTable, POSTGRES_SQL } from '../postgres/postgres.sql.ts';

const COLUMNS: [string, ColumnType | null][] = [
  ['id', 'int64'],
  ['label', 'string'],
  ['rate', 'float64'],
  ['at', 'timestamp'],
  ['odd', null],
];
const DUCK_TABLE: PhysicalTable = {
  name: 'items',
  columns: COLUMNS.map(([name, type]) => ({ name, type, nullable: true })),
  byName: new Map(COLUMNS.map(([name, type]) => [name, { name, type, nullable: true }])),
};
const PG_TABLE: PgTable = { qualified: '"tams"."items"', name: 'items', types: new Map(COLUMNS) };

/** What a statement binds, printed: bigint as `5n`, a DuckDB value by its text and class. */
function shown(values: readonly unknown[]): unknown[] {
  return values.map((v) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      return `${v.constructor.name}(${String(v)})`;
    return v;
  });
}

type Compile<P> = (p: P) => string;

function duck(compile: Compile<DuckParams>) {
  const p = new DuckParams();
  const sql = compile(p);
  return { sql, values: shown(p.values), types: p.types.map(String) };
}

function pg(compile: Compile<PgParams>) {
  const p = new PgParams();
  const sql = compile(p);
  return { sql, values: shown(p.values) };
}

const duckWhere = (w: Predicate) => duck((p) => DUCKDB_SQL.where(p, DUCK_TABLE, w));
const pgWhere = (w: Predicate) => pg((p) => POSTGRES_SQL.where(p, PG_TABLE, w));

const id = col('id');
const label = col('label');
const many = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i));

describe('the SQL of a predicate', () => {
  it('is empty without groups, and an AND of parenthesised OR groups with them', () => {
    expect(duckWhere(where())).toEqual({ sql: '', values: [], types: [] });
    expect(pgWhere(where())).toEqual({ sql: '', values: [] });
    const w = where(or(id.lt(1n), id.ge(10n)), label.ne('x'));
    expect(duckWhere(w)).toEqual({
      sql: ' WHERE ("id" < $1 OR "id" >= $2) AND ("label" <> $3)',
      values: ['1n', '10n', 'x'],
      types: ['BIGINT', 'BIGINT', 'VARCHAR'],
    });
    expect(pgWhere(w)).toEqual({
      sql: ' WHERE ("id" < $1 OR "id" >= $2) AND ("label" <> $3)',
      values: ['1', '10', 'x'],
    });
  });

  it('spells every ordering comparison, null test and empty group the same on both', () => {
    const w = where(or(id.eq(1n), id.ne(2n), id.le(3n), id.gt(4n)), or(label.isNull(), label.isNotNull()), {
      column: 'rate',
      any: [],
    } as ColumnGroup);
    const sql =
      ' WHERE ("id" = $1 OR "id" <> $2 OR "id" <= $3 OR "id" > $4) AND ("label" IS NULL OR "label" IS NOT NULL) AND FALSE';
    expect(duckWhere(w).sql).toBe(sql);
    expect(pgWhere(w).sql).toBe(sql);
  });

  it('binds timestamps as each engine takes them', () => {
    const w = where(col('at').ge(new Date(1_700_000_000_123)));
    expect(duckWhere(w)).toEqual({
      sql: ' WHERE ("at" >= $1)',
      values: ['DuckDBTimestampValue(2023-11-14 22:13:20.123)'],
      types: ['TIMESTAMP'],
    });
    expect(pgWhere(w)).toEqual({ sql: ' WHERE ("at" >= $1)', values: ['2023-11-14T22:13:20.123Z'] });
  });

  it('starts-with and contains: DuckDB functions, PostgreSQL LIKE with an escaped prefix and strpos', () => {
    const w = where(or(label.startsWith('50%_a\\'), label.contains('b_')));
    expect(duckWhere(w)).toEqual({
      sql: ' WHERE (starts_with("label", $1) OR contains("label", $2))',
      values: ['50%_a\\', 'b_'],
      types: ['VARCHAR', 'VARCHAR'],
    });
    expect(pgWhere(w)).toEqual({
      sql: ' WHERE ("label" LIKE $1 OR strpos("label", $2) > 0)',
      values: ['50\\%\\_a\\\\%', 'b_'],
    });
  });

  it('IN: DuckDB inlines up to 64 values; PostgreSQL binds one array whatever the length', () => {
    expect(duckWhere(where(id.in([])))).toEqual({ sql: ' WHERE (FALSE)', values: [], types: [] });
    expect(pgWhere(where(id.in([])))).toEqual({ sql: ' WHERE (FALSE)', values: [] });
    expect(duckWhere(where(id.in([5n, 6n])))).toEqual({
      sql: ' WHERE ("id" IN ($1, $2))',
      values: ['5n', '6n'],
      types: ['BIGINT', 'BIGINT'],
    });
    expect(pgWhere(where(id.in([5n, 6n])))).toEqual({
      sql: ' WHERE ("id" = ANY($1::bigint[]))',
      values: [['5', '6']],
    });
    const inline = duckWhere(where(id.in(many(64))));
    expect(inline.sql).toBe(
      ` WHERE ("id" IN (${many(64)
        .map((_, i) => `$${i + 1}`)
        .join(', ')}))`,
    );
    expect(inline.types).toEqual(Array(64).fill('BIGINT'));
    expect(pgWhere(where(id.in(many(64)))).sql).toBe(' WHERE ("id" = ANY($1::bigint[]))');
  });

  it('IN beyond 64 values on DuckDB: one JSON parameter, or a LIST where JSON cannot carry them', () => {
    expect(duckWhere(where(id.in(many(65))))).toEqual({
      sql: ` WHERE ("id" IN (SELECT unnest(from_json($1, '["BIGINT"]'))))`,
      values: [`[${many(65).join(',')}]`],
      types: ['VARCHAR'],
    });
    const at = duckWhere(where(col('at').in(Array.from({ length: 65 }, (_, i) => new Date(i)))));
    expect(at.sql).toBe(` WHERE ("at" IN (SELECT make_timestamp(unnest(from_json($1, '["BIGINT"]')))))`);
    const rates = [Number.NaN, ...Array.from({ length: 64 }, (_, i) => i)];
    const nan = duckWhere(where(col('rate').in(rates)));
    expect(nan.sql).toBe(' WHERE ("rate" IN (SELECT unnest($1)))');
    expect(nan.types).toEqual(['DOUBLE[]']);
  });

  it('on PostgreSQL, a string holding U+0000 is answered without being sent', () => {
    const nul = 'ab\u0000c';
    const w = where(or(label.eq(nul), label.ne(nul), label.lt(nul), label.ge(nul), label.startsWith(nul)));
    expect(pgWhere(w)).toEqual({
      sql: ' WHERE (FALSE OR "label" IS NOT NULL OR "label" <= $1 OR "label" > $2 OR FALSE)',
      values: ['ab', 'ab'],
    });
    expect(pgWhere(where(label.in([nul, 'x'])))).toEqual({
      sql: ' WHERE ("label" = ANY($1::text[]))',
      values: [['x']],
    });
    expect(pgWhere(where(label.in([nul])))).toEqual({ sql: ' WHERE (FALSE)', values: [] });
    // DuckDB's text holds it: sent as it is.
    expect(duckWhere(where(label.eq(nul))).values).toEqual([nul]);
  });

  it('refuses unknown columns, unsupported types and operators alike', () => {
    for (const compile of [duckWhere, pgWhere]) {
      expect(() => compile(where(col('nope').eq(1n)))).toThrow('unknown column "nope" in table "items"');
      expect(() => compile(where(col('odd').eq(1n)))).toThrow(
        'column "odd" in table "items" has an unsupported type',
      );
      const bogus = { all: [{ column: 'id', any: [{ op: 'bogus', value: 1n }] }] } as unknown as Predicate;
      expect(() => compile(bogus)).toThrow('unknown operator "bogus"');
    }
  });
});

describe('the statements', () => {
  const options: SelectOptions = {
    where: where(label.eq('a')),
    orderBy: [{ column: 'at', direction: 'desc' }, { column: 'id' }],
    limit: 10,
  };

  it('SELECT: projection, WHERE, ORDER BY nulls last, a bound LIMIT', () => {
    expect(duck((p) => DUCKDB_SQL.select(p, DUCK_TABLE, ['id', 'label'], options))).toEqual({
      sql: 'SELECT "id", "label" FROM "items" WHERE ("label" = $1) ORDER BY "at" DESC NULLS LAST, "id" ASC NULLS LAST LIMIT $2',
      values: ['a', '10n'],
      types: ['VARCHAR', 'BIGINT'],
    });
    expect(pg((p) => POSTGRES_SQL.select(p, PG_TABLE, ['id', 'label'], options))).toEqual({
      sql: 'SELECT "id", "label" FROM "tams"."items" WHERE ("label" = $1) ORDER BY "at" DESC NULLS LAST, "id" ASC NULLS LAST LIMIT $2',
      values: ['a', 10],
    });
  });

  it('SELECT: plain DESC on a column the predicate holds non-null, so an ascending index serves it', () => {
    const order = (w: Predicate) =>
      pg((p) =>
        POSTGRES_SQL.select(p, PG_TABLE, ['id'], {
          where: w,
          orderBy: [{ column: 'id', direction: 'desc' }, { column: 'at' }],
          limit: 3,
        }),
      ).sql.replace(/^.* ORDER BY /, '');
    // A Flow's segment holding a point: the last starting at or before it, one backward probe.
    expect(order(where(label.eq('f'), id.le(5n)))).toBe('"id" DESC, "at" ASC NULLS LAST LIMIT $3');
    expect(order(where(id.in([1n, 2n])))).toBe('"id" DESC, "at" ASC NULLS LAST LIMIT $2');
    expect(order(where(id.isNotNull()))).toBe('"id" DESC, "at" ASC NULLS LAST LIMIT $1');
    // A null may match: the contract's nulls last is spelt out.
    expect(order(where(label.eq('f')))).toBe('"id" DESC NULLS LAST, "at" ASC NULLS LAST LIMIT $2');
    expect(order(where(or(id.le(5n), id.isNull())))).toBe(
      '"id" DESC NULLS LAST, "at" ASC NULLS LAST LIMIT $2',
    );
    expect(
      duck((p) =>
        DUCKDB_SQL.select(p, DUCK_TABLE, ['id'], {
          where: where(id.gt(1n)),
          orderBy: [{ column: 'id', direction: 'desc' }],
        }),
      ).sql,
    ).toBe('SELECT "id" FROM "items" WHERE ("id" > $1) ORDER BY "id" DESC');
  });

  it('SELECT of no column: an empty list on DuckDB, NULL on PostgreSQL', () => {
    expect(duck((p) => DUCKDB_SQL.select(p, DUCK_TABLE, [], {})).sql).toBe('SELECT  FROM "items"');
    expect(pg((p) => POSTGRES_SQL.select(p, PG_TABLE, [], {})).sql).toBe('SELECT NULL FROM "tams"."items"');
  });

  it('count, DELETE and UPDATE', () => {
    const w = where(id.eq(1n));
    expect(duck((p) => DUCKDB_SQL.count(p, DUCK_TABLE, w)).sql).toBe(
      'SELECT count(*) AS n FROM "items" WHERE ("id" = $1)',
    );
    expect(pg((p) => POSTGRES_SQL.count(p, PG_TABLE, w)).sql).toBe(
      'SELECT count(*) AS n FROM "tams"."items" WHERE ("id" = $1)',
    );
    expect(duck((p) => DUCKDB_SQL.delete(p, DUCK_TABLE, w)).sql).toBe(
      'DELETE FROM "items" WHERE ("id" = $1)',
    );
    expect(pg((p) => POSTGRES_SQL.delete(p, PG_TABLE, w)).sql).toBe(
      'DELETE FROM "tams"."items" WHERE ("id" = $1)',
    );
    const changes: Row = { label: 'b', rate: undefined };
    expect(duck((p) => DUCKDB_SQL.update(p, DUCK_TABLE, w, changes))).toEqual({
      sql: 'UPDATE "items" SET "label" = $1, "rate" = $2 WHERE ("id" = $3)',
      values: ['b', null, '1n'],
      types: ['VARCHAR', 'DOUBLE', 'BIGINT'],
    });
    expect(pg((p) => POSTGRES_SQL.update(p, PG_TABLE, w, changes))).toEqual({
      sql: 'UPDATE "tams"."items" SET "label" = $1, "rate" = $2 WHERE ("id" = $3)',
      values: ['b', null, '1'],
    });
    expect(() => pg((p) => POSTGRES_SQL.update(p, PG_TABLE, w, {}))).toThrow(
      'an update must change at least one column',
    );
  });

  it("PostgreSQL's INSERT and per-row UPDATE: one array parameter per column", () => {
    const rows: Row[] = [
      { id: 1n, label: 'a' },
      { id: 2n, rate: 0.5 },
    ];
    expect(pg((p) => POSTGRES_SQL.insert(p, PG_TABLE, rows))).toEqual({
      sql: 'INSERT INTO "tams"."items" ("id", "label", "rate") SELECT * FROM unnest($1::bigint[], $2::text[], $3::double precision[])',
      values: [
        ['1', '2'],
        ['a', null],
        [null, 0.5],
      ],
    });
    expect(pg((p) => POSTGRES_SQL.updateEach(p, PG_TABLE, 'id', rows))).toEqual({
      sql:
        'UPDATE "tams"."items" AS t SET "label" = v.c1 FROM unnest($1::bigint[], $2::text[]) AS v(c0, c1) ' +
        'WHERE t."id" = v.c0',
      values: [
        ['1', '2'],
        ['a', null],
      ],
    });
  });
});
