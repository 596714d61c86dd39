/**
 * Reading the outbox with only some payloads (EventsRepo.afterSome), on the embedded engine and
 * on the fake VAST server: the same events in the same order as `after`, the payloads of the
 * events kept, null for the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVast, startFakeVast } from '../../test/vast/fake/fake.server.ts';
import { loadConfig } from '../config.ts';
import type { Engine } from '../db/db.types.ts';
import { openEngine } from '../db/engine.factory.ts';
import { vastSettings } from '../db/engines/vast/vast.testkit.ts';
import type { NewEvent } from './events.repo.ts';
import { openStoreDb } from './store.open.ts';
import { TamsStore } from './store.ts';

let vast: FakeVast;
beforeAll(async () => {
  vast = await startFakeVast();
});
afterAll(() => vast.close());

const engines: [string, () => Promise<Engine>][] = [
  ['duckdb', () => openEngine(loadConfig({}), { memory: true })],
  ['vast', () => openEngine(loadConfig(vastSettings(vast, `events_${Date.now()}`)))],
];

function event(n: number): NewEvent {
  return {
    event_type: n % 3 === 0 ? 'flows/segments_deleted' : 'flows/segments_added',
    event_timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    flow_id: `flow-${n % 4}`,
    source_id: `source-${n % 2}`,
    flow_collected_by: [`collection-${n}`],
    payload: { n, segments: [{ object_id: `object-${n}`, timerange: `[${n}:0_${n + 1}:0)` }] },
  };
}

describe.each(engines)('EventsRepo.afterSome on %s', (_name, open) => {
  it('gives the events of after(), the payloads only of those kept', async () => {
    const { db } = await openStoreDb(await open(), { owner: 'test' });
    try {
      const store = await TamsStore.open(db, { cached: false });
      await store.transaction((tx) => tx.events.append(Array.from({ length: 20 }, (_, i) => event(i))));
      const all = await store.events.after(0n, 100);
      expect(all).toHaveLength(20);
      const from = all[3]?.seq as bigint;
      const upTo = all[15]?.seq as bigint;
      const asked: bigint[] = [];
      const some = await store.events.afterSome(from, 10, upTo, async (e) => {
        asked.push(e.seq);
        return e.flow_id === 'flow-1';
      });
      const expected = all.filter((e) => e.seq > from && e.seq <= upTo).slice(0, 10);
      expect(asked).toEqual(expected.map((e) => e.seq));
      expect(some.map((e) => ({ ...e, payload: null }))).toEqual(
        expected.map((e) => ({ ...e, payload: null })),
      );
      for (const [i, e] of some.entries())
        expect(e.payload).toEqual(e.flow_id === 'flow-1' ? expected[i]?.payload : null);
      expect(some.filter((e) => e.payload !== null).length).toBeGreaterThan(0);

      const none = await store.events.afterSome(0n, 5, undefined, () => false);
      expect(none.map((e) => e.seq)).toEqual(all.slice(0, 5).map((e) => e.seq));
      expect(none.every((e) => e.payload === null)).toBe(true);
    } finally {
      await db.close();
    }
  });
});
