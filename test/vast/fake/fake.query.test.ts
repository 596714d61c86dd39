import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison, Predicate } from '../../../src/db/db.types.ts';
import type { WireRow } from '../../../src/db/engines/vast/wire/wire.types.ts';
import { compareUtf8 } from '../../../tools/vast-fake/fake.query.ts';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { FakeClient } from './fake.client.testkit.ts';

const ROWS: WireRow[] = [
  { c_utf8: 'alpha', c_int64: 1n, c_int32: 10, c_float64: 0.5, c_bool: true, c_ts: 1_767_323_045_000_006n },
  {
    c_utf8: 'Ωmega — ünïcödé ✓ 東京',
    c_int64: -9007199254740993n,
    c_int32: -5,
    c_float64: -1.25,
    c_bool: false,
    c_ts: 0n,
  },
  { c_utf8: null, c_int64: 2n ** 62n, c_int32: null, c_float64: null, c_bool: null, c_ts: null },
  { c_utf8: 'alphabet', c_int64: 3n, c_int32: 2147483647, c_float64: 1e300, c_bool: true, c_ts: -1n },
  { c_utf8: 'ｚ', c_int64: 4n, c_int32: 0, c_float64: 0, c_bool: false, c_ts: 4_102_444_800_000_000n },
  { c_utf8: '😀', c_int64: 5n, c_int32: -1, c_float64: 2.5, c_bool: null, c_ts: 946_684_800_000_000n },
];

let vast: FakeVast;
let client: FakeClient;
let tx: bigint;
beforeAll(async () => {
  vast = await startFakeVast();
  client = new FakeClient(vast);
  tx = await client.begin();
  await client.createSchema(tx, 's');
  await client.createTable(tx, 's', 't');
  await client.insert(tx, 's', 't', ROWS);
  await client.createTable(tx, 's', 'big', [{ name: 'n', type: 'int64', nullable: false }]);
  await client.insert(
    tx,
    's',
    'big',
    Array.from({ length: 50 }, (_, i) => ({ n: BigInt(i) })),
    [{ name: 'n', type: 'int64', nullable: false }],
  );
});
afterAll(async () => {
  client.close();
  await vast.close();
});

const one = (column: string, ...any: Comparison[]): Predicate => ({ all: [{ column, any }] });
async function keys(where: Predicate): Promise<bigint[]> {
  const got = await client.select(tx, 's', 't', { columns: ['c_int64'], where });
  return got.rows.map((r) => r.c_int64 as bigint).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('fake VAST: QueryData', () => {
  it.each<[string, Predicate, bigint[]]>([
    ['eq utf8', one('c_utf8', { op: 'eq', value: 'alpha' }), [1n]],
    ['ne int64', one('c_int64', { op: 'ne', value: 1n }), [-9007199254740993n, 3n, 4n, 5n, 2n ** 62n]],
    [
      'ne utf8: null rows are not "not equal"',
      one('c_utf8', { op: 'ne', value: 'alpha' }),
      [-9007199254740993n, 3n, 4n, 5n],
    ],
    ['lt int32', one('c_int32', { op: 'lt', value: 0 }), [-9007199254740993n, 5n]],
    ['le float64', one('c_float64', { op: 'le', value: 0.5 }), [-9007199254740993n, 1n, 4n]],
    ['gt timestamp', one('c_ts', { op: 'gt', value: new Date(Date.UTC(2000, 0, 1)) }), [1n, 4n]],
    ['ge int64', one('c_int64', { op: 'ge', value: 3n }), [3n, 4n, 5n, 2n ** 62n]],
    ['eq bool', one('c_bool', { op: 'eq', value: true }), [1n, 3n]],
    ['in utf8', one('c_utf8', { op: 'in', value: ['alpha', '😀', 'none'] }), [1n, 5n]],
    ['isNull', one('c_int32', { op: 'isNull' }), [2n ** 62n]],
    ['isNotNull', one('c_utf8', { op: 'isNotNull' }), [-9007199254740993n, 1n, 3n, 4n, 5n]],
    ['startsWith ascii', one('c_utf8', { op: 'startsWith', value: 'alph' }), [1n, 3n]],
    ['startsWith non-ASCII', one('c_utf8', { op: 'startsWith', value: 'Ωme' }), [-9007199254740993n]],
    ['contains non-ASCII', one('c_utf8', { op: 'contains', value: 'ünï' }), [-9007199254740993n]],
    [
      'lt utf8 in UTF-8 byte order (U+FF5A < U+1F600)',
      one('c_utf8', { op: 'lt', value: '😀' }),
      [-9007199254740993n, 1n, 3n, 4n],
    ],
    [
      'and of or groups',
      {
        all: [
          {
            column: 'c_int64',
            any: [
              { op: 'eq', value: 1n },
              { op: 'eq', value: 3n },
            ],
          },
          { column: 'c_utf8', any: [{ op: 'eq', value: 'alpha' }, { op: 'isNull' }] },
        ],
      },
      [1n],
    ],
    ['no predicate: and() is true', { all: [] }, [-9007199254740993n, 1n, 3n, 4n, 5n, 2n ** 62n]],
  ])('%s', async (_name, where, want) => {
    expect(await keys(where)).toEqual(want);
  });

  it('orders strings as UTF-8 bytes do, not as UTF-16 units', () => {
    expect(compareUtf8('ｚ', '😀')).toBeLessThan(0);
    expect('ｚ' < '😀').toBe(false); // what a plain JS comparison would wrongly say
    expect(compareUtf8('a', 'ab')).toBeLessThan(0);
  });

  it('projects in the asked order, with $row_id when asked', async () => {
    const got = await client.select(tx, 's', 't', {
      columns: ['c_float64', 'c_utf8'],
      rowId: true,
      where: one('c_int64', { op: 'eq', value: 1n }),
    });
    expect(Object.keys(got.rows[0] as WireRow)).toEqual(['c_float64', 'c_utf8', '$row_id']);
    expect(typeof (got.rows[0] as WireRow).$row_id).toBe('bigint');
  });

  it('pages across sub-splits with a small limit, every row once, and resumes after each cursor', async () => {
    const fields = [{ name: 'n', type: 'int64', nullable: false }] as const;
    const before = vast.stats.calls.query;
    const got = await client.select(tx, 's', 'big', { fields, columns: ['n'] }, { subsplits: 3, limit: 4 });
    const ns = got.rows.map((r) => Number(r.n)).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // 50 rows over 3 sub-splits (17, 17, 16) in pages of 4: 5 round trips.
    expect([got.pages, vast.stats.calls.query - before]).toEqual([5, 5]);
    const filtered = await client.select(
      tx,
      's',
      'big',
      { fields, columns: ['n'], where: { all: [{ column: 'n', any: [{ op: 'ge', value: 45n }] }] } },
      { subsplits: 2, limit: 1 },
    );
    expect(filtered.rows.map((r) => Number(r.n)).sort((a, b) => a - b)).toEqual([45, 46, 47, 48, 49]);
  });

  it('counts with an empty projection', async () => {
    const fields = [{ name: 'n', type: 'int64', nullable: false }] as const;
    const all = await client.select(tx, 's', 'big', { fields, columns: [] }, { subsplits: 4, limit: 7 });
    expect([all.count, all.rows.every((r) => Object.keys(r).length === 0)]).toEqual([50, true]);
    const some = await client.select(tx, 's', 'big', {
      fields,
      columns: [],
      where: { all: [{ column: 'n', any: [{ op: 'lt', value: 10n }] }] },
    });
    expect(some.count).toBe(10);
  });
});
