/**
 * U+0000 on PostgreSQL, whose text cannot hold it (the HTTP suites' `GET /sources?label=%00`
 * answered 500 on it): a predicate value holding it is answered exactly as the engines' shared
 * semantics say (matchesPredicate, code-point order) without being sent, and a write of it is
 * refused as the caller's input (a 400 at the HTTP layer), writing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import type { ColumnGroup, Row, TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { col, matchesPredicate, where } from '../../predicate.ts';
import { PostgresEngine } from './postgres.engine.ts';

const T: TableDef = {
  name: 'labels',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'label', type: 'string' },
  ],
};
const LABELS = [null, '', 'a', 'a\u0001', 'ab', 'a b', 'b', '\u0001'];
const ROWS: Row[] = LABELS.map((label, i) => ({ id: BigInt(i), label }));
/** Values around the stored ones, each holding U+0000. */
const PROBES = ['\u0000', 'a\u0000', 'a\u0000b', '\u0000a', 'ab\u0000', 'b\u0000\u0000'];

const available = postgresAvailable();

describe.skipIf(!available)('U+0000 on PostgreSQL', () => {
  let server: PostgresServer;
  let db: TableManager;
  beforeAll(async () => {
    server = await startPostgres();
    db = await TableManager.open(new PostgresEngine({ url: server.url, schema: 'nul' }), [T]);
    await db.insert(T.name, ROWS);
  });
  afterAll(async () => {
    await db?.close();
    await server?.close();
  });

  const label = col('label');
  const cases: [string, (v: string) => ColumnGroup][] = [
    ['eq', (v) => label.eq(v)],
    ['ne', (v) => label.ne(v)],
    ['lt', (v) => label.lt(v)],
    ['le', (v) => label.le(v)],
    ['gt', (v) => label.gt(v)],
    ['ge', (v) => label.ge(v)],
    ['in', (v) => label.in([v, 'b'])],
    ['startsWith', (v) => label.startsWith(v)],
    ['contains', (v) => label.contains(v)],
  ];
  for (const [op, make] of cases) {
    it(`${op} with a value holding U+0000 matches what the shared semantics say`, async () => {
      for (const probe of PROBES) {
        const predicate = where(make(probe));
        const expected = ROWS.filter((r) => matchesPredicate(r, predicate)).map((r) => r.id);
        const rows = await db.select(T.name, {
          columns: ['id'],
          where: predicate,
          orderBy: [{ column: 'id' }],
        });
        expect({ probe, ids: rows.map((r) => r.id) }).toEqual({ probe, ids: expected });
        expect(await db.count(T.name, predicate)).toBe(expected.length);
      }
    });
  }

  it('refuses a write of U+0000 as the caller input (400), writing nothing', async () => {
    const refused = { code: 'invalid_value', statusCode: 400, message: expect.stringMatching(/U\+0000/) };
    await expect(db.insert(T.name, [{ id: 100n, label: 'x\u0000y' }])).rejects.toMatchObject(refused);
    await expect(db.update(T.name, where(col('id').eq(2n)), { label: '\u0000' })).rejects.toMatchObject(
      refused,
    );
    expect(await db.count(T.name)).toBe(ROWS.length);
    expect(await db.select(T.name, { columns: ['label'], where: where(col('id').eq(2n)) })).toEqual([
      { label: 'a' },
    ]);
  });
});
