/**
 * The composition root reads the engine's topology (src/db/topology.ts): on a store many
 * processes share, as VAST declares it, the server keeps no tables in memory, has no segment index
 * fast lane, and numbers events in a slot of its own; on a store it owns, the opposite. The same
 * in-memory DuckDB under both, declared shared or as it is, over real HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/db/db.types.ts';
import { SHARED_TOPOLOGY, type Topology } from '../../src/db/topology.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { addSegments, newFlow, objectIds } from '../segments/helpers.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server whose engine declares `topology` (undefined: the engine's own). */
async function serverAs(topology: Topology | undefined): Promise<TestServer> {
  const wrapEngine =
    topology && ((inner: Engine) => Object.assign(Object.create(inner) as Engine, { topology }));
  server = await startServer({ wrapEngine, workers: false });
  return server;
}

describe('the topology the engine declares', () => {
  it('owned: tables kept in memory, the segment index lane, events numbered without a slot', async () => {
    const s = await serverAs(undefined);
    expect(s.runtime.db.topology.ownsStore).toBe(true);
    expect(s.runtime.store.layered).toBe(true);
    expect(s.runtime.accelerator?.segmentIndex).toBeDefined();
    const flowId = await newFlow(s);
    const [objectId] = await objectIds(s, flowId, 1);
    await addSegments(s, flowId, { object_id: objectId as string, timerange: '[0:0_1:0)' });
    expect(s.runtime.store.eventSlot).toBeUndefined();
    expect((await s.get(`/flows/${flowId}/segments`)).body).toHaveLength(1);
  });

  it('shared: no tables in memory, no segment index lane, events numbered in a slot of its own', async () => {
    const s = await serverAs(SHARED_TOPOLOGY);
    expect(s.runtime.store.layered).toBe(false);
    expect(s.runtime.accelerator?.segmentIndex).toBeUndefined();
    const flowId = await newFlow(s);
    const [objectId] = await objectIds(s, flowId, 1);
    await addSegments(s, flowId, { object_id: objectId as string, timerange: '[0:0_1:0)' });
    expect(s.runtime.store.eventSlot).toEqual(expect.any(Number));
    expect((await s.get(`/flows/${flowId}/segments`)).body).toHaveLength(1);
  });
});
