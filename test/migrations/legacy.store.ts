/**
 * A store as tams-server wrote it before versioned migrations (schema version 0: main up to
 * issue 18), for the upgrade tests.
 *
 * Its content goes in through the API of today's server (the mgmt fixture: Flows A, B and C,
 * segments, objects shared between Flows, external objects, tags, a collection), whose rows are
 * the ones version 0 wrote too: the migrations change no table that writing touches. The tables
 * are then wound back to version 0's: no migration tables, and `allocations_used` holding the
 * uses that registration recorded there before e978a19; one allocation row loses its location,
 * as rows written before 115e0e4 had none. What the API answered before the rewind is kept, for
 * comparing with what the migrated store answers.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Engine, TableDef } from '../../src/db/db.types.ts';
import { createDuckDbEngine } from '../../src/db/engines/duckdb/duckdb.engine.ts';
import { TableManager } from '../../src/db/manager.ts';
import { migrationTables } from '../../src/db/migrate/migrate.history.ts';
import { and, col } from '../../src/db/predicate.ts';
import { storeTables, T } from '../../src/store/tables.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { makeStore, type Store } from '../mgmt/fixture.ts';
import { type AllocatedObject, allocate } from '../segments/helpers.ts';

/** allocations_used as version 0 declared it. */
const ALLOCATIONS_USED: TableDef = {
  name: 'allocations_used',
  columns: [
    { name: 'object_id', type: 'string', nullable: false },
    { name: 'used', type: 'timestamp', nullable: false },
  ],
};

/** Columns version 0 did not have: the object timeranges migration 3 fills. */
const V0_LACKS: Record<string, readonly string[]> = {
  [T.objects]: ['otr_start', 'otr_end', 'otr_start_incl', 'otr_end_incl', 'key_frame_count'],
  [T.segments]: ['otr_start', 'otr_end', 'otr_start_incl', 'otr_end_incl'],
};

/**
 * Version 0's tables: today's, without the migration tables and the columns of V0_LACKS, with
 * allocations_used. (When a migration changes a table in another way, freeze that table's
 * version-0 definition here.)
 */
export const V0_TABLES: readonly TableDef[] = [
  ...storeTables
    .filter((t) => !migrationTables.includes(t))
    .map((t) => {
      const lacks = V0_LACKS[t.name];
      return lacks ? { ...t, columns: t.columns.filter((c) => !lacks.includes(c.name)) } : t;
    }),
  ALLOCATIONS_USED,
];

export interface LegacyStore extends Store {
  /** Objects of Flow A whose use is recorded in allocations_used (their allocation rows stand). */
  recorded: string[];
  /** Allocated for Flow B, never uploaded nor used; its allocation row has no location. */
  bare: AllocatedObject;
  /** Allocated for Flow B, never used; its allocation row is as today's code writes it. */
  pending: AllocatedObject;
  /** GET answers of the store before the rewind, by path (see apiAnswers). */
  answers: Record<string, { status: number; body: unknown }>;
}

/**
 * The store's data as clients see it, with what changes between two starts left out: the
 * server's address and presigned URLs' signatures (they expire) in URLs, the time in error bodies.
 */
export async function apiAnswers(server: TestServer, store: Store, objects: readonly string[]) {
  const paths = [
    '/service/storage-backends',
    '/sources',
    '/flows',
    ...[store.flowA, store.flowB, store.flowC].flatMap((id) => [
      `/flows/${id}?include_timerange=true`,
      `/flows/${id}/segments`,
    ]),
    ...objects.map((id) => `/objects/${encodeURIComponent(id)}`),
  ];
  const answers: LegacyStore['answers'] = {};
  for (const path of paths) {
    const res = await server.get(path);
    answers[path] = { status: res.status, body: comparable(res.body, server.url) };
  }
  return answers;
}

function comparable(body: unknown, origin: string): unknown {
  if (Array.isArray(body)) return body.map((item) => comparable(item, origin));
  if (body === null || typeof body !== 'object') return body;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'time' && 'type' in body && 'summary' in body) continue;
    copy[key] =
      key === 'url' && typeof value === 'string'
        ? value.replace(origin, '<server>').split('?')[0]
        : comparable(value, origin);
  }
  return copy;
}

export async function writeLegacyStore(): Promise<LegacyStore> {
  const store = await makeStore();
  const server = await startServer({ dataDir: store.dir, workers: false, env: store.env });
  let legacy: LegacyStore;
  try {
    const [bare, pending] = await allocate(server, store.flowB, { limit: 2 });
    if (!bare || !pending) throw new Error('two allocations expected');
    const recorded = store.objectsA.slice(0, 2);
    const objects = [...store.objectsA, 'ext-1', bare.object_id, pending.object_id];
    legacy = { ...store, recorded, bare, pending, answers: await apiAnswers(server, store, objects) };
  } finally {
    await server.close();
  }
  await windBack(store.dir, legacy);
  return legacy;
}

async function windBack(dir: string, legacy: LegacyStore): Promise<void> {
  // Version 0's segment index snapshots knew no object timeranges (TSI1): they are not used.
  rmSync(join(dir, 'segment-index'), { recursive: true, force: true });
  const engine = await createDuckDbEngine({ path: `${dir}/tams.duckdb` });
  try {
    for (const t of migrationTables) await engine.dropTable(t.name);
    await withoutNewColumns(engine);
    const db = await TableManager.open(engine, V0_TABLES);
    // Version 0 kept the allocation rows of used objects until housekeeping; today's registration
    // removes them where the store has no cache (the `core` project): they are put back.
    const kept = new Set(
      (await db.select(T.allocations, { columns: ['object_id'] })).map((r) => r.object_id as string),
    );
    const lost = await db.select(T.objects, {
      where: and(col('id').in(legacy.objectsA.filter((id) => !kept.has(id)))),
    });
    if (lost.length > 0) {
      await db.insert(
        T.allocations,
        lost.map((o) => ({
          object_id: o.id,
          flow_id: o.allocated_for,
          created: o.created,
          storage_id: o.storage_id,
          storage_path: o.storage_path,
        })),
      );
    }
    // What registration wrote for an object's first use before e978a19.
    const used = new Date();
    await db.insert(
      ALLOCATIONS_USED.name,
      legacy.recorded.map((object_id) => ({ object_id, used })),
    );
    await db.update(T.allocations, and(col('object_id').eq(legacy.bare.object_id)), {
      storage_id: null,
      storage_path: null,
    });
    expect((await engine.listTables()).sort()).toEqual(V0_TABLES.map((t) => t.name).sort());
  } finally {
    await engine.close();
  }
}

/** The tables of V0_LACKS made again with version 0's columns, their rows kept. */
async function withoutNewColumns(engine: Engine): Promise<void> {
  for (const def of V0_TABLES.filter((t) => V0_LACKS[t.name])) {
    const rows = await engine.session.select(def.name, { columns: def.columns.map((c) => c.name) });
    await engine.dropTable(def.name);
    await engine.createTable(def);
    if (rows.length > 0) await engine.session.insert(def.name, rows);
    const columns = (await engine.describeTable(def.name))?.columns.map((c) => c.name);
    expect(columns).toEqual(def.columns.map((c) => c.name));
  }
}
