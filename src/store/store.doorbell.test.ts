/**
 * The store rings the doorbell it was opened with (StoreOpenOptions.eventsCommitted) once events
 * a transaction recorded are visible to the outbox's readers, and not for a transaction that
 * recorded none: on the embedded engine (with and without the embedded accelerator) and on the fake VAST server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vastSettings } from '../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../tools/vast-fake/fake.server.ts';
import { Doorbell } from '../common/doorbell.ts';
import { loadConfig } from '../config.ts';
import type { Engine } from '../db/db.types.ts';
import { openEngine } from '../db/engine.factory.ts';
import { EmbeddedAccelerator } from '../embedded/embedded.accelerator.ts';
import { openStoreDb } from './store.open.ts';
import { TamsStore } from './store.ts';

let vast: FakeVast;
beforeAll(async () => {
  vast = await startFakeVast();
});
afterAll(() => vast.close());

const cases: [string, () => Promise<Engine>, boolean][] = [
  ['duckdb', () => openEngine(loadConfig({}), { memory: true }), false],
  ['duckdb with the cache', () => openEngine(loadConfig({}), { memory: true }), true],
  ['vast', () => openEngine(loadConfig(vastSettings(vast, `doorbell_${Date.now()}`))), false],
];

describe.each(cases)('TamsStore eventsCommitted on %s', (_name, open, cached) => {
  it('rings once recorded events are visible, not for a transaction without events', async () => {
    const { db } = await openStoreDb(await open(), { owner: 'test' });
    try {
      const eventsCommitted = new Doorbell();
      let rings = 0;
      const rung = new Promise<void>((resolve) =>
        eventsCommitted.subscribe(() => {
          rings++;
          resolve();
        }),
      );
      const layer = cached ? (core: TamsStore) => EmbeddedAccelerator.open(core) : undefined;
      const store = await TamsStore.open(db, { layer, eventsCommitted });
      await store.transaction((tx) => tx.settings.set('doorbell.test', true));
      expect(rings).toBe(0);
      await store.transaction((tx) =>
        tx.events.append([
          {
            event_type: 'flows/created',
            event_timestamp: new Date(Date.UTC(2026, 0, 1)),
            flow_id: 'flow-1',
            source_id: 'source-1',
            flow_collected_by: [],
            payload: { n: 1 },
          },
        ]),
      );
      await rung;
      const seen = await store.events.after(0n, 10);
      expect(seen.map((e) => e.flow_id)).toEqual(['flow-1']);
      await store.close();
    } finally {
      await db.close();
    }
  });
});
