/**
 * The engine factory: the engine TAMS_DB names, in memory or in its file under TAMS_DATA_DIR;
 * and a file another process holds refused as StoreLockedError.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreLockedError } from './db.errors.ts';
import { duckDbPath, type EngineSettings, openEngine } from './engine.factory.ts';
import { TableManager } from './manager.ts';
import { col, where } from './predicate.ts';

const dir = mkdtempSync(join(tmpdir(), 'tams-engine-factory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = (overrides: Partial<EngineSettings> = {}): EngineSettings => ({
  TAMS_DB: 'duckdb',
  TAMS_DATA_DIR: dir,
  TAMS_DUCKDB_MEMORY_LIMIT: '256MB',
  TAMS_DUCKDB_THREADS: 1,
  TAMS_DUCKDB_CHECKPOINT_MB: 16,
  ...overrides,
});

const TABLE = { name: 't', columns: [{ name: 'id', type: 'string' as const }] };

/** Adds a row; returns every row then there. */
async function addRow(s: EngineSettings, memory: boolean, id: string): Promise<unknown[]> {
  const db = await TableManager.open(await openEngine(s, { memory }), [TABLE]);
  try {
    expect(db.topology.ownsStore).toBe(true);
    await db.insert('t', [{ id }]);
    return await db.select('t', { orderBy: [{ column: 'id' }] });
  } finally {
    await db.close();
  }
}

/**
 * Another process holding the database file, as a running server does: plain DuckDB in a child
 * process. Resolves once it has opened the file.
 */
async function holder(path: string): Promise<ChildProcess> {
  const duckdb = createRequire(import.meta.url).resolve('@duckdb/node-api');
  const script = `const { DuckDBInstance } = await import(${JSON.stringify(`file://${duckdb}`)});
await DuckDBInstance.create(${JSON.stringify(path)});
process.stdout.write('held\\n');
process.stdin.resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
    lines.on('line', (line) => {
      if (line === 'held') resolve();
    });
  });
  return child;
}

describe('openEngine', () => {
  it('opens DuckDB in memory', async () => {
    expect(await addRow(settings(), true, 'a')).toEqual([{ id: 'a' }]);
    expect(await addRow(settings(), true, 'b')).toEqual([{ id: 'b' }]);
    expect(existsSync(duckDbPath(settings()))).toBe(false);
  });

  it('opens the file tams.duckdb in TAMS_DATA_DIR', async () => {
    const s = settings({ TAMS_DATA_DIR: join(dir, 'data') });
    expect(await addRow(s, false, 'a')).toEqual([{ id: 'a' }]);
    expect(existsSync(join(dir, 'data', 'tams.duckdb'))).toBe(true);
    expect(await addRow(s, false, 'b')).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('closing lets another process open the file at once, after writes, reads and a scan stopped early', async () => {
    const s = settings({ TAMS_DATA_DIR: join(dir, 'released') });
    const db = await TableManager.open(await openEngine(s), [TABLE]);
    await db.insert('t', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    await db.transaction(async (tx) => {
      await tx.insert('t', [{ id: 'd' }]);
      await tx.update('t', where(col('id').eq('a')), { id: 'A' });
    });
    await db.delete('t', where(col('id').eq('b')));
    expect(await db.count('t')).toBe(3);
    const stopped = new Error('stop');
    await expect(
      db.scan('t', {}, () => {
        throw stopped;
      }),
    ).rejects.toBe(stopped);
    await db.close();
    // Before the engine let go of its unexecuted results, the file stayed locked by this
    // process until the garbage collector ran (and the holder exited, refused the lock).
    const child = await holder(duckDbPath(s));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  });

  it('refuses a file another process holds with StoreLockedError, naming the file and the process', async () => {
    const s = settings({ TAMS_DATA_DIR: join(dir, 'held') });
    mkdirSync(s.TAMS_DATA_DIR);
    const child = await holder(duckDbPath(s));
    try {
      const error = await openEngine(s).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreLockedError);
      expect(error).toMatchObject({ code: 'locked', location: duckDbPath(s), holderPid: child.pid });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
    expect(await addRow(s, false, 'a')).toEqual([{ id: 'a' }]);
  });
});
