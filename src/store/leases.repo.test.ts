import { describe, expect, it } from 'vitest';
import { memoryStores } from '../../test/support/store/store.testkit.ts';
import type { TableManager } from '../db/manager.ts';
import { col, where } from '../db/predicate.ts';
import { ensureGuardRows } from './guards.repo.ts';
import { JOB_LEASES, LeasesRepo } from './leases.repo.ts';
import { T } from './tables.ts';

const memoryStore = memoryStores();

async function open(): Promise<TableManager> {
  const db = await memoryStore();
  await ensureGuardRows(db, JOB_LEASES);
  return db;
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const TERM = 60_000;

describe('job leases', () => {
  it('are taken when free, renewed by their holder, refused to others until they lapse', async () => {
    const leases = new LeasesRepo(await open());
    expect(await leases.holder('media-gc', at(0))).toBeUndefined();
    expect(await leases.take('media-gc', 'a', at(0), TERM)).toBe(true);
    expect(await leases.holder('media-gc', at(1))).toEqual({ owner: 'a', until: at(60) });
    // Another job's lease is another row.
    expect(await leases.take('allocations', 'b', at(1), TERM)).toBe(true);
    expect(await leases.take('media-gc', 'b', at(30), TERM)).toBe(false);
    expect(await leases.take('media-gc', 'a', at(30), TERM)).toBe(true);
    expect(await leases.take('media-gc', 'b', at(89), TERM)).toBe(false);
    // Lapsed (the holder died): the next replica takes it.
    expect(await leases.holder('media-gc', at(90))).toBeUndefined();
    expect(await leases.take('media-gc', 'b', at(90), TERM)).toBe(true);
    expect(await leases.holder('media-gc', at(91))).toEqual({ owner: 'b', until: at(150) });
  });

  it('are released only by their holder, and freed whoever holds them', async () => {
    const leases = new LeasesRepo(await open());
    expect(await leases.take('media-gc', 'a', at(0), TERM)).toBe(true);
    await leases.release('media-gc', 'b');
    expect((await leases.holder('media-gc', at(1)))?.owner).toBe('a');
    await leases.release('media-gc', 'a');
    expect(await leases.holder('media-gc', at(1))).toBeUndefined();
    expect(await leases.take('media-gc', 'b', at(1), TERM)).toBe(true);
    expect(await leases.take('allocations', 'c', at(1), TERM)).toBe(true);
    await leases.freeAll(JOB_LEASES);
    expect(await leases.holder('media-gc', at(2))).toBeUndefined();
    expect(await leases.holder('allocations', at(2))).toBeUndefined();
  });

  it('are held while any copy of the row names a live holder, and taken on every copy', async () => {
    const db = await open();
    const leases = new LeasesRepo(db);
    // A copy added by a replica that first started at the same time, taken by it.
    await db.insert(T.guards, [{ key: 'lease:media-gc', stamp: 0n, owner: 'b', until: at(60) }]);
    expect(await leases.take('media-gc', 'a', at(0), TERM)).toBe(false);
    expect(await leases.take('media-gc', 'b', at(10), TERM)).toBe(true);
    const copies = await db.select(T.guards, { where: where(col('key').eq('lease:media-gc')) });
    expect(copies.map((r) => [r.owner, r.until])).toEqual([
      ['b', at(70)],
      ['b', at(70)],
    ]);
  });

  it('refuse to be taken on a store opened without their rows', async () => {
    const db = await memoryStore();
    await expect(new LeasesRepo(db).take('media-gc', 'a', at(0), TERM)).rejects.toThrow(/lease row/);
  });
});
