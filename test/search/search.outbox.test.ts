/**
 * The search index is a reader of the event outbox: events it has not applied yet outlive the
 * retention the webhook purge applies, and those it has applied go as usual.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchFeature } from '../../src/search/search.feature.ts';
import { steppingClock } from '../helpers/clock.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { waitFor } from '../segments/helpers.ts';
import { indexed, searchEnv } from './search.fixtures.ts';

const clock = steppingClock();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ clock, env: { ...searchEnv(), TAMS_EVENT_RETENTION_SECONDS: '1' } });
});
afterAll(async () => {
  await server?.close();
});

const eventsOf = async (flowId: string) =>
  (await server.runtime.db.select('events')).filter((e) => e.flow_id === flowId).length;

describe('the outbox and the search index', () => {
  it('keeps the events the index has not applied when the retention has passed', async () => {
    const applied = videoFlow();
    await createFlow(server, applied);
    await indexed(server);
    // Another indexer holds the index from now on, so the next events stay unapplied. It gets
    // the lease once this one, idle, has let it go.
    await waitFor(
      'the index lease taken by another replica',
      () =>
        server.runtime.store.transaction((tx) =>
          tx.leases.take('search-index', 'another-replica', clock.now(), 24 * 3600_000),
        ),
      20_000,
    );
    const pending = videoFlow();
    await createFlow(server, pending);
    expect(await eventsOf(pending.id as string)).toBeGreaterThan(0);

    // Past the retention and the purge's period: the purge runs at the next webhook step.
    clock.advance(5 * 60_000);
    await waitFor(
      'the applied events purged',
      async () => {
        server.runtime.features.get(searchFeature)?.follower.wake();
        return (await eventsOf(applied.id as string)) === 0;
      },
      20_000,
    );
    expect(await eventsOf(pending.id as string)).toBeGreaterThan(0);
  });
});
