import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { col, where } from '../../predicate.ts';
import { createDuckDbEngine, type DuckDbEngineHandle } from './duckdb.engine.ts';
import { scanJournal } from './duckdb.journal.scan.ts';
import { encodeRecord, frameRecord, JOURNAL_TABLE } from './duckdb.journal.ts';

const dir = await mkdtemp(join(tmpdir(), 'tams-appends-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ITEMS: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'label', type: 'string' },
  ],
};
const NOTES: TableDef = { name: 'notes', columns: [{ name: 'text', type: 'string' }] };

let counter = 0;
const newPath = () => join(dir, `db-${++counter}`, 'db.duckdb');

const ids = async (db: TableManager, options: { lag?: boolean } = {}) =>
  (await db.select('items', { columns: ['id'], orderBy: [{ column: 'id' }], ...options })).map((r) => r.id);

/**
 * A new database whose items table is empty and which holds the journal's records up to `lsn`
 * (as a crash would leave it): a journal file written beside it is applied at the next open.
 */
async function holdingUpTo(lsn: bigint): Promise<string> {
  const path = newPath();
  await mkdir(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  await conn.run('CREATE TABLE items (id BIGINT, label VARCHAR)');
  await conn.run(`CREATE TABLE ${JOURNAL_TABLE} (lsn BIGINT)`);
  await conn.run(`INSERT INTO ${JOURNAL_TABLE} VALUES (${lsn})`);
  conn.closeSync();
  instance.closeSync();
  return path;
}

describe('append journal (duckdb engine)', () => {
  const open: DuckDbEngineHandle[] = [];
  afterEach(async () => {
    for (const engine of open.splice(0)) await engine.close();
  });
  const opened = async (path: string, options: { journalDelayMs?: number } = {}) => {
    const engine = await createDuckDbEngine({ path, ...options });
    open.push(engine);
    return { engine, db: await TableManager.open(engine, [ITEMS, NOTES]) };
  };
  const stats = (engine: DuckDbEngineHandle) =>
    engine.journalStats() ?? { pending: -1, applies: -1, rejected: -1 };

  it('has every committed row once after a reopen, whatever began in DuckDB, rolled back or met an apply', async () => {
    const path = newPath();
    const { engine, db } = await opened(path, { journalDelayMs: 1 });
    const committed: bigint[] = [];
    let next = 0n;
    const fail = new Error('rolled back');
    const worker = async (w: number) => {
      for (let i = 0; i < 80; i++) {
        const mine = [++next, ++next];
        // 0: appends only; 1 and 4: begins in DuckDB first (applying the journal inside it);
        // 2: begins after its appends; 3 and 4: roll back.
        const kind = (w + i) % 5;
        try {
          await db.transaction(async (tx) => {
            if (kind === 1 || kind === 4) await tx.count('items');
            await tx.insert(
              'items',
              mine.map((id) => ({ id, label: `w${w}` })),
            );
            await tx.insert('notes', [{ text: `${mine[0]}` }]);
            if (kind === 2) await tx.count('notes');
            if (kind >= 3) throw fail;
          });
          committed.push(...mine);
        } catch (error) {
          if (error !== fail) throw error;
        }
        // Turns of the event loop, for the journal's timer.
        if (i % 3 === w % 3) await new Promise(setImmediate);
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    expect(stats(engine).applies).toBeGreaterThan(2);
    await engine.close();
    const again = await opened(path);
    const sorted = committed.sort((a, b) => (a < b ? -1 : 1));
    expect(await ids(again.db)).toEqual(sorted);
    expect(await again.db.count('notes')).toBe(sorted.length / 2);
  });

  it('keeps a read outside a transaction that applied the journal inside it waiting until it ends', async () => {
    const { db } = await opened(newPath());
    await db.transaction((tx) => tx.insert('items', [{ id: 1n }, { id: 2n }]));
    const fail = new Error('rolled back');
    let outside: Promise<unknown[]> | undefined;
    await expect(
      db.transaction(async (tx) => {
        // Begins in DuckDB and takes the journal's rows into this transaction, uncommitted.
        expect(await tx.count('items')).toBe(2);
        outside = ids(db);
        throw fail;
      }),
    ).rejects.toBe(fail);
    // Committed before the transaction began: a read beside it must not miss them.
    expect(await outside).toEqual([1n, 2n]);
  });

  it('commits a transaction that only appended without DuckDB, and every read of the table sees it', async () => {
    const { engine, db } = await opened(newPath());
    await db.transaction((tx) => tx.insert('items', [{ id: 1n }, { id: 2n }]));
    expect(stats(engine)).toMatchObject({ pending: 1, rows: 2 });
    // A lagging read may leave it out, and here does: DuckDB does not hold it yet.
    expect(await ids(db, { lag: true })).toEqual([]);
    // A read of another table does not need it.
    expect(await db.count('notes')).toBe(0);
    expect(stats(engine).pending).toBe(1);
    expect(await ids(db)).toEqual([1n, 2n]);
    expect(stats(engine)).toMatchObject({ pending: 0, rows: 0, applies: 1 });
    expect(await ids(db, { lag: true })).toEqual([1n, 2n]);
  });

  it('applies the journal inside a transaction that reads the table, and keeps it on rollback', async () => {
    const { engine, db } = await opened(newPath());
    await db.transaction((tx) => tx.insert('items', [{ id: 1n }]));
    const fail = new Error('rolled back');
    await expect(
      db.transaction(async (tx) => {
        await tx.insert('items', [{ id: 2n }]);
        // Its own rows and the journal's, in commit order.
        expect((await tx.select('items', { columns: ['id'] })).map((r) => r.id).sort()).toEqual([1n, 2n]);
        throw fail;
      }),
    ).rejects.toBe(fail);
    expect(stats(engine).pending).toBe(1);
    await db.transaction(async (tx) => {
      await tx.insert('notes', [{ text: 'changed first' }]);
      await tx.update('notes', where(col('text').eq('changed first')), { text: 'updated' });
      await tx.insert('items', [{ id: 3n }]);
    });
    expect(stats(engine)).toMatchObject({ pending: 0, applies: 1 });
    expect(await ids(db, { lag: true })).toEqual([1n, 3n]);
    expect(await db.select('notes')).toEqual([{ text: 'updated' }]);
  });

  it('tells the watchers which tables have new rows, when every read can see them', async () => {
    const path = newPath();
    const { engine, db } = await opened(path);
    const told: string[][] = [];
    expect(db.watchCommits((tables) => told.push([...tables].sort()))).toBe(true);
    await db.transaction((tx) => tx.insert('items', [{ id: 1n }]));
    expect(told).toEqual([]);
    await db.count('items');
    expect(told).toEqual([['items']]);
    await db.transaction(async (tx) => {
      await tx.insert('items', [{ id: 2n }]);
      await tx.insert('notes', [{ text: 'n' }]);
      await tx.update('notes', where(col('text').eq('n')), { text: 'm' });
    });
    expect(told).toEqual([['items'], ['items', 'notes']]);
    await db.delete('notes', where(col('text').eq('m')));
    expect(told.at(-1)).toEqual(['notes']);
    // Without the journal every commit is visible at once: nothing to watch.
    const plain = await createDuckDbEngine({ path: ':memory:', journal: false });
    open.push(plain);
    expect((await TableManager.open(plain, [ITEMS])).watchCommits(() => {})).toBe(false);
    expect(engine.journalStats()).toBeDefined();
    expect(plain.journalStats()).toBeUndefined();
  });

  it('applies the journal before a column is added, so its rows get the default as older rows do', async () => {
    const path = newPath();
    const { engine, db } = await opened(path);
    await db.transaction((tx) => tx.insert('items', [{ id: 1n, label: 'a' }]));
    expect(stats(engine).pending).toBe(1);
    await engine.addColumn('items', { name: 'kind', type: 'string', defaultValue: 'old' });
    const evolved = await TableManager.open(engine, [
      { ...ITEMS, columns: [...ITEMS.columns, { name: 'kind', type: 'string', defaultValue: 'old' }] },
    ]);
    expect(await evolved.select('items', { columns: ['id', 'kind'] })).toEqual([{ id: 1n, kind: 'old' }]);
  });

  it('applies at the next open what a killed process committed through the journal, and nothing twice', async () => {
    const path = newPath();
    await mkdir(dirname(path), { recursive: true });
    const script = join(dirname(path), 'writer.mts');
    const engineModule = fileURLToPath(new URL('./duckdb.engine.ts', import.meta.url));
    const managerModule = fileURLToPath(new URL('../../manager.ts', import.meta.url));
    writeFileSync(
      script,
      `import { createDuckDbEngine } from ${JSON.stringify(engineModule)};
import { TableManager } from ${JSON.stringify(managerModule)};
const engine = await createDuckDbEngine({ path: ${JSON.stringify(path)} });
const db = await TableManager.open(engine, ${JSON.stringify([ITEMS, NOTES])});
await db.insert('notes', [{ text: 'before' }]);
for (let t = 0; t < 40; t++) {
  await db.transaction((tx) => tx.insert('items', Array.from({ length: 5 }, (_, i) => ({ id: BigInt(t * 5 + i), label: 'l' + t }))));
  // Half way, DuckDB takes what the journal holds: the rest stays in the journal alone.
  if (t === 19) await db.count('items');
}
process.stdout.write(JSON.stringify(engine.journalStats()) + '\\n');
process.kill(process.pid, 'SIGKILL');
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    const signal = await new Promise((resolve) => child.once('exit', (_code, s) => resolve(s)));
    expect(signal, err).toBe('SIGKILL');
    // Killed with 20 transactions in the journal alone (the last apply came before them).
    expect(JSON.parse(out)).toMatchObject({ pending: 20, applies: 1 });
    expect(scanJournal(readFileSync(`${path}.journal`), 0n).records.length).toBeGreaterThanOrEqual(20);

    const { engine, db } = await opened(path);
    expect(await db.count('items')).toBe(200);
    expect(await ids(db)).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i)));
    expect(await db.select('notes')).toEqual([{ text: 'before' }]);
    expect(stats(engine)).toMatchObject({ pending: 0, rows: 0, rejected: 0 });
    await db.transaction((tx) => tx.insert('items', [{ id: 1000n }]));
    expect(stats(engine)).toMatchObject({ pending: 1, rows: 1 });
    await engine.close();
    open.splice(open.indexOf(engine), 1);
    expect(existsSync(`${path}.journal`)).toBe(false);
    // Open again: the records were applied once (the journal is gone, the rows are there once).
    const again = await opened(path);
    expect(await again.db.count('items')).toBe(201);
  });

  it('skips records DuckDB already holds and sets aside a record it refuses, applying the others', async () => {
    const path = await holdingUpTo(2n);
    const rec = (lsn: bigint, text: string, rows = 1) =>
      frameRecord(encodeRecord(lsn, new Map([['items', { text, rows }]])));
    writeFileSync(
      `${path}.journal`,
      Buffer.concat([
        rec(1n, '[{"id":1}]'),
        rec(2n, '[{"id":2}]'),
        rec(3n, '[{"id":3},{"id":4}]', 2),
        rec(4n, '[{"id":5}'),
        rec(5n, '[{"id":6}]'),
      ]),
    );
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const { engine, db } = await opened(path);
      expect(await ids(db)).toEqual([3n, 4n, 6n]);
      expect(stats(engine)).toMatchObject({ pending: 0, rejected: 1 });
      expect(scanJournal(readFileSync(`${path}.journal.rejected`), 0n).records.map((r) => r.lsn)).toEqual([
        4n,
      ]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.some((w) => /record 4/.test(w))).toBe(true);
      // Started over: the next record goes where record 1 was, and none of these comes back.
      await db.transaction((tx) => tx.insert('items', [{ id: 7n }]));
      expect(scanJournal(readFileSync(`${path}.journal`), 5n).records.map((r) => r.lsn)).toEqual([6n]);
      await engine.close();
      open.splice(open.indexOf(engine), 1);
      expect(existsSync(`${path}.journal`)).toBe(false);
      expect(await ids((await opened(path)).db)).toEqual([3n, 4n, 6n, 7n]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('applies a run of appends that leaves no timer a turn as it goes: its backlog stays bounded', async () => {
    // No delay passes here; only the backlog a commit may leave (160,000 rows) brings the applies.
    const { engine, db } = await opened(newPath(), { journalDelayMs: 3_600_000 });
    const rowsOf = (t: number) =>
      Array.from({ length: 10_000 }, (_, i) => ({ id: BigInt(t * 10_000 + i), label: 'run' }));
    let most = 0;
    for (let t = 0; t < 40; t++) {
      await db.transaction((tx) => tx.insert('items', rowsOf(t)));
      most = Math.max(most, engine.journalStats()?.rows ?? 0);
    }
    expect(most).toBeLessThanOrEqual(160_000);
    expect(stats(engine).applies).toBeGreaterThanOrEqual(2);
    expect(await db.count('items')).toBe(400_000);
  });

  it('applies a large journal left by a crash in transactions of bounded size, each row once', async () => {
    const path = await holdingUpTo(0n);
    // 30 records of 10,000 rows: 300,000 rows, more than one apply takes.
    const record = (lsn: number) => {
      const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: (lsn - 1) * 10_000 + i, label: 'crash' }));
      return frameRecord(
        encodeRecord(BigInt(lsn), new Map([['items', { text: JSON.stringify(rows), rows: rows.length }]])),
      );
    };
    writeFileSync(`${path}.journal`, Buffer.concat(Array.from({ length: 30 }, (_, i) => record(i + 1))));
    const { engine, db } = await opened(path);
    expect(stats(engine)).toMatchObject({ pending: 0, rows: 0, rejected: 0 });
    expect(stats(engine).applies).toBeGreaterThanOrEqual(2);
    expect(await db.count('items')).toBe(300_000);
    const [largest] = await db.select('items', {
      columns: ['id'],
      orderBy: [{ column: 'id', direction: 'desc' }],
      limit: 1,
    });
    expect(largest?.id).toBe(299_999n);
  });

  it('refuses to open on a damaged record of an acknowledged write, changing nothing', async () => {
    const path = newPath();
    const first = await opened(path, { journalDelayMs: 600_000 });
    for (let t = 0; t < 3; t++) await first.db.transaction((tx) => tx.insert('items', [{ id: BigInt(t) }]));
    const bytes = readFileSync(`${path}.journal`);
    // Closed as a crash leaves it: the file as it was, DuckDB without the journal's rows.
    const scan = scanJournal(bytes, 0n);
    expect(scan.records).toHaveLength(3);
    await first.engine.close();
    open.splice(open.indexOf(first.engine), 1);
    const damaged = Buffer.from(bytes);
    damaged[600] = (damaged[600] ?? 0) ^ 1;
    writeFileSync(`${path}.journal`, damaged);
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    await conn.run(`UPDATE ${JOURNAL_TABLE} SET lsn = 0`);
    await conn.run('DELETE FROM items');
    conn.closeSync();
    instance.closeSync();
    await expect(createDuckDbEngine({ path })).rejects.toMatchObject({ code: 'journal_damaged' });
    expect(readFileSync(`${path}.journal`)).toEqual(damaged);
    const recovered = await createDuckDbEngine({ path, journalRecovery: 'recover' });
    open.push(recovered);
    expect(recovered.journalReport()).toMatchObject({
      applied: { records: 3 },
      lost: [],
      repaired: [{ lsn: '1' }],
    });
    const db = await TableManager.open(recovered, [ITEMS, NOTES]);
    expect(await ids(db)).toEqual([0n, 1n, 2n]);
  });

  it('applies a batch that fails for the database (not its rows) whole or not at all, never a record twice', async () => {
    const path = newPath();
    // DuckDB takes the small record alone but not the two together (its memory limit): a failure
    // of the database, which each read meets again.
    const tight = await createDuckDbEngine({
      path,
      journalDelayMs: 600_000,
      config: { memory_limit: '16MB', threads: '1' },
    });
    const db = await TableManager.open(tight, [ITEMS, NOTES]);
    await db.transaction((tx) => tx.insert('items', [{ id: 0n, label: 'small' }]));
    const label = 'x'.repeat(1000);
    await db.transaction((tx) =>
      tx.insert(
        'items',
        Array.from({ length: 20_000 }, (_, i) => ({ id: BigInt(i + 1), label })),
      ),
    );
    await expect(db.count('items')).rejects.toThrow(/Out of Memory/);
    await expect(db.count('items')).rejects.toThrow(/Out of Memory/);
    expect(tight.journalStats()).toMatchObject({ pending: 2, applies: 0 });
    await tight.close().catch(() => undefined);
    const { db: again } = await opened(path);
    expect(await again.count('items')).toBe(20_001);
    expect(await again.count('items', where(col('label').eq('small')))).toBe(1);
  });

  it('keeps working in memory, where the journal has no file', async () => {
    const engine = await createDuckDbEngine({ path: ':memory:' });
    open.push(engine);
    const db = await TableManager.open(engine, [ITEMS]);
    await Promise.all(
      Array.from({ length: 30 }, (_, t) => db.transaction((tx) => tx.insert('items', [{ id: BigInt(t) }]))),
    );
    expect(stats(engine).pending).toBe(30);
    expect(await db.count('items')).toBe(30);
    expect(stats(engine).pending).toBe(0);
  });
});
