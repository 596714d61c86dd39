import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memoryStores } from '../../test/support/store/store.testkit.ts';
import { TimeRange } from '../time/index.ts';
import { CollectionsRepo } from './collections.repo.ts';
import { FlowsRepo } from './flows.repo.ts';

const open = memoryStores();

describe('flows repository', () => {
  it('loads every Flow with many loads side by side, more than the engine has readers', async () => {
    const db = await open();
    const flows = new FlowsRepo(db, new CollectionsRepo(db));
    const ids = Array.from({ length: 3 }, () => randomUUID());
    for (const id of ids) {
      const now = new Date();
      await flows.save(
        {
          id,
          source_id: randomUUID(),
          format: 'urn:x-nmos:format:video',
          created: now,
          metadata_updated: now,
          metadata_version: randomUUID(),
          extra: {},
          tags: { show: 'news' },
          collected_by: [],
          timerange: TimeRange.EMPTY,
        },
        true,
      );
    }
    // Each load reads tags and collections too: inside its scan, that waited for readers while
    // holding one, and loads beside each other (a store cache rebuilt after failed commits) took
    // all four and waited on each other for good.
    const loads = await Promise.all(Array.from({ length: 8 }, () => flows.loadAll()));
    for (const { live } of loads) {
      expect(live.map((f) => f.id).sort()).toEqual([...ids].sort());
      expect(live.every((f) => f.tags.show === 'news')).toBe(true);
    }
  });
});
