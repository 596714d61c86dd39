import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeEngineContract } from '../../db.contract.ts';
import type { Engine, TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { createThreadedDuckDbEngine } from './duckdb.threaded.ts';

const dir = await mkdtemp(join(tmpdir(), 'tams-duckdb-thread-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The server's engine: the contract on a file (the in-memory variant adds nothing the file one
// does not cover, and each engine start costs a thread).
describeEngineContract(
  'duckdb on its own thread',
  (store) => createThreadedDuckDbEngine({ path: join(dir, store, 'db.duckdb') }),
  { persistent: true },
);

const ITEMS: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'label', type: 'string' },
  ],
};
const rows = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), label: `l${from + i}` }));

describe('duckdb on its own thread', () => {
  const open: Engine[] = [];
  afterEach(async () => {
    for (const engine of open.splice(0)) await engine.close();
  });
  const start = async () => {
    const engine = await createThreadedDuckDbEngine({ path: ':memory:' });
    open.push(engine);
    await TableManager.open(engine, [ITEMS]);
    return engine;
  };

  it('commits nothing when an insert held for the commit fails there', async () => {
    const engine = await start();
    // Held inserts resolve at once; the failing one fails the commit it travels with.
    const committing = engine.transaction(async (tx) => {
      await tx.insert('items', rows(0, 50));
      await tx.insert('no_such_table', [{ id: 1n }]);
      return 'done';
    });
    await expect(committing).rejects.toMatchObject({ name: 'DbError', code: 'unknown_table' });
    expect(await engine.session.count('items')).toBe(0);
    // The writer is free again.
    await engine.transaction((tx) => tx.insert('items', rows(0, 3)));
    expect(await engine.session.count('items')).toBe(3);
  });

  it('fails the next call of the transaction when a held insert fails before it', async () => {
    const engine = await start();
    let seen: unknown;
    await expect(
      engine.transaction(async (tx) => {
        await tx.insert('items', rows(0, 5));
        await tx.insert('no_such_table', [{ id: 1n }]);
        try {
          await tx.count('items');
        } catch (error) {
          seen = error;
          throw error;
        }
      }),
    ).rejects.toMatchObject({ code: 'unknown_table' });
    expect(seen).toMatchObject({ code: 'unknown_table' });
    expect(await engine.session.count('items')).toBe(0);
  });

  it('sends held inserts before a read of the same transaction, in call order', async () => {
    const engine = await start();
    const counts = await engine.transaction(async (tx) => {
      await tx.insert('items', rows(0, 20));
      const first = await tx.count('items');
      await tx.insert('items', rows(20, 5));
      await tx.delete('items', { all: [{ column: 'id', any: [{ op: 'lt', value: 10n }] }] });
      return [first, await tx.count('items')];
    });
    expect(counts).toEqual([20, 15]);
    expect(await engine.session.count('items')).toBe(15);
  });

  it('stops a scan whose batch handler throws, with that error, and keeps working', async () => {
    const engine = await start();
    await engine.session.insert('items', rows(0, 20_000));
    let batches = 0;
    await expect(
      engine.session.scan('items', {}, () => {
        batches++;
        throw new Error('reader gave up');
      }),
    ).rejects.toThrow('reader gave up');
    expect(batches).toBe(1);
    let seen = 0;
    await engine.session.scan('items', { columns: ['id'] }, (batch) => {
      seen += batch.length;
    });
    expect(seen).toBe(20_000);
  });

  it('refuses calls once closed, and reports a database it cannot open', async () => {
    const engine = await start();
    await engine.close();
    await expect(engine.session.count('items')).rejects.toMatchObject({ code: 'closed' });
    await expect(engine.transaction(async () => 1)).rejects.toMatchObject({ code: 'closed' });
    await expect(engine.listTables()).rejects.toMatchObject({ code: 'closed' });

    const notADirectory = join(dir, 'a-file');
    await writeFile(notADirectory, 'x');
    await expect(createThreadedDuckDbEngine({ path: join(notADirectory, 'db.duckdb') })).rejects.toThrow();
  });
});
