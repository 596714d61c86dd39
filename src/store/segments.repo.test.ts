import { afterEach, describe, expect, it } from 'vitest';
import { defaultObjectPath } from '../common/object-ids.ts';
import { loadConfig } from '../config.ts';
import { openEngine } from '../db/engine.factory.ts';
import { TableManager } from '../db/manager.ts';
import { TimeRange } from '../time/index.ts';
import { SegmentsRepo } from './segments.repo.ts';
import { storeTables, T } from './tables.ts';

const FLOW = '0b5f7a9e-6a4c-4bd1-9a33-6f5b3d2c1a00';
const OTHER = '5d9c0b2e-2f1e-4c7a-8b6d-0e4f3a2b1c00';
const opened: TableManager[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

describe('SegmentsRepo storage keys', () => {
  it("stores no key when it is the object's default one, and makes it again on reading", async () => {
    const db = await TableManager.open(await openEngine(loadConfig({}), { memory: true }), storeTables);
    opened.push(db);
    const repo = new SegmentsRepo(db);
    const range = (i: bigint) => TimeRange.fromBounds(i * 10n, i * 10n + 10n, true, false);
    const own = 'c0ffee00-0000-4000-8000-000000000001';
    const reused = 'c0ffee00-0000-4000-8000-000000000002';
    await repo.insertMany([
      {
        flow_id: FLOW,
        object_id: own,
        timerange: range(0n),
        storage: { id: 's', path: defaultObjectPath(FLOW, own) },
      },
      // Another Flow's object (reuse): its key names that Flow, so it is kept.
      {
        flow_id: FLOW,
        object_id: reused,
        timerange: range(1n),
        storage: { id: 's', path: defaultObjectPath(OTHER, reused) },
      },
      {
        flow_id: FLOW,
        object_id: 'external',
        timerange: range(2n),
        get_urls: [{ url: 'https://example.com/x' }],
      },
    ]);
    const stored = await db.select(T.segments, {
      columns: ['object_id', 'storage_id', 'storage_path'],
      orderBy: [{ column: 'seg_start' }],
    });
    expect(stored).toEqual([
      { object_id: own, storage_id: 's', storage_path: null },
      { object_id: reused, storage_id: 's', storage_path: defaultObjectPath(OTHER, reused) },
      { object_id: 'external', storage_id: null, storage_path: null },
    ]);
    const read = await repo.all(FLOW);
    expect(read.map((s) => s.storage)).toEqual([
      { id: 's', path: defaultObjectPath(FLOW, own) },
      { id: 's', path: defaultObjectPath(OTHER, reused) },
      undefined,
    ]);
  });
});
