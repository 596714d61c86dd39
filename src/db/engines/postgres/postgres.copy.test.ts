/**
 * Bulk inserts by `COPY … FROM STDIN` on a real PostgreSQL: every column type's awkward values
 * read back exactly as the INSERT path stores them, at row counts on both sides of the threshold
 * (pg_stat_statements says which way each call went); a COPY that fails part way leaves nothing
 * of its transaction and a connection the next transaction can use; a COPY whose data cannot go
 * on is ended with CopyFail, never left open on a pooled connection.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import type { JsonValue, Row, TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { col, where } from '../../predicate.ts';
import { copyIn } from './postgres.copy.ts';
import { PostgresEngine } from './postgres.engine.ts';
import { COPY_FROM_ROWS } from './postgres.session.ts';

const ITEMS: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'name', type: 'string' },
    { name: 'n', type: 'int32' },
    { name: 'x', type: 'float64' },
    { name: 'flag', type: 'boolean' },
    { name: 'at', type: 'timestamp' },
    { name: 'meta', type: 'json' },
    { name: 'big', type: 'int64' },
  ],
};

/** Texts with every character COPY's text format gives a meaning, and Unicode of every width. */
const TEXTS: readonly (readonly [string, string])[] = [
  ['', ''],
  [' ', ' '],
  ['\t', '\t'],
  ['\n', '\n'],
  ['\r', '\r'],
  ['\r\n', '\r\n'],
  ['a\tb\nc\rd\\e', 'a\tb\nc\rd\\e'],
  ['\\', '\\'],
  ['\\\\', '\\\\'],
  ['\\N', '\\N'],
  ['N', 'N'],
  ['\\.', '\\.'],
  ['\\.\n', '\\.\n'],
  ['.', '.'],
  ['ends with \\', 'ends with \\'],
  ['\\t\\n\\r\\b\\f\\v', '\\t\\n\\r\\b\\f\\v'],
  ['\\x41\\101\\u0041', '\\x41\\101\\u0041'],
  ['"quoted", \'single\'; a|b', '"quoted", \'single\'; a|b'],
  ['NULL', 'NULL'],
  ['\u0001\u0008\u000b\u000c\u001b\u001f\u007f', '\u0001\u0008\u000b\u000c\u001b\u001f\u007f'],
  ['é e\u0301 日本語 🎬🎞️ Ω≈ç√∫', 'é e\u0301 日本語 🎬🎞️ Ω≈ç√∫'],
  ['\u{10FFFF}\uFFFF\uFEFF\u2028\u2029\u00a0', '\u{10FFFF}\uFFFF\uFEFF\u2028\u2029\u00a0'],
  // A lone surrogate has no UTF-8: both paths send U+FFFD (Buffer's encoding).
  ['lone \uD800 surrogate', 'lone \uFFFD surrogate'],
  // Longer than a chunk of COPY data (64 Ki code units), with escapes either side of the cut.
  [`${'\\\t'.repeat(40_000)}end`, `${'\\\t'.repeat(40_000)}end`],
];
const INT64S = [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n];
const INT32S = [-(2 ** 31), 2 ** 31 - 1, 0, -1, 7];
/** float64 values, and what both paths read back: -0 is sent as "0" (Number#toString). */
const FLOATS: readonly (readonly [number, number])[] = [
  [Number.NaN, Number.NaN],
  [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
  [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
  [-0, 0],
  [Number.MAX_VALUE, Number.MAX_VALUE],
  [Number.MIN_VALUE, Number.MIN_VALUE],
  [-Number.MIN_VALUE, -Number.MIN_VALUE],
  [0.1 + 0.2, 0.1 + 0.2],
  [1e21, 1e21],
  [-1.5e-7, -1.5e-7],
  [2 ** 53 + 2, 2 ** 53 + 2],
];
const DATES = [
  '1970-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59.999Z',
  '0001-01-01T00:00:00.000Z',
  '1900-02-28T12:00:00.001Z',
  '2024-02-29T23:59:59.999Z',
  '9999-12-31T23:59:59.999Z',
].map((d) => new Date(d));
/** JSON whose text holds backslashes (escapes) and every kind of value. */
const JSONS: JsonValue[] = [
  { tab: 'a\tb', newline: 'c\nd', cr: '\r', backslash: '\\', quote: '"', nul: '\u0000' },
  ['\\N', '\\.', '', 'ü🎬\u2028'],
  'a string',
  '',
  42,
  -0.5,
  true,
  false,
  [],
  {},
  { deep: { deeper: [1, [2, [3, { k: 'v' }]]] } },
];

/** Row `i`: each column cycles through its values; every 9th row is NULL but for its id. */
function rowOf(i: number, id: bigint): { row: Row; expected: Row } {
  if (i % 9 === 8) {
    const nulls = { name: null, n: null, x: null, flag: null, at: null, meta: null, big: null };
    return { row: { id, ...nulls }, expected: { id, ...nulls } };
  }
  const [name, nameBack] = TEXTS[i % TEXTS.length] as readonly [string, string];
  const [x, xBack] = FLOATS[i % FLOATS.length] as readonly [number, number];
  const common = {
    id,
    n: INT32S[i % INT32S.length] as number,
    flag: i % 2 === 0,
    at: DATES[i % DATES.length] as Date,
    meta: JSONS[i % JSONS.length] as JsonValue,
    big: INT64S[i % INT64S.length] as bigint,
  };
  return { row: { ...common, name, x }, expected: { ...common, name: nameBack, x: xBack } };
}

const available = postgresAvailable();

describe.skipIf(!available)('PostgreSQL bulk inserts by COPY', () => {
  let server: PostgresServer;
  let admin: pg.Client;
  const managers: TableManager[] = [];
  beforeAll(async () => {
    server = await startPostgres({ settings: { shared_preload_libraries: 'pg_stat_statements' } });
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE EXTENSION pg_stat_statements');
  });
  afterAll(async () => {
    for (const m of managers) await m.close();
    await admin?.end();
    await server?.close();
  });

  let schemas = 0;
  /** A store of its own; its connections are named `app` (pg_stat_activity.application_name). */
  async function open(app: string, options: { poolSize?: number; copyFromRows?: number } = {}) {
    const schema = `copy_${++schemas}`;
    const url = `${server.url}?application_name=${app}`;
    const engine = new PostgresEngine({ url, schema, poolSize: options.poolSize ?? 2, ...options });
    const db = await TableManager.open(engine, [ITEMS]);
    managers.push(db);
    return { db, schema };
  }

  /** COPY statements the server has run so far. */
  async function copies(): Promise<number> {
    const { rows } = await admin.query<{ n: string | null }>(
      "SELECT sum(calls) AS n FROM pg_stat_statements WHERE query LIKE 'COPY %'",
    );
    return Number(rows[0]?.n ?? 0);
  }

  for (const via of ['autocommit', 'a transaction'] as const) {
    it(`reads back every type exactly, both sides of the threshold, through ${via}`, async () => {
      const { db } = await open(`roundtrip_${via === 'autocommit' ? 'auto' : 'tx'}`);
      const insert = (rows: Row[]) =>
        via === 'autocommit'
          ? db.insert(ITEMS.name, rows)
          : db.transaction((tx) => tx.insert(ITEMS.name, rows));
      let next = 0;
      for (const [size, copied] of [
        [COPY_FROM_ROWS - 1, 0],
        [COPY_FROM_ROWS, 1],
        [COPY_FROM_ROWS * 3 + 7, 1],
      ] as const) {
        const from = next;
        const made = Array.from({ length: size }, () => rowOf(next - from, BigInt(next++)));
        const before = await copies();
        await insert(made.map((m) => m.row));
        expect({ size, copies: (await copies()) - before }).toEqual({ size, copies: copied });
        const back = await db.select(ITEMS.name, {
          where: where(col('id').ge(BigInt(from))),
          orderBy: [{ column: 'id' }],
        });
        expect(back.length).toBe(size);
        // Row by row: a failure names the row (toEqual tells -0 from 0 and takes NaN as NaN).
        for (const [i, m] of made.entries())
          expect({ size, i, row: back[i] }).toEqual({ size, i, row: m.expected });
      }
    });
  }

  it('rolls back a transaction whose COPY fails part way, and the next one works', async () => {
    const { db } = await open('midway', { poolSize: 1 });
    const backend = async () => {
      const { rows } = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'midway'",
      );
      return rows.map((r) => r.pid);
    };
    const [pid] = await backend();
    const good = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => rowOf(i, BigInt(from + i)).row);
    // A date PostgreSQL cannot store, halfway through the data: the server refuses it mid-COPY.
    const rows = good(100, COPY_FROM_ROWS * 4);
    rows[COPY_FROM_ROWS * 2] = { id: 1n, at: new Date(-8.64e15) };
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(ITEMS.name, good(0, 10));
        await tx.insert(ITEMS.name, rows);
      }),
    ).rejects.toMatchObject({ code: 'invalid_value' });
    // The server's own account: the COPY got as far as that row (a failed statement does not
    // count in pg_stat_statements).
    expect(server.log()).toContain(`COPY items, line ${COPY_FROM_ROWS * 2 + 1}, column at`);
    expect(await db.count(ITEMS.name)).toBe(0);
    // The same connection, out of COPY and out of the transaction, takes the next ones.
    await db.transaction(async (tx) => {
      await tx.insert(ITEMS.name, good(0, 10));
      await tx.insert(ITEMS.name, good(100, COPY_FROM_ROWS));
    });
    await db.insert(ITEMS.name, good(1000, COPY_FROM_ROWS));
    expect(await db.count(ITEMS.name)).toBe(10 + 2 * COPY_FROM_ROWS);
    expect(await backend()).toEqual([pid]);
  });

  it('ends with CopyFail a COPY whose data cannot go on, leaving the connection usable', async () => {
    const { schema } = await open('abandon');
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const stop = new Error('the data cannot go on');
      function* data() {
        yield '1\tone\n';
        yield '2\ttwo\n';
        throw stop;
      }
      const sql = `COPY "${schema}"."items" (id, name) FROM STDIN (FORMAT text)`;
      await expect(copyIn(client, sql, data())).rejects.toBe(stop);
      // Would wait forever behind a COPY left open.
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}"."items"`);
      expect(rows).toEqual([{ n: 0 }]);
      expect(await copyIn(client, sql, ['3\tthree\n', '4\t\\N\n'])).toBe(2);
      const back = await client.query(`SELECT id::int, name FROM "${schema}"."items" ORDER BY id`);
      expect(back.rows).toEqual([
        { id: 3, name: 'three' },
        { id: 4, name: null },
      ]);
    } finally {
      await client.end();
    }
    // A COPY left open shows as this test's timeout: SELECT takes well under a second.
  }, 30_000);
});
