/**
 * Upgrades: a store written before versioned migrations is migrated when the server starts, its
 * data intact and the API answering as before; a second start runs nothing; a store newer than
 * the code is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine } from '../../src/db/engines/duckdb/duckdb.engine.ts';
import { TableManager } from '../../src/db/manager.ts';
import { HISTORY_TABLE, migrationTables } from '../../src/db/migrate/migrate.history.ts';
import { and, col } from '../../src/db/predicate.ts';
import { storeMigrations } from '../../src/store/migrations/migrations.list.ts';
import { timesOf } from '../../src/store/objects/object-times.ts';
import { storeTables, T } from '../../src/store/tables.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import {
  type AllocatedObject,
  addSegments,
  FAST_WORKERS,
  fetchStatus,
  presignedUrls,
  upload,
  waitFor,
} from '../segments/helpers.ts';
import { apiAnswers, type LegacyStore, writeLegacyStore } from './legacy.store.ts';

const LATEST = storeMigrations.at(-1)?.id;

/** The object's put_url, on the server now serving the store (the port changes per start). */
function on(server: TestServer, object: AllocatedObject): AllocatedObject {
  const url = new URL(object.put_url.url);
  url.host = new URL(server.url).host;
  return { ...object, put_url: { ...object.put_url, url: url.toString() } };
}

async function allocationRows(server: TestServer) {
  const rows = await server.runtime.db.select(T.allocations, { orderBy: [{ column: 'object_id' }] });
  return new Map(rows.map((r) => [r.object_id as string, r]));
}

describe('a store written before versioned migrations', () => {
  let legacy: LegacyStore;
  beforeAll(async () => {
    legacy = await writeLegacyStore();
  });
  afterAll(() => legacy?.remove());

  it('is migrated at start: allocations_used folded in and dropped, data intact, the API as before', async () => {
    const server = await startServer({ dataDir: legacy.dir, workers: false, env: legacy.env });
    try {
      expect(server.runtime.migrations).toEqual({ from: 0, to: LATEST, ran: [1, 2, 3, 4, 5] });
      const tables = await server.runtime.db.engine.listTables();
      expect(tables).not.toContain('allocations_used');
      expect(tables.sort()).toEqual(storeTables.map((t) => t.name).sort());

      // The objects recorded as used lost their allocation rows (as housekeeping would have
      // removed them); the others used and the unused keep theirs; the bare row has its location.
      const rows = await allocationRows(server);
      for (const id of legacy.recorded) expect(rows.has(id)).toBe(false);
      for (const id of legacy.objectsA.slice(legacy.recorded.length)) expect(rows.has(id)).toBe(true);
      const [object] = await server.runtime.db.select(T.objects, {
        where: and(col('id').eq(legacy.bare.object_id)),
      });
      expect(rows.get(legacy.bare.object_id)).toMatchObject({
        storage_id: object?.storage_id,
        storage_path: object?.storage_path,
      });
      expect(rows.get(legacy.pending.object_id)).toMatchObject({ storage_id: object?.storage_id });

      const objects = [...legacy.objectsA, 'ext-1', legacy.bare.object_id, legacy.pending.object_id];
      expect(await apiAnswers(server, legacy, objects)).toEqual(legacy.answers);

      // Every object a segment uses has its first segment's timerange (A's back to back from 0,
      // B's external ones where B put them); the allocations nothing used have none yet.
      const times = new Map(
        (await server.runtime.db.select(T.objects)).map((o) => [o.id, timesOf(o)?.timerange.format()]),
      );
      expect(legacy.objectsA.map((id) => times.get(id))).toEqual(
        legacy.objectsA.map((_, i) => `[${10 * i}:0_${10 * i + 10}:0)`),
      );
      expect([times.get('ext-1'), times.get('ext-2')]).toEqual(['[10:0_20:0)', '[20:0_30:0)']);
      expect([times.get(legacy.bare.object_id), times.get(legacy.pending.object_id)]).toEqual([
        undefined,
        undefined,
      ]);

      // The allocations work as before: the one whose row had no location takes its upload and
      // its first segment, and is an object from then on.
      await upload(on(server, legacy.bare));
      await addSegments(server, legacy.flowB, { object_id: legacy.bare.object_id, timerange: '[90:0_95:0)' });
      const used = await server.get<{ referenced_by_flows: string[] }>(`/objects/${legacy.bare.object_id}`);
      expect(used.status).toBe(200);
      expect(used.body.referenced_by_flows).toEqual([legacy.flowB]);
    } finally {
      await server.close();
    }
  });

  it('runs nothing on the next start, and housekeeping then tidies the rest as usual', async () => {
    const history = async (server: TestServer) =>
      server.runtime.db.select(HISTORY_TABLE, { orderBy: [{ column: 'id' }] });
    const server = await startServer({
      dataDir: legacy.dir,
      env: { ...legacy.env, ...FAST_WORKERS, TAMS_UNUSED_OBJECT_GRACE_SECONDS: '1' },
    });
    try {
      expect(server.runtime.migrations).toEqual({ from: LATEST, to: LATEST, ran: [] });
      expect((await history(server)).map((r) => [r.id, r.name])).toEqual(
        storeMigrations.map((m) => [BigInt(m.id), m.name]),
      );
      // Used allocations tidied away, the unused one released after its grace period.
      await waitFor(
        'allocations tidied',
        async () => (await server.runtime.store.objects.allocationRows()) === 0,
      );
      const late = await server.post(`/flows/${legacy.flowB}/segments`, {
        object_id: legacy.pending.object_id,
        timerange: '[100:0_110:0)',
      });
      expect(late.status).toBe(400);
      // The objects recorded as used keep their bytes and segments.
      const urls = await presignedUrls(server, legacy.flowA);
      for (const id of legacy.recorded) expect(await fetchStatus(urls.get(id) as string)).toBe(200);
      expect((await server.get<unknown[]>(`/flows/${legacy.flowA}/segments`)).body).toHaveLength(5);
    } finally {
      await server.close();
    }
  });
});

describe('a store newer than the code', () => {
  const dir = tempDir('tams-newer-');
  afterAll(() => dir.remove());

  it('is refused at start, and left as it was', async () => {
    const first = await startServer({ dataDir: dir.path, workers: false });
    await first.close();
    const engine = await createDuckDbEngine({ path: `${dir.path}/tams.duckdb` });
    const future = { id: BigInt((LATEST ?? 0) + 1), name: 'from-the-future', applied: new Date() };
    try {
      const db = await TableManager.open(engine, migrationTables);
      await db.insert(HISTORY_TABLE, [future]);
    } finally {
      await engine.close();
    }

    await expect(startServer({ dataDir: dir.path, workers: false })).rejects.toMatchObject({
      code: 'schema_too_new',
      message: expect.stringContaining(
        `the store is at schema version ${future.id} (migration "from-the-future"`,
      ),
    });
    // The refusal happened before anything was written: the history is as the newer version left it.
    const after = await createDuckDbEngine({ path: `${dir.path}/tams.duckdb` });
    try {
      const db = await TableManager.open(after, migrationTables);
      expect((await db.select(HISTORY_TABLE, { columns: ['id'] })).map((r) => r.id)).toEqual([
        ...storeMigrations.map((m) => BigInt(m.id)),
        future.id,
      ]);
    } finally {
      await after.close();
    }
  });
});
