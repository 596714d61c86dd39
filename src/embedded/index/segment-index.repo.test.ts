/**
 * Differential test against the real thing: SegmentsRepo over the reference memory engine and
 * over DuckDB, fed the same random writes, must give the same pages, cursors and records as the
 * index. Some segments start exclusive (registration refuses them, the index and table do not) so
 * the tie order of a start shared by an instant and the segment after it is covered too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryEngineFactory } from '../../../test/support/db/contract/memory.engine.ts';
import {
  FLOW,
  objectPool,
  randomFields,
} from '../../../test/support/embedded/index/segment-index.testkit.ts';
import { pick, prng } from '../../../test/support/time/time.testkit.ts';
import { loadConfig } from '../../config.ts';
import type { Engine } from '../../db/db.types.ts';
import { openEngine } from '../../db/engine.factory.ts';
import { TableManager } from '../../db/manager.ts';
import { keyOf, type SegmentKey, type SegmentRecord, SegmentsRepo } from '../../store/segments.repo.ts';
import { storeTables, T } from '../../store/tables.ts';
import { TimeRange } from '../../time/index.ts';
import { FlowSegmentIndex } from './segment-index.flow.ts';
import { StorageIds } from './segment-index.storage-ids.ts';

const G = 1_000n;
const opened: TableManager[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function openRepo(engine: () => Promise<Engine>): Promise<SegmentsRepo> {
  const db = await TableManager.open(await engine(), storeTables);
  opened.push(db);
  // The Flow's row: a page of a Flow without one is empty (SegmentsRepo.page). No envelope on
  // it, so the scans are unbounded.
  const now = new Date(0);
  await db.insert(T.flows, [
    {
      id: FLOW,
      source_id: FLOW,
      format: 'urn:x-nmos:format:data',
      created: now,
      metadata_updated: now,
      metadata_version: 'v',
    },
  ]);
  return new SegmentsRepo(db);
}

const engines: [string, () => Promise<Engine>][] = [
  ['the memory engine', () => memoryEngineFactory()('segments')],
  ['DuckDB', () => openEngine(loadConfig({}), { memory: true })],
];

describe('FlowSegmentIndex against SegmentsRepo', () => {
  it.each(engines)('reads the same as SegmentsRepo on %s after random writes', async (_, engine) => {
    const rand = prng(42);
    const objects = objectPool(rand);
    const repo = await openRepo(engine);
    const index = FlowSegmentIndex.from(FLOW, [], new StorageIds());
    const all: SegmentRecord[] = [];
    const point = () => BigInt(Math.floor(rand() * 120)) * G + pick(rand, [0n, 0n, 1n, -1n]);
    const query = () => {
      if (rand() < 0.05) return TimeRange.ETERNITY;
      const start = rand() < 0.1 ? null : point();
      const end = rand() < 0.1 ? null : point();
      return TimeRange.fromBounds(start, end, rand() < 0.5, rand() < 0.5);
    };
    let pagesCompared = 0;

    for (let op = 0; op < 300; op++) {
      const r = rand();
      if (r < 0.4) {
        const batch: SegmentRecord[] = [];
        for (let i = 0; i < 4; i++) {
          const start = BigInt(Math.floor(rand() * 120)) * G;
          const length = rand() < 0.2 ? 0n : BigInt(1 + Math.floor(rand() * 3)) * G;
          const exclusive = rand() < 0.15 && length > 0n;
          const timerange = TimeRange.fromBounds(
            start,
            start + length,
            !exclusive,
            rand() < 0.3 || length === 0n,
          );
          if ([...all, ...batch].some((s) => s.timerange.overlaps(timerange))) continue;
          const objectId = pick(rand, objects);
          batch.push({ flow_id: FLOW, object_id: objectId, timerange, ...randomFields(rand, objectId) });
        }
        await repo.insertMany(batch);
        index.insert(batch);
        all.push(...batch);
      } else if (r < 0.55) {
        const keys: SegmentKey[] = all.filter(() => rand() < 0.1).map(keyOf);
        keys.push({ start: point(), startInclusive: rand() < 0.5 });
        const removed = index.remove(keys);
        expect(removed).toBe(await repo.deleteKeys(FLOW, keys));
        const gone = new Set(keys.map((k) => `${k.start}/${k.startInclusive}`));
        for (let i = all.length - 1; i >= 0; i--) {
          const k = keyOf(all[i] as SegmentRecord);
          if (gone.has(`${k.start}/${k.startInclusive}`)) all.splice(i, 1);
        }
      } else {
        const range = query();
        const objectId = rand() < 0.3 ? pick(rand, objects) : undefined;
        const reverse = rand() < 0.5;
        const limit = pick(rand, [1, 2, 5, 30]);
        let after: SegmentKey | undefined;
        for (;;) {
          const options = { objectId, reverse, limit, after };
          const got = index.page(range, options);
          // The repository's page also says whether the Flow's objects may have instances.
          const { instanced: _instanced, ...read } = await repo.page(FLOW, range, options);
          expect(got).toStrictEqual(read);
          pagesCompared++;
          if (!got.next) break;
          after = got.next;
        }
        expect(index.overlapping(range)).toStrictEqual(await repo.overlapping(FLOW, range));
        const within = await repo.within(FLOW, range, objectId, limit);
        expect(index.within(range, objectId, limit)).toStrictEqual(within);
        // The database's count is an upper bound (coarse bounds only); the index's is exact.
        const exact = (await repo.within(FLOW, range, objectId)).length;
        expect(index.countWithin(range, objectId)).toBe(exact);
        expect(exact).toBeLessThanOrEqual(await repo.countWithin(FLOW, range, objectId));
        expect(index.envelope()).toStrictEqual(await repo.envelope(FLOW));
      }
    }
    expect(index.size).toBe(all.length);
    expect(await repo.countFlow(FLOW)).toBe(all.length);
    expect(pagesCompared).toBeGreaterThan(200);
  });
});
