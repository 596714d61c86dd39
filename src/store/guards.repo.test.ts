import { describe, expect, it } from 'vitest';
import { memoryStores } from '../../test/support/store/store.testkit.ts';
import { col, where } from '../db/predicate.ts';
import { ensureGuardRows, GUARD_STRIPES, GuardsRepo, guardKeys } from './guards.repo.ts';
import { T } from './tables.ts';

const open = memoryStores();

describe('guard rows', () => {
  it('are added once, the stripes and a row per lease', async () => {
    const db = await open();
    expect(await ensureGuardRows(db, ['media-gc'])).toBe(GUARD_STRIPES + 1);
    expect(await ensureGuardRows(db, ['media-gc'])).toBe(0);
    const keys = (await db.select(T.guards, { columns: ['key'] })).map((r) => r.key);
    expect(keys.sort()).toEqual(guardKeys(['media-gc']).sort());
  });

  it('are claimed by stripe, every copy of it, always the same stripe for a name', async () => {
    const db = await open();
    await ensureGuardRows(db);
    const stamps = async () =>
      new Map((await db.select(T.guards, { columns: ['key', 'stamp'] })).map((r) => [r.key, r.stamp]));
    const guards = new GuardsRepo(db);
    const before = await stamps();
    await guards.claim(['flow:a']);
    const after = await stamps();
    const changed = [...after].filter(([key, stamp]) => before.get(key) !== stamp).map(([key]) => key);
    expect(changed).toHaveLength(1);
    // A second copy of that key (a replica that started at the same time added its own): both change.
    const [key] = changed as [string];
    await db.insert(T.guards, [{ key, stamp: 0n }]);
    const copies = () => db.select(T.guards, { where: where(col('key').eq(key)), columns: ['stamp'] });
    await guards.claim(['flow:a']);
    const claimed = await copies();
    expect(claimed).toHaveLength(2);
    expect(claimed.every((r) => r.stamp !== 0n)).toBe(true);
  });

  it('refuse a claim on a store whose guard rows were never added', async () => {
    const db = await open();
    await expect(new GuardsRepo(db).claim(['flow:a'])).rejects.toThrow(/guard rows missing/);
  });
});
