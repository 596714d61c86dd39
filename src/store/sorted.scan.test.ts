/**
 * sortedPage on every engine (DuckDB in memory, the VAST fake, PostgreSQL when its binaries are
 * here): paging through a table with unset values, ties, strings beyond the BMP and an empty
 * string, in each listing order, gives exactly the order listing.order.ts defines (and pageOf
 * gives in memory), with no row twice and none missed, whatever the page and batch sizes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEngine } from '../../test/support/db/engine.testkit.ts';
import { testEngine } from '../../test/support/db/engines/vast/vast.testkit.ts';
import { postgresAvailable, startPostgres } from '../../tools/postgres/postgres.server.ts';
import { type FakeVast, startFakeVast } from '../../tools/vast-fake/fake.server.ts';
import type { Engine, Row, TableDef } from '../db/db.types.ts';
import { PostgresEngine } from '../db/engines/postgres/postgres.engine.ts';
import { TableManager } from '../db/manager.ts';
import { col } from '../db/predicate.ts';
import { compareListed, listingOrder, pageOf, type SortCursor, type SortKind } from './listing.order.ts';
import { sortedPage } from './sorted.scan.ts';

const TABLE: TableDef = {
  name: 'listing',
  columns: [
    { name: 'id', type: 'string', nullable: false },
    { name: 'at', type: 'timestamp' },
    { name: 'name', type: 'string' },
    { name: 'keep', type: 'boolean', nullable: false },
  ],
};

const DATES = [null, new Date('2024-01-01T00:00:00Z'), new Date('2025-06-01T12:00:00.001Z'), new Date(0)];
const NAMES = [null, 'b', 'a', 'B', '', 'ä', '\u{1F600}', '\uFFFD'];

/** 61 rows: every combination recurs, so ties and unset values are many. */
const ROWS: Row[] = Array.from({ length: 61 }, (_, i) => ({
  id: `${(i * 37) % 61}`.padStart(3, '0') + (i % 2 === 0 ? 'x' : ''),
  at: DATES[i % DATES.length] ?? null,
  name: NAMES[(i * 3) % NAMES.length] ?? null,
  keep: i % 5 !== 0,
}));

const COLUMN: Record<SortKind, 'at' | 'name'> = { datetime: 'at', string: 'name' };
const keyOf = (column: string) => (row: Row) => ({
  value: (row[column] ?? null) as SortCursor['value'],
  id: row.id as string,
});
/** Rows the engine cannot filter (a listing's `accept`). */
const accept = (row: Row) => !(row.id as string).endsWith('7');

interface Case {
  kind: SortKind;
  reverse: boolean;
  limit: number;
  batch?: number;
}
const CASES: Case[] = (['datetime', 'string'] as const).flatMap((kind) =>
  [false, true].flatMap((reverse) => [
    { kind, reverse, limit: 1 },
    { kind, reverse, limit: 6 },
    { kind, reverse, limit: 100 },
    { kind, reverse, limit: 4, batch: 3 },
  ]),
);

function engines(): [string, () => Promise<Engine>][] {
  let vast: FakeVast | undefined;
  let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
  beforeAll(async () => {
    vast = await startFakeVast();
    if (postgresAvailable()) postgres = await startPostgres();
  });
  afterAll(async () => {
    await vast?.close();
    await postgres?.close();
  });
  const list: [string, () => Promise<Engine>][] = [
    ['duckdb', memoryEngine],
    ['vast (fake server)', async () => testEngine(vast as FakeVast, 'sorted_scan')],
  ];
  if (postgresAvailable()) {
    list.push([
      'postgres',
      async () => new PostgresEngine({ url: postgres?.url ?? '', schema: 'sorted_scan', poolSize: 2 }),
    ]);
  }
  return list;
}

describe.each(engines())('sortedPage on %s', (_name, open) => {
  let db: TableManager;
  beforeAll(async () => {
    db = await TableManager.open(await open(), [TABLE]);
    await db.insert(TABLE.name, ROWS);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each(CASES)('lists in the ADR 0052 order: %o', async ({ kind, reverse, limit, batch }) => {
    const column = COLUMN[kind];
    const order = listingOrder(kind, reverse);
    const expected = ROWS.filter((r) => r.keep === true && accept(r))
      .map(keyOf(column))
      .sort((a, b) => compareListed(order, a, b));
    const seen: SortCursor[] = [];
    const fromMemory: SortCursor[] = [];
    let after: SortCursor | undefined;
    let memoryAfter: SortCursor | undefined;
    for (let pages = 0; pages <= expected.length; pages++) {
      const page = await sortedPage(
        db,
        TABLE.name,
        { column, order, where: [col('keep').eq(true)], accept, ...(batch && { batch }) },
        after,
        limit,
      );
      expect(page.rows.length).toBeLessThanOrEqual(limit);
      seen.push(...page.rows.map(keyOf(column)));
      const memory = pageOf(
        ROWS.filter((r) => r.keep === true && accept(r)),
        keyOf(column),
        order,
        memoryAfter,
        limit,
      );
      fromMemory.push(...memory.items.map(keyOf(column)));
      expect(page.next).toEqual(memory.next);
      if (page.next === undefined) break;
      expect(page.next).toEqual(seen.at(-1));
      after = page.next;
      memoryAfter = memory.next;
    }
    expect(seen).toEqual(expected);
    expect(fromMemory).toEqual(expected);
  });

  it('puts unset values after the rest, and before them reversed', async () => {
    const order = listingOrder('datetime', false);
    const all = await sortedPage(db, TABLE.name, { column: 'at', order, where: [] }, undefined, 100);
    const unset = all.rows.findIndex((r) => r.at === null);
    expect(all.rows.slice(unset).every((r) => r.at === null)).toBe(true);
    expect(all.rows[0]?.at).toEqual(DATES[2]);
    const reversed = await sortedPage(
      db,
      TABLE.name,
      { column: 'at', order: listingOrder('datetime', true), where: [] },
      undefined,
      100,
    );
    expect(reversed.rows.map((r) => r.id)).toEqual(all.rows.map((r) => r.id).reverse());
  });
});
