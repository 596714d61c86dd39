import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeEngineContract } from '../../db.contract.ts';
import type { Engine, TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { col, where } from '../../predicate.ts';
import { createDuckDbEngine } from './duckdb.engine.ts';

const dir = await mkdtemp(join(tmpdir(), 'tams-duckdb-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeEngineContract('duckdb in memory', () => createDuckDbEngine({ path: ':memory:' }));
describeEngineContract(
  'duckdb file',
  (store) => createDuckDbEngine({ path: join(dir, store, 'db.duckdb') }),
  {
    persistent: true,
  },
);

const ITEMS: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'label', type: 'string' },
    { name: 'meta', type: 'json' },
  ],
};

let counter = 0;
const newPath = () => join(dir, `specific-${++counter}`, 'nested', 'db.duckdb');

/** Runs raw SQL on a file with a separate instance (closed before the engine opens the file). */
async function rawSql(path: string, sql: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  await conn.run(sql);
  conn.closeSync();
  instance.closeSync();
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('duckdb engine', () => {
  const open: Engine[] = [];
  afterEach(async () => {
    for (const engine of open.splice(0)) await engine.close();
  });
  const engineAt = async (path: string) => {
    const engine = await createDuckDbEngine({ path });
    open.push(engine);
    return engine;
  };

  it('creates parent directories, checkpoints on close and reopens with all data', async () => {
    const path = newPath();
    const db = await TableManager.open(await engineAt(path), [ITEMS]);
    await db.insert(
      'items',
      Array.from({ length: 5000 }, (_, i) => ({ id: BigInt(i), label: `l${i}` })),
    );
    await db.insert('items', [{ id: 5000n, meta: { last: true } }]);
    await db.update('items', where(col('id').lt(10n)), { label: 'first ten' });
    await db.close();
    expect(existsSync(path)).toBe(true);
    expect(existsSync(`${path}.wal`)).toBe(false);
    const again = await TableManager.open(await engineAt(path), [ITEMS]);
    expect(await again.count('items')).toBe(5001);
    expect(await again.count('items', where(col('label').eq('first ten')))).toBe(10);
    expect(await again.select('items', { where: where(col('id').eq(5000n)), columns: ['meta'] })).toEqual([
      { meta: { last: true } },
    ]);
  });

  it('indexes the lookup columns of a definition, on a new table and on an existing one', async () => {
    const path = newPath();
    const indexes = async () => {
      const instance = await DuckDBInstance.create(path);
      const conn = await instance.connect();
      const rows = await (await conn.run('SELECT index_name FROM duckdb_indexes() ORDER BY 1')).getRows();
      conn.closeSync();
      instance.closeSync();
      return rows.map((r) => r[0]);
    };
    const plain = await TableManager.open(await engineAt(path), [ITEMS]);
    await plain.insert(
      'items',
      Array.from({ length: 3000 }, (_, i) => ({ id: BigInt(i), label: `l${i % 7}` })),
    );
    await plain.close();
    expect(await indexes()).toEqual([]);
    const indexed = await TableManager.open(await engineAt(path), [{ ...ITEMS, lookups: ['id'] }]);
    await indexed.delete('items', where(col('id').in([5n, 6n, 7n])));
    await indexed.insert('items', [{ id: 6n, label: 'again' }]);
    const ids = [1n, 5n, 6n, 2999n, 4000n];
    expect(
      (await indexed.select('items', { where: where(col('id').in(ids)), orderBy: [{ column: 'id' }] })).map(
        (r) => [r.id, r.label],
      ),
    ).toEqual([
      [1n, 'l1'],
      [6n, 'again'],
      [2999n, `l${2999 % 7}`],
    ]);
    await indexed.close();
    expect(await indexes()).toEqual(['items__id__lookup']);
    // Opening again changes nothing.
    await (await TableManager.open(await engineAt(path), [{ ...ITEMS, lookups: ['id'] }])).close();
    expect(await indexes()).toEqual(['items__id__lookup']);
  });

  it('close waits for writes already started', async () => {
    const path = newPath();
    const db = await TableManager.open(await engineAt(path), [ITEMS]);
    // The transaction is held open until close() has been called: close must wait for it.
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const writes = [
      db.insert(
        'items',
        Array.from({ length: 20_000 }, (_, i) => ({ id: BigInt(i) })),
      ),
      db.transaction(async (tx) => {
        entered();
        await held;
        await tx.insert('items', [{ id: -1n }]);
      }),
    ];
    await inside;
    const closing = db.close();
    release();
    await closing;
    await Promise.all(writes);
    const again = await TableManager.open(await engineAt(path), [ITEMS]);
    expect(await again.count('items')).toBe(20_001);
  });

  it('reads outside a transaction see only committed data', async () => {
    const db = await TableManager.open(await engineAt(':memory:'), [ITEMS]);
    const written = deferred();
    const release = deferred();
    const tx = db.transaction(async (t) => {
      await t.insert('items', [{ id: 1n }]);
      await t.insert(
        'items',
        Array.from({ length: 100 }, (_, i) => ({ id: BigInt(100 + i) })),
      );
      await t.update('items', where(col('id').eq(1n)), { label: 'in tx' });
      written.resolve();
      await release.promise;
    });
    await written.promise;
    expect(await db.count('items')).toBe(0);
    expect(await db.select('items')).toEqual([]);
    release.resolve();
    await tx;
    expect(await db.count('items')).toBe(101);
  });

  it('appender rows written in a transaction vanish on rollback', async () => {
    const engine = await engineAt(':memory:');
    await TableManager.open(engine, [ITEMS]);
    await expect(
      engine.transaction(async (tx) => {
        await tx.insert(
          'items',
          Array.from({ length: 10_000 }, (_, i) => ({ id: BigInt(i), label: null, meta: null })),
        );
        expect(await tx.count('items')).toBe(10_000);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await engine.session.count('items')).toBe(0);
  });

  it('appends single rows in a transaction: seen inside, committed or rolled back with it', async () => {
    const engine = await engineAt(':memory:');
    await TableManager.open(engine, [ITEMS]);
    await engine.transaction(async (tx) => {
      await tx.insert('items', [{ id: 1n, label: 'one', meta: '{"a":1}' }]);
      await tx.insert('items', [{ id: 2n }]);
      expect(await tx.select('items', { orderBy: [{ column: 'id' }] })).toEqual([
        { id: 1n, label: 'one', meta: '{"a":1}' },
        { id: 2n, label: null, meta: null },
      ]);
    });
    await expect(
      engine.transaction(async (tx) => {
        await tx.insert('items', [{ id: 3n }]);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await engine.session.select('items', { columns: ['id'], orderBy: [{ column: 'id' }] })).toEqual([
      { id: 1n },
      { id: 2n },
    ]);
    // Rows without a column are refused the same way in and out of a transaction.
    await expect(engine.session.insert('items', [{}])).rejects.toThrow('rows have no columns');
    await expect(engine.transaction((tx) => tx.insert('items', [{}]))).rejects.toThrow(
      'rows have no columns',
    );
  });

  it('serves many concurrent reads while writes are queued', async () => {
    const db = await TableManager.open(await engineAt(':memory:'), [ITEMS]);
    await db.insert(
      'items',
      Array.from({ length: 1000 }, (_, i) => ({ id: BigInt(i), label: `l${i % 10}` })),
    );
    const reads = Array.from({ length: 40 }, (_, i) =>
      db.count('items', where(col('label').eq(`l${i % 10}`))),
    );
    const writes = Array.from({ length: 10 }, (_, i) =>
      db.insert('items', [{ id: BigInt(5000 + i), label: 'w' }]),
    );
    const counts = await Promise.all(reads);
    await Promise.all(writes);
    for (const c of counts) expect(c).toBe(100);
    expect(await db.count('items', where(col('label').eq('w')))).toBe(10);
  });

  it('stores json columns as DuckDB JSON and accepts a declared json column over VARCHAR', async () => {
    const path = newPath();
    await rawSql(path, `CREATE TABLE items (id BIGINT, label VARCHAR, meta VARCHAR)`);
    const db = await TableManager.open(await engineAt(path), [
      ITEMS,
      { name: 'other', columns: ITEMS.columns },
    ]);
    await db.insert('items', [{ id: 1n, meta: { a: [1] } }]);
    expect(await db.select('items', { columns: ['meta'] })).toEqual([{ meta: { a: [1] } }]);
    const other = await db.engine.describeTable('other');
    expect(other?.columns.find((c) => c.name === 'meta')?.type).toBe('json');
  });

  it('fills columns of types it cannot express with NULL and hides them', async () => {
    const path = newPath();
    await rawSql(path, `CREATE TABLE items (id BIGINT, vec FLOAT[3], label VARCHAR, meta JSON)`);
    const engine = await engineAt(path);
    const info = await engine.describeTable('items');
    expect(info?.columns.map((c) => c.name)).toEqual(['id', 'label', 'meta']);
    const db = await TableManager.open(engine, [ITEMS]);
    await db.insert('items', [{ id: 1n, label: 'one' }]);
    await db.insert(
      'items',
      Array.from({ length: 50 }, (_, i) => ({ id: BigInt(10 + i), label: 'bulk' })),
    );
    expect(await db.count('items')).toBe(51);
    expect(await db.select('items', { where: where(col('id').eq(1n)) })).toEqual([
      { id: 1n, label: 'one', meta: null },
    ]);
  });

  it('refuses calls after close', async () => {
    const engine = await createDuckDbEngine({ path: ':memory:' });
    await engine.close();
    await engine.close();
    await expect(engine.session.count('x')).rejects.toMatchObject({ code: 'closed' });
    await expect(engine.transaction(async () => 1)).rejects.toMatchObject({ code: 'closed' });
    await expect(engine.listTables()).rejects.toMatchObject({ code: 'closed' });
  });
  it('checkpoints the WAL itself once it passes checkpointBytes, and DuckDB never does in a COMMIT', async () => {
    const path = newPath();
    const engine = await createDuckDbEngine({ path, checkpointBytes: 256 * 1024 });
    open.push(engine);
    const db = await TableManager.open(engine, [ITEMS]);
    const label = 'x'.repeat(2000);
    let id = 0n;
    const walBytes = () => (existsSync(`${path}.wal`) ? statSync(`${path}.wal`).size : 0);
    // Each transaction leaves ~100 KB of WAL: the third passes the threshold.
    for (let t = 0; t < 3; t++) {
      await db.transaction((tx) =>
        tx.insert(
          'items',
          Array.from({ length: 50 }, () => ({ id: id++, label })),
        ),
      );
    }
    for (let waited = 0; walBytes() > 256 * 1024 && waited < 5000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(walBytes()).toBeLessThan(256 * 1024);
    expect(await db.count('items')).toBe(150);

    // With a threshold of its own far away, the WAL grows past DuckDB's default 16 MB.
    const bigPath = newPath();
    const big = await createDuckDbEngine({ path: bigPath, checkpointBytes: 2 ** 40 });
    open.push(big);
    const bigDb = await TableManager.open(big, [ITEMS]);
    const wide = 'y'.repeat(100_000);
    for (let t = 0; t < 20; t++) {
      await bigDb.transaction((tx) =>
        tx.insert(
          'items',
          Array.from({ length: 10 }, () => ({ id: id++, label: wide })),
        ),
      );
    }
    // A read makes DuckDB take what the append journal holds (the transactions only appended).
    expect(await bigDb.count('items')).toBe(200);
    expect(statSync(`${bigPath}.wal`).size).toBeGreaterThan(16 * 2 ** 20);
  });

  it('stores lone surrogates as U+FFFD whichever way rows are inserted', async () => {
    const db = await TableManager.open(await engineAt(':memory:'), [ITEMS]);
    await db.insert('items', [{ id: 1n, label: 'a\ud800b' }]);
    await db.transaction((tx) => tx.insert('items', [{ id: 2n, label: 'a\ud800b' }]));
    await db.transaction((tx) =>
      tx.insert(
        'items',
        Array.from({ length: 300 }, (_, i) => ({ id: BigInt(3 + i), label: 'a\ud800b' })),
      ),
    );
    const labels = new Set((await db.select('items', { columns: ['label'] })).map((r) => r.label));
    expect([...labels]).toEqual(['a\ufffdb']);
  });

  it('runs the same insert statement again and again in one transaction', async () => {
    const db = await TableManager.open(await engineAt(':memory:'), [ITEMS]);
    await db.transaction(async (tx) => {
      for (let i = 0; i < 20; i++) await tx.insert('items', [{ id: BigInt(i), meta: { i } }]);
      expect(await tx.count('items')).toBe(20);
    });
    expect(await db.count('items')).toBe(20);
    expect(await db.select('items', { where: where(col('id').eq(19n)), columns: ['meta'] })).toEqual([
      { meta: { i: 19 } },
    ]);
  });
});
