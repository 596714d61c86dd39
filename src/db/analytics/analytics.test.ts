import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEngine } from '../../../test/support/db/contract/memory.engine.ts';
import { DbError } from '../db.errors.ts';
import type { Engine, TableDef } from '../db.types.ts';
import { type AnyEngineSettings, openAnalytics, openEngine } from '../engine.factory.ts';
import { TableManager } from '../manager.ts';
import { and, col } from '../predicate.ts';
import type { Analytics } from './analytics.ts';
import type { AggregateQuery, IslandsQuery } from './analytics.types.ts';

/**
 * The analytic queries on every executor: the embedded engine's SQL on its own tables, and
 * hybrid analytics over an engine without its own (the JS reference engine, standing for
 * VAST): the same figures from each.
 */

const TABLES: TableDef[] = [
  {
    name: 'seg',
    columns: [
      { name: 'flow', type: 'string' },
      { name: 's', type: 'int64' },
      { name: 'e', type: 'int64' },
      { name: 'si', type: 'boolean' },
      { name: 'ei', type: 'boolean' },
      { name: 'obj', type: 'string' },
      { name: 'at', type: 'timestamp' },
      { name: 'meta', type: 'json' },
    ],
  },
  {
    name: 'sizes',
    columns: [
      { name: 'obj', type: 'string' },
      { name: 'size', type: 'int64' },
    ],
  },
  {
    // Intervals at the ends of int64 (differences and sums past it); `s` and `e` never null.
    name: 'ends',
    columns: [
      { name: 's', type: 'int64', nullable: false },
      { name: 'e', type: 'int64', nullable: false },
      { name: 'si', type: 'boolean' },
      { name: 'ei', type: 'boolean' },
    ],
  },
];
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

const seg = (flow: string, s: number, e: number, si: boolean, ei: boolean, obj: string, hour: number) => ({
  flow,
  s: BigInt(s),
  e: BigInt(e),
  si,
  ei,
  obj,
  at: new Date(Date.UTC(2026, 0, 1, hour, 30)),
  meta: { n: s },
});

const ROWS = [
  seg('a', 0, 10, true, false, 'o1', 0),
  seg('a', 10, 20, true, false, 'o2', 0),
  seg('a', 25, 30, true, false, 'o2', 1),
  seg('a', 30, 40, false, false, 'o3', 1),
  seg('a', -20, -10, true, false, 'o4', 2),
  seg('b', 0, 5, true, false, 'o9', 2),
];

const settings: AnyEngineSettings = {
  TAMS_DB: 'duckdb',
  TAMS_DATA_DIR: tmpdir(),
  TAMS_DUCKDB_MEMORY_LIMIT: 'auto',
  TAMS_DUCKDB_THREADS: 2,
  TAMS_DUCKDB_CHECKPOINT_MB: 64,
};

const EXECUTORS: [string, () => Promise<Engine>][] = [
  ['DuckDB (its own tables)', () => openEngine(settings, { memory: true })],
  ['hybrid (memory engine)', async () => new MemoryEngine({ tables: new Map() })],
];

const range = { start: 's', end: 'e', startIncl: 'si', endIncl: 'ei' };
const flowA = { table: 'seg', columns: ['s', 'e', 'si', 'ei'], where: and(col('flow').eq('a')) };
const islands = (extra: Partial<IslandsQuery> = {}): IslandsQuery => ({
  kind: 'islands',
  from: flowA,
  interval: range,
  limit: 10,
  ...extra,
});

describe.each(EXECUTORS)('analytics on %s', (_name, make) => {
  let manager: TableManager;
  let analytics: Analytics;
  let dir: string;
  beforeAll(async () => {
    manager = await TableManager.open(await make(), TABLES);
    await manager.insert('seg', ROWS);
    await manager.insert('ends', [
      { s: I64_MIN, e: I64_MIN + 10n, si: true, ei: false },
      { s: 0n, e: 10n, si: true, ei: false },
      { s: I64_MAX - 10n, e: I64_MAX, si: true, ei: true },
    ]);
    await manager.insert('sizes', [
      { obj: 'o1', size: 100n },
      { obj: 'o2', size: 50n },
      { obj: 'o9', size: 7n },
    ]);
    dir = mkdtempSync(join(tmpdir(), 'tams-analytics-test-'));
    analytics = openAnalytics(manager, { tempDir: dir });
  });
  afterAll(async () => {
    await analytics.close();
    await manager.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('groups by a floor of an int64 (negatives floor down), with sums, distinct sums and conditions', async () => {
    const rows = await analytics.aggregate({
      kind: 'aggregate',
      from: { table: 'seg', columns: ['s', 'e', 'obj'], where: and(col('flow').eq('a')) },
      joins: [
        { as: 'z', input: { table: 'sizes', columns: ['obj', 'size'] }, on: ['obj', 'obj'], kind: 'left' },
      ],
      groupBy: { b: { floor: { col: 's' }, step: 20n } },
      measures: {
        n: { fn: 'count' },
        dur: { fn: 'sum', of: { sub: [{ col: 'e' }, { col: 's' }] } },
        bytes: { fn: 'sum', of: { col: 'size', from: 'z' }, distinctOn: { col: 'obj' } },
        unsized: { fn: 'countDistinct', of: { col: 'obj' }, where: { isNull: { col: 'size', from: 'z' } } },
        q: { fn: 'quantiles', of: { sub: [{ col: 'e' }, { col: 's' }] }, at: [0.5, 0.99] },
        first: { fn: 'argMin', of: { col: 'e' }, by: { col: 's' } },
      },
      orderBy: [{ by: 'b' }],
    });
    expect(rows).toEqual([
      { b: -20n, n: 1n, dur: 10n, bytes: null, unsized: 1n, q: [10n, 10n], first: -10n },
      { b: 0n, n: 2n, dur: 20n, bytes: 150n, unsized: 0n, q: [10n, 10n], first: 10n },
      // o2 again (once per group), o3 without a size.
      { b: 20n, n: 2n, dur: 15n, bytes: 50n, unsized: 1n, q: [5n, 10n], first: 30n },
    ]);
  });

  it('computes past int64 where the values need it: floors held at its minimum, wide sums and holes', async () => {
    const ends = { table: 'ends', columns: ['s', 'e', 'si', 'ei'] };
    const duration = { sub: [{ col: 'e' }, { col: 's' }] } as const;
    const rows = await analytics.aggregate({
      kind: 'aggregate',
      from: ends,
      groupBy: { b: { floor: { col: 's' }, step: 1000n } },
      measures: { n: { fn: 'count' }, dur: { fn: 'sum', of: duration }, span: { fn: 'max', of: duration } },
      orderBy: [{ by: 'b' }],
    });
    const one = { n: 1n, dur: 10n, span: 10n };
    expect(rows).toEqual([
      { b: I64_MIN, ...one },
      { b: 0n, ...one },
      { b: I64_MAX - 10n - ((I64_MAX - 10n) % 1000n), ...one },
    ]);
    // The whole range as one difference (of a joined column: the row by row path).
    const [whole] = await analytics.aggregate({
      kind: 'aggregate',
      from: ends,
      measures: { span: { fn: 'max', of: { sub: [{ col: 'e' }, { col: 's', from: 'x' }] } } },
      joins: [{ as: 'x', input: ends, on: ['si', 'si'], kind: 'left' }],
    });
    expect(whole).toEqual({ span: I64_MAX - I64_MIN });
    const result = await analytics.islands({ kind: 'islands', from: ends, interval: range, limit: 10 });
    expect(result).toMatchObject({ islands: 3, covered: 30n, holes: I64_MAX - I64_MIN - 30n });
    const bridged = await analytics.islands({
      kind: 'islands',
      from: ends,
      interval: range,
      bridge: I64_MAX,
      limit: 10,
    });
    expect(bridged.islands).toBe(1);
  });

  it('pages groups by key, orders by measures, truncates timestamps', async () => {
    const base = {
      kind: 'aggregate' as const,
      from: { table: 'seg', columns: ['flow', 'at'] },
      groupBy: { hour: { trunc: { col: 'at' }, unit: 'hour' as const } },
      measures: { n: { fn: 'count' as const } },
      orderBy: [{ by: 'hour' }],
      limit: 2,
    };
    const first = await analytics.aggregate(base);
    expect(first).toEqual([
      { hour: new Date(Date.UTC(2026, 0, 1, 0)), n: 2n },
      { hour: new Date(Date.UTC(2026, 0, 1, 1)), n: 2n },
    ]);
    const next = await analytics.aggregate({ ...base, after: { by: 'hour', value: first[1]?.hour as Date } });
    expect(next).toEqual([{ hour: new Date(Date.UTC(2026, 0, 1, 2)), n: 2n }]);
    const top = await analytics.aggregate({
      kind: 'aggregate',
      from: { table: 'seg', columns: ['flow'] },
      groupBy: { flow: { col: 'flow' } },
      measures: { n: { fn: 'count' } },
      orderBy: [{ by: 'n', direction: 'desc' }],
      limit: 1,
    });
    expect(top).toEqual([{ flow: 'a', n: 5n }]);
  });

  it('keeps (semi) or drops (anti) the rows with a match, one row without groups even when empty', async () => {
    const count = (kind: 'semi' | 'anti') =>
      analytics.aggregate({
        kind: 'aggregate',
        from: { table: 'seg', columns: ['obj'] },
        joins: [{ as: 'z', input: { table: 'sizes', columns: ['obj'] }, on: ['obj', 'obj'], kind }],
        measures: { n: { fn: 'count' }, objects: { fn: 'countDistinct', of: { col: 'obj' } } },
      });
    expect(await count('semi')).toEqual([{ n: 4n, objects: 3n }]);
    expect(await count('anti')).toEqual([{ n: 2n, objects: 2n }]);
    const none = await analytics.aggregate({
      kind: 'aggregate',
      from: { table: 'seg', columns: ['s'], where: and(col('flow').eq('nobody')) },
      measures: {
        n: { fn: 'count' },
        total: { fn: 'sum', of: { col: 's' } },
        q: { fn: 'quantiles', of: { col: 's' }, at: [0.5] },
      },
    });
    expect(none).toEqual([{ n: 0n, total: null, q: null }]);
  });

  it('merges adjacent intervals into islands; a single missing instant is a hole', async () => {
    const result = await analytics.islands(islands());
    expect(result.spans).toEqual([
      { start: -20n, end: -10n, startIncl: true, endIncl: false },
      { start: 0n, end: 20n, startIncl: true, endIncl: false },
      { start: 25n, end: 30n, startIncl: true, endIncl: false },
      { start: 30n, end: 40n, startIncl: false, endIncl: false },
    ]);
    expect(result).toMatchObject({ islands: 4, covered: 45n, holes: 10n + 5n + 0n, intervals: 5 });
    expect(result.next).toBeUndefined();
    expect(result.last).toEqual({ start: 30n, end: 40n, startIncl: false, endIncl: false });
  });

  it('bridges holes up to `bridge`, pages by start, and cuts to a range', async () => {
    expect((await analytics.islands(islands({ bridge: 5n }))).spans).toEqual([
      { start: -20n, end: -10n, startIncl: true, endIncl: false },
      { start: 0n, end: 40n, startIncl: true, endIncl: false },
    ]);
    const page = await analytics.islands(islands({ limit: 1, after: -20n }));
    expect(page.spans).toEqual([{ start: 0n, end: 20n, startIncl: true, endIncl: false }]);
    expect(page.next).toEqual({ start: 25n, end: 30n, startIncl: true, endIncl: false });
    const cut = await analytics.islands(
      islands({ clip: { start: 5n, end: 30n, startIncl: false, endIncl: true } }),
    );
    expect(cut.spans).toEqual([
      { start: 5n, end: 20n, startIncl: false, endIncl: false },
      { start: 25n, end: 30n, startIncl: true, endIncl: false },
    ]);
    expect(cut).toMatchObject({ islands: 2, covered: 20n, holes: 5n, intervals: 3 });
  });

  it('exports a filtered, ordered table as CSV and Parquet, streamed from a growing file', async () => {
    const csv = analytics.export(
      {
        from: { table: 'seg', columns: ['flow', 's', 'meta'], where: and(col('s').ge(0n)) },
        orderBy: [{ column: 's', direction: 'desc' }],
        limit: 3,
      },
      'csv',
    );
    let text = '';
    for await (const chunk of csv.stream) text += String(chunk);
    expect(text).toBe('flow,s,meta\na,30,"{""n"":30}"\na,25,"{""n"":25}"\na,10,"{""n"":10}"\n');
    expect(await csv.rows).toBe(3);
    const parquet = analytics.export({ from: { table: 'sizes', columns: ['obj', 'size'] } }, 'parquet');
    const chunks: Buffer[] = [];
    for await (const chunk of parquet.stream) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(bytes.subarray(-4).toString()).toBe('PAR1');
    expect(await parquet.rows).toBe(3);
  });

  it('runs while a write transaction holds the writer (reports never take it)', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const writing = manager.transaction(async (tx) => {
      await tx.insert('sizes', [{ obj: 'o5', size: 1n }]);
      entered();
      await held;
    });
    await inside;
    // The transaction is open and uncommitted: the report reads the committed data beside it.
    const rows = await analytics.aggregate({
      kind: 'aggregate',
      from: { table: 'sizes', columns: ['obj'] },
      measures: { n: { fn: 'count' } },
    });
    expect(rows).toEqual([{ n: 3n }]);
    release();
    await writing;
    await manager.delete('sizes', and(col('obj').eq('o5')));
  });

  it('refuses what it cannot check: unknown columns, a column not among its input, bad names', async () => {
    const bad: AggregateQuery[] = [
      {
        kind: 'aggregate' as const,
        from: { table: 'seg', columns: ['nope'] },
        measures: { n: { fn: 'count' as const } },
      },
      {
        kind: 'aggregate' as const,
        from: { table: 'seg', columns: ['s'] },
        measures: { n: { fn: 'sum' as const, of: { col: 'e' } } },
      },
      {
        kind: 'aggregate' as const,
        from: { table: 'seg', columns: ['s'] },
        measures: { 'Bad-Name': { fn: 'count' as const } },
      },
      {
        kind: 'aggregate' as const,
        from: { table: 'seg', columns: ['obj'] },
        measures: { n: { fn: 'sum' as const, of: { col: 'obj' } } },
      },
    ];
    for (const q of bad) await expect(analytics.aggregate(q)).rejects.toBeInstanceOf(DbError);
  });
});
