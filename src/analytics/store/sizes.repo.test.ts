import { afterEach, describe, expect, it } from 'vitest';
import { newObjectId } from '../../common/object-ids.ts';
import { loadConfig } from '../../config.ts';
import { openEngine } from '../../db/engine.factory.ts';
import { TableManager } from '../../db/manager.ts';
import { storeTables, T } from '../../store/tables.ts';
import { analyticsTables } from './analytics.tables.ts';
import { ObjectSizesRepo } from './sizes.repo.ts';

const opened: TableManager[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

/** The store's tables and analytics' on an in-memory DuckDB, closed after the test. */
async function open(): Promise<TableManager> {
  const engine = await openEngine(loadConfig({}), { memory: true });
  const db = await TableManager.open(engine, [...storeTables, ...analyticsTables]);
  opened.push(db);
  return db;
}

/** Ids a client may give external objects: their UTF-16 order is not the byte order engines compare in. */
const ODD = ['é-object', '😀-object', '\uffff-object', 'with space', 'Z', 'a'];

describe('object sizes lookups', () => {
  it('find every object asked for, time-ordered ids by range and list, others by list alone', async () => {
    const db = await open();
    const repo = new ObjectSizesRepo(db);
    // Allocations over a day, in several lookups' worth (ranges that overlap nothing), then the odd ids.
    const start = Date.UTC(2026, 10, 25);
    const timed = Array.from({ length: 4500 }, (_, i) => newObjectId(start + i * 19_000));
    const stored = [...timed.filter((_, i) => i % 3 !== 0), ...ODD.slice(0, 4)];
    await repo.insert(stored.map((objectId, i) => ({ objectId, size: BigInt(i), checked: new Date(start) })));
    const asked = [...timed, ...ODD, 'never-stored'].reverse();
    expect([...(await repo.known(asked))].sort()).toEqual([...stored].sort());
    const rows = await repo.get(asked);
    expect(rows.map((r) => r.objectId).sort()).toEqual([...stored].sort());

    await db.insert(
      T.objectRefs,
      stored.map((objectId, i) => ({
        ref_key: `${objectId}/f`,
        object_id: objectId,
        flow_id: i % 2 === 0 ? 'flow-a' : 'flow-b',
        segments: 1n,
        first: i % 5 !== 0,
      })),
    );
    const first = await repo.firstFlows(asked);
    expect(first.size).toBe(stored.filter((_, i) => i % 5 !== 0).length);
    expect(first.get(stored[1] as string)).toBe('flow-b');
    expect(first.get(ODD[2] as string)).toBe(
      stored.indexOf(ODD[2] as string) % 2 === 0 ? 'flow-a' : 'flow-b',
    );
  });
});
