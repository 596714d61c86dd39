/**
 * Reading the outbox with only some payloads (EventsRepo.afterSome), on the embedded engine and
 * on the fake VAST server: the same events in the same order as `after`, the payloads of the
 * events kept, null for the others. And the tail of the outbox the writing process keeps
 * (events.tail.ts) gives what the database gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vastSettings } from '../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { loadConfig } from '../../config.ts';
import type { Engine } from '../../db/db.types.ts';
import { openEngine } from '../../db/engine.factory.ts';
import { openStoreDb } from '../store.open.ts';
import { TamsStore } from '../store.ts';
import type { NewEvent, OutboxEvent } from './events.repo.ts';
import type { OutboxTail } from './events.tail.ts';

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
    event_timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n, n)),
    flow_id: `flow-${n % 4}`,
    source_id: `source-${n % 2}`,
    flow_collected_by: n % 5 === 0 ? [] : [`collection-${n}`],
    ...(n % 2 === 0 && { source_collected_by: [`collection-${n}`, 'ü'] }),
    payload: {
      n,
      // What JSON leaves out or changes is left out or changed in the tail too.
      gone: undefined as unknown as null,
      when: new Date(Date.UTC(2026, 0, 1)) as unknown as string,
      segments: [{ object_id: `object-${n}`, timerange: `[${n}:0_${n + 1}:0)`, key_frame_count: n * 1.5 }],
    },
  };
}

describe.each(engines)('EventsRepo.afterSome on %s', (_name, open) => {
  it('gives the events of after(), the payloads only of those kept', async () => {
    const { db } = await openStoreDb(await open(), { owner: 'test' });
    try {
      const store = await TamsStore.open(db);
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

describe.each(engines)('the outbox tail on %s', (_name, open) => {
  it('gives what the database gives, and nothing of a transaction that did not commit', async () => {
    const { db } = await openStoreDb(await open(), { owner: 'test' });
    try {
      const writer = await TamsStore.open(db);
      const tail = (writer as unknown as { parts: { sequence: { tail: OutboxTail } } }).parts.sequence.tail;
      await writer.events.lastSeq();
      await writer.transaction((tx) => tx.events.append(Array.from({ length: 12 }, (_, i) => event(i))));
      await expect(
        writer.transaction(async (tx) => {
          await tx.events.append([event(100)]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      for (let i = 12; i < 20; i++) await writer.transaction((tx) => tx.events.append([event(i)]));
      // Outside a transaction the append commits on its own.
      await writer.events.append([event(20)]);

      const served = tail.stats().served;
      const held = await writer.events.after(0n, 100);
      expect(tail.stats().served).toBe(served + 1);
      // A second store numbers from the newest event: below that, it reads the database.
      const reader = await TamsStore.open(db);
      await reader.events.lastSeq();
      const stored = await reader.events.after(0n, 100);
      expect(stored).toHaveLength(21);
      expect(held).toStrictEqual(stored);
      expect(stored.map((e) => (e.payload as { n: number }).n)).toEqual(
        Array.from({ length: 21 }, (_, i) => i),
      );

      const wanted = (e: OutboxEvent) => e.flow_id === 'flow-2';
      expect(await writer.events.afterSome(held[2]?.seq as bigint, 10, undefined, wanted)).toEqual(
        await reader.events.afterSome(held[2]?.seq as bigint, 10, undefined, wanted),
      );
      // Shared between readers, so frozen; the events themselves are each reader's own.
      const payload = held[0]?.payload as { segments: { object_id: string }[] };
      expect(() => {
        (payload.segments[0] as { object_id: string }).object_id = 'changed';
      }).toThrow(TypeError);
      (held[0] as OutboxEvent).payload = null;
      expect((await writer.events.after(0n, 1))[0]?.payload).toEqual(stored[0]?.payload);
    } finally {
      await db.close();
    }
  });
});
