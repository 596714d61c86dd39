import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import type { Engine, Row, TableDef } from '../../db/db.types.ts';
import { openEngine } from '../../db/engine.factory.ts';
import { TableManager } from '../../db/manager.ts';
import { Migrator } from '../../db/migrate/migrate.runner.ts';
import { and, col } from '../../db/predicate.ts';
import { storeTables, T } from '../tables.ts';
import { retireAllocationsUsed } from './m001.allocations-used.ts';
import { storeMigrations } from './migrations.list.ts';

function retired(): TableDef {
  const def = retireAllocationsUsed.retired?.[0];
  if (!def) throw new Error('m001 retires allocations_used');
  return def;
}
const ALLOCATIONS_USED = retired();

const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
});

const id = (n: number) => `obj-${String(n).padStart(5, '0')}`;
const created = new Date(Date.UTC(2026, 10, 1));

/**
 * Allocation rows 0..2499: the first 2,100 recorded as used in allocations_used (more than one
 * batch); 2100..2299 without location, whose objects have one; 2300..2309 without location and
 * without an object row; the rest as written today.
 */
async function legacyStore(): Promise<{ engine: Engine; db: TableManager }> {
  const engine = await openEngine(loadConfig({}), { memory: true });
  engines.push(engine);
  const db = await TableManager.open(engine, [...storeTables, ALLOCATIONS_USED]);
  const objects: Row[] = [];
  const allocations: Row[] = [];
  for (let n = 0; n < 2500; n++) {
    const location = { storage_id: 'fs', storage_path: `flow/${id(n)}` };
    if (n < 2300 || n >= 2310) objects.push({ id: id(n), ...location, allocated_for: 'flow', created });
    const bare = n >= 2100 && n < 2310;
    allocations.push({ object_id: id(n), flow_id: 'flow', created, ...(bare ? {} : location) });
  }
  await db.insert(T.objects, objects);
  await db.insert(T.allocations, allocations);
  const used = Array.from({ length: 2100 }, (_, n) => ({ object_id: id(n), used: created }));
  // An object recorded twice, and a row whose allocation is already gone.
  await db.insert(ALLOCATIONS_USED.name, [...used, used[0] as Row, { object_id: 'gone', used: created }]);
  return { engine, db };
}

describe('store migrations', () => {
  it('fold allocations_used into the allocations and locate bare rows, surviving a crash before the drop', async () => {
    const { engine, db } = await legacyStore();
    const killed: typeof retireAllocationsUsed = {
      ...retireAllocationsUsed,
      up: (ctx) =>
        retireAllocationsUsed.up({
          ...ctx,
          dropRetired: async () => {
            throw new Error('killed before the drop');
          },
        }),
    };
    const options = { tables: storeTables, owner: 'test', release: '0.0.0' };
    await expect(new Migrator(engine, { ...options, migrations: [killed] }).run()).rejects.toThrow('killed');
    expect(await engine.describeTable('allocations_used')).not.toBeNull();

    expect(await new Migrator(engine, { ...options, migrations: storeMigrations }).run()).toEqual({
      from: 0,
      to: storeMigrations.at(-1)?.id,
      ran: storeMigrations.map((m) => m.id),
    });
    expect(await engine.describeTable('allocations_used')).toBeNull();
    const rows = await db.select(T.allocations, { orderBy: [{ column: 'object_id' }] });
    expect(rows.map((r) => r.object_id)).toEqual(Array.from({ length: 400 }, (_, n) => id(2100 + n)));
    const located = (r: Row) => r.storage_id === 'fs' && r.storage_path === `flow/${r.object_id}`;
    expect(rows.filter((r) => !located(r)).map((r) => [r.object_id, r.storage_id])).toEqual(
      Array.from({ length: 10 }, (_, n) => [id(2300 + n), null]),
    );
    // The objects themselves are untouched.
    expect(await db.count(T.objects)).toBe(2490);
    expect(await db.count(T.allocations, and(col('storage_id').isNull()))).toBe(10);
  });
});
