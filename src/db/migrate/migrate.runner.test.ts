import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import type { Engine, TableDef } from '../db.types.ts';
import { openEngine } from '../engine.factory.ts';
import { TableManager } from '../manager.ts';
import { and, col } from '../predicate.ts';
import { OWNED_TOPOLOGY, SHARED_TOPOLOGY } from '../topology.ts';
import { HISTORY_TABLE, LEASE_TABLE, migrationTables } from './migrate.history.ts';
import { RELEASES_TABLE } from './migrate.releases.ts';
import { Migrator, type MigratorOptions } from './migrate.runner.ts';
import type { Migration, MigrationLog } from './migrate.types.ts';

const ITEMS: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'label', type: 'string' },
  ],
};
const OLD_ITEMS: TableDef = { name: 'old_items', columns: [{ name: 'id', type: 'int64', nullable: false }] };
const TABLES = [ITEMS, ...migrationTables];

const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
});

async function engine(): Promise<Engine> {
  const e = await openEngine(loadConfig({}), { memory: true });
  engines.push(e);
  return e;
}

/** Log lines as `message` strings, with a way to wait for one. */
function recordingLog() {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const waiters: { msg: string; resolve: () => void }[] = [];
  const add = (level: string) => (obj: object, msg: string) => {
    lines.push({ level, msg, obj });
    for (const w of waiters.filter((w) => w.msg === msg)) w.resolve();
  };
  const log: MigrationLog = { info: add('info'), warn: add('warn') };
  const seen = (msg: string) =>
    lines.some((l) => l.msg === msg)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ msg, resolve }));
  return { log, lines, seen };
}

const labelAll = (id: number, label: string): Migration => ({
  id,
  name: `label-${label}`,
  description: `labels every item ${label}`,
  async up({ db }) {
    await db.update('items', and(), { label });
  },
});

function migrator(e: Engine, migrations: Migration[], options: Partial<MigratorOptions> = {}): Migrator {
  return new Migrator(e, {
    tables: TABLES,
    migrations,
    owner: 'me',
    release: '1.0.0',
    pollMs: 5,
    ...options,
  });
}

async function seed(e: Engine): Promise<TableManager> {
  const db = await TableManager.open(e, TABLES);
  await db.insert('items', [{ id: 1n }, { id: 2n }]);
  return db;
}

describe('versioned migrations', () => {
  it('apply in order, are recorded, and a second run applies nothing', async () => {
    const e = await engine();
    const db = await seed(e);
    const { log, lines } = recordingLog();
    const m = migrator(e, [labelAll(1, 'a'), labelAll(2, 'b')], { log });
    expect((await m.status()).pending.map((p) => p.id)).toEqual([1, 2]);
    expect(await m.run()).toEqual({ from: 0, to: 2, ran: [1, 2] });
    expect((await db.select('items')).map((r) => r.label)).toEqual(['b', 'b']);
    const history = await db.select(HISTORY_TABLE, { orderBy: [{ column: 'id' }] });
    expect(history.map((r) => [r.id, r.name, r.applied_by])).toEqual([
      [1n, 'label-a', 'me'],
      [2n, 'label-b', 'me'],
    ]);
    expect(lines.filter((l) => l.msg === 'schema migration applied').map((l) => l.obj)).toEqual([
      expect.objectContaining({ migration: 1, name: 'label-a' }),
      expect.objectContaining({ migration: 2, name: 'label-b' }),
    ]);
    // The lease is given back: its row stays, held by no one.
    expect(await db.select(LEASE_TABLE, { columns: ['owner'] })).toEqual([{ owner: '' }]);

    await db.update('items', and(), { label: 'later' });
    expect(await migrator(e, [labelAll(1, 'a'), labelAll(2, 'b')]).run()).toEqual({
      from: 2,
      to: 2,
      ran: [],
    });
    expect((await db.select('items')).map((r) => r.label)).toEqual(['later', 'later']);
    // Code that gained a migration applies only that one.
    expect(await migrator(e, [labelAll(1, 'a'), labelAll(2, 'b'), labelAll(3, 'c')]).run()).toEqual({
      from: 2,
      to: 3,
      ran: [3],
    });
  });

  it('reads the status of a store without creating anything in it', async () => {
    const e = await engine();
    const status = await migrator(e, [labelAll(1, 'a')]).status();
    expect(status).toMatchObject({ version: 0, latest: 1, applied: [] });
    expect(await e.listTables()).toEqual([]);
  });

  it('refuse a store newer than the code before changing anything', async () => {
    const e = await engine();
    const db = await seed(e);
    await migrator(e, [labelAll(1, 'a'), labelAll(2, 'b'), labelAll(3, 'c')]).run();
    await db.update('items', and(), { label: 'kept' });
    const older = migrator(e, [labelAll(1, 'a'), labelAll(2, 'z')]);
    await expect(older.run()).rejects.toMatchObject({
      code: 'schema_too_new',
      message: expect.stringMatching(
        /schema version 3 \(migration "label-c", applied .*\), newer than .* knows migrations up to 2/,
      ),
    });
    expect((await older.status()).version).toBe(3);
    expect((await db.select('items')).map((r) => r.label)).toEqual(['kept', 'kept']);
  });

  it('record the releases that opened the store, once per release and schema version', async () => {
    const e = await engine();
    await seed(e);
    const at = (day: number) => () => new Date(Date.UTC(2026, 11, day));
    await migrator(e, [labelAll(1, 'a')], { release: '1.0.0', now: at(1) }).run();
    // Replicas of one release starting together each record it: readers count it once.
    await Promise.all([
      migrator(e, [labelAll(1, 'a')], { release: '1.0.0', owner: 'b' }).run(),
      migrator(e, [labelAll(1, 'a'), labelAll(2, 'b')], { release: '1.1.0', now: at(2) }).run(),
    ]);
    await migrator(e, [labelAll(1, 'a'), labelAll(2, 'b')], { release: '1.1.0' }).run();
    const status = await migrator(e, [labelAll(1, 'a'), labelAll(2, 'b')], { release: '1.1.0' }).status();
    expect(status.releases.map((r) => [r.release, r.schema, r.by])).toEqual([
      ['1.0.0', 1, 'me'],
      ['1.1.0', 2, 'me'],
    ]);
  });

  it('refuse a store a later release line opened, naming both, before changing anything', async () => {
    const e = await engine();
    const db = await seed(e);
    await migrator(e, [labelAll(1, 'a')], { release: '1.2.0' }).run();
    await db.update('items', and(), { label: 'kept' });
    const rows = await db.select(RELEASES_TABLE);
    // 1.1.9 knows the same migrations, but is of an earlier minor.
    const older = migrator(e, [labelAll(1, 'a'), labelAll(2, 'z')], { release: '1.1.9' });
    await expect(older.run()).rejects.toMatchObject({
      code: 'release_too_new',
      message:
        'this store was opened by tams-server 1.2.0 (schema version 1); this is tams-server 1.1.9, which knows ' +
        'schema versions up to 2: a downgrade is refused and nothing was changed; run 1.2.0 or later, or restore ' +
        'a backup taken before the upgrade',
    });
    expect((await older.status()).version).toBe(1);
    expect(await db.select(RELEASES_TABLE)).toEqual(rows);
    expect((await db.select('items')).map((r) => r.label)).toEqual(['kept', 'kept']);
    // An earlier patch of the same minor opens it (a patch changes no store format); a later major does too.
    await expect(migrator(e, [labelAll(1, 'a')], { release: '1.2.0-rc.1' }).run()).resolves.toMatchObject({
      ran: [],
    });
    await expect(migrator(e, [labelAll(1, 'a')], { release: '2.0.0' }).run()).resolves.toMatchObject({
      ran: [],
    });
    await expect(migrator(e, [labelAll(1, 'a')], { release: '1.9.9' }).run()).rejects.toMatchObject({
      code: 'release_too_new',
      message: expect.stringContaining(
        'opened by tams-server 2.0.0 (schema version 1); this is tams-server 1.9.9',
      ),
    });
  });

  it('name the release that applied a migration the code does not know', async () => {
    const e = await engine();
    await seed(e);
    // A build of 1.1.0 with a migration more (a development tree): the same release line.
    await migrator(e, [labelAll(1, 'a')], { release: '1.1.0' }).run();
    await migrator(e, [labelAll(1, 'a'), labelAll(2, 'b')], { release: '1.1.0' }).run();
    await expect(migrator(e, [labelAll(1, 'a')], { release: '1.1.0' }).run()).rejects.toMatchObject({
      code: 'schema_too_new',
      message: expect.stringMatching(
        /schema version 2 \(migration "label-b", applied \S+ by tams-server 1\.1\.0\), newer than this version of the code \(tams-server 1\.1\.0\), which knows migrations up to 1/,
      ),
    });
  });

  it('run a migration that failed part-way again, to completion, and record it once', async () => {
    const e = await engine();
    const db = await seed(e);
    let crash = true;
    // Moves items to `moved` one per transaction; the first attempt dies after the first.
    const move: Migration = {
      id: 1,
      name: 'label-one-by-one',
      description: 'labels items one at a time',
      async up({ db }) {
        for (;;) {
          const [row] = await db.select('items', { where: and(col('label').isNull()), limit: 1 });
          if (!row) return;
          await db.update('items', and(col('id').eq(row.id as bigint)), { label: 'moved' });
          if (crash) throw new Error('killed');
        }
      },
    };
    await expect(migrator(e, [move]).run()).rejects.toThrow('killed');
    expect(await db.count(HISTORY_TABLE)).toBe(0);
    expect(await db.count('items', and(col('label').eq('moved')))).toBe(1);
    crash = false;
    // Another process (the lease of the failed run was released: nothing to wait for).
    expect(await migrator(e, [move], { owner: 'next', topology: SHARED_TOPOLOGY }).run()).toMatchObject({
      ran: [1],
    });
    expect(await db.count('items', and(col('label').eq('moved')))).toBe(2);
    expect(await db.count(HISTORY_TABLE)).toBe(1);
  });

  it('let one of two replicas starting together apply them, while the other waits', async () => {
    const e = await engine();
    const db = await seed(e);
    let runs = 0;
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const slow: Migration = {
      id: 1,
      name: 'slow',
      description: 'waits for the test',
      async up({ db }) {
        runs++;
        entered();
        await gate;
        await db.update('items', and(), { label: 'done' });
      },
    };
    const second = recordingLog();
    // A shared database: neither replica may assume a lease it finds is a dead process's.
    const a = migrator(e, [slow], { owner: 'replica-a', topology: SHARED_TOPOLOGY }).run();
    await inside;
    const b = migrator(e, [slow], { owner: 'replica-b', topology: SHARED_TOPOLOGY, log: second.log }).run();
    await second.seen('schema migrations are being applied by another process: waiting for it');
    expect(second.lines.at(-1)?.obj).toMatchObject({ owner: 'replica-a' });
    open();
    expect(await a).toEqual({ from: 0, to: 1, ran: [1] });
    expect(await b).toEqual({ from: 0, to: 1, ran: [] });
    expect(runs).toBe(1);
    expect(await db.count(HISTORY_TABLE)).toBe(1);
  });

  it('wait for a lease a dead replica left until it lapses; a store one process owns takes it over at once', async () => {
    const e = await engine();
    const db = await seed(e);
    let now = Date.UTC(2026, 10, 23, 12);
    await db.insert(LEASE_TABLE, [{ name: 'migrations', owner: 'dead', until: new Date(now + 60_000) }]);
    const shared = recordingLog();
    const running = migrator(e, [labelAll(1, 'a')], {
      topology: SHARED_TOPOLOGY,
      log: shared.log,
      now: () => new Date(now),
    }).run();
    await shared.seen('schema migrations are being applied by another process: waiting for it');
    now += 61_000;
    expect(await running).toMatchObject({ ran: [1] });
    expect(shared.lines.map((l) => l.msg)).toContain(
      'took over the migration lease of a process that stopped holding it',
    );

    await db.insert(LEASE_TABLE, [{ name: 'migrations', owner: 'dead', until: new Date(now + 60_000) }]);
    const owned = recordingLog();
    expect(
      await migrator(e, [labelAll(1, 'a'), labelAll(2, 'b')], {
        topology: OWNED_TOPOLOGY,
        log: owned.log,
        now: () => new Date(now),
      }).run(),
    ).toMatchObject({ ran: [2] });
    expect(owned.lines.map((l) => [l.level, l.msg])).toContainEqual([
      'warn',
      'took over the migration lease of a process that stopped holding it',
    ]);
    expect(owned.lines.map((l) => l.msg)).not.toContain(
      'schema migrations are being applied by another process: waiting for it',
    );
  });

  it('declare retired tables for the migration where the store has them, and drop only those', async () => {
    const e = await engine();
    const legacy = await TableManager.open(e, [OLD_ITEMS]);
    await legacy.insert('old_items', [{ id: 7n }]);
    const db = await seed(e);
    const fold: Migration = {
      id: 1,
      name: 'fold-old-items',
      description: 'old items become items',
      retired: [OLD_ITEMS],
      async up({ db, has, dropRetired }) {
        if (!has('old_items')) return;
        const rows = await db.select('old_items');
        await db.transaction(async (tx) => {
          await tx.insert(
            'items',
            rows.map((r) => ({ id: r.id, label: 'old' })),
          );
          await tx.delete('old_items', and());
        });
        await expect(dropRetired('items')).rejects.toMatchObject({ code: 'invalid_definition' });
        await dropRetired('old_items');
        expect(has('old_items')).toBe(false);
      },
    };
    expect(await migrator(e, [fold]).run()).toMatchObject({ ran: [1] });
    expect(await e.describeTable('old_items')).toBeNull();
    expect(await db.select('items', { where: and(col('label').eq('old')) })).toEqual([
      { id: 7n, label: 'old' },
    ]);
    // On a store that never had the table, the migration finds nothing to do.
    const fresh = await engine();
    expect(await migrator(fresh, [fold]).run()).toMatchObject({ ran: [1] });
    expect(await fresh.describeTable('old_items')).toBeNull();
  });

  it('refuse lists of migrations that cannot be ordered or that retire a declared table', async () => {
    const e = await engine();
    expect(() => migrator(e, [labelAll(2, 'a'), labelAll(1, 'b')])).toThrow(/must increase/);
    expect(() => migrator(e, [labelAll(1, 'a'), { ...labelAll(2, 'a') }])).toThrow(/used twice/);
    expect(() => migrator(e, [{ ...labelAll(1, 'a'), retired: [ITEMS] }])).toThrow(/still declared/);
    expect(() => new Migrator(e, { tables: [ITEMS], migrations: [], owner: 'me', release: '1.0.0' })).toThrow(
      /runner's own/,
    );
  });
});
