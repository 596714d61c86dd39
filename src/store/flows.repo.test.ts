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

  it('gives a Flow just saved as a read gives it back, without reading it', async () => {
    const db = await open();
    const flows = new FlowsRepo(db, new CollectionsRepo(db));
    const member = randomUUID();
    const now = new Date();
    const base = {
      source_id: randomUUID(),
      format: 'urn:x-nmos:format:video',
      created: now,
      metadata_updated: now,
      metadata_version: randomUUID(),
      extra: {},
      tags: {},
      collected_by: [],
      timerange: TimeRange.EMPTY,
    };
    await flows.save({ ...base, id: member }, true);
    const id = randomUUID();
    const flow = {
      ...base,
      id,
      codec: 'video/h264',
      label: 'channel',
      read_only: false,
      generation: 3,
      avg_bit_rate: 5000,
      essence_parameters: { frame_width: 1920, frame_rate: { numerator: 25 } },
      extra: { 'x-vendor': { a: [1, 'b'] } },
      // Names out of the tables' order (an astral name after U+FFFD), a list, an empty list.
      tags: { zeta: 'z', '\u{1F600}': 'smile', '\uFFFD': 'r', alpha: ['b', 'a'], empty: [] },
      flow_collection: [{ id: member, role: 'video', container_mapping: { track: 1 } }],
    };
    await flows.save(flow, true);
    const [written, read] = [await flows.written(flow), await flows.get(id)];
    expect(written).toEqual(read);
    // In the same order: events and documents are JSON of it.
    expect(Object.keys(written.tags)).toEqual(Object.keys(read?.tags ?? {}));
    // None: no collection at all, as read.
    const plain = { ...base, id: randomUUID(), flow_collection: [] };
    await flows.save(plain, true);
    expect(await flows.written(plain)).toEqual(await flows.get(plain.id));
  });
});
