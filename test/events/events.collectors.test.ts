/**
 * Without a cache, segment registration reads the events' filter fields (who collects the Flow
 * and its Source) beside its other reads, from the Source and sibling Flows the Flow had when
 * last seen (StoreHints). Those hints go stale: a Flow joins the Source and is collected, the Flow
 * moves to another Source. The events must still carry the collections as they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, col } from '../../src/db/predicate.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, type Doc, uuid, videoFlow } from '../http/fixtures.ts';
import { addSegments, objectIds } from '../segments/helpers.ts';
import { MemoryEngine } from '../support/db/contract/memory.engine.ts';

let server: TestServer;
let engine: MemoryEngine;

beforeAll(async () => {
  engine = new MemoryEngine({ tables: new Map() }, { topology: SHARED_TOPOLOGY });
  server = await startServer({ engine, workers: false });
}, SLOW_TEST_MS);

afterAll(async () => {
  await server?.close();
});

/** The filter fields of the Flow's last flows/segments_added event. */
async function lastSegmentsAdded(
  flowId: string,
): Promise<{ flow: unknown; source: unknown; sourceId: unknown }> {
  const rows = await engine.session.select('events', {
    where: and(col('flow_id').eq(flowId), col('event_type').eq('flows/segments_added')),
    orderBy: [{ column: 'seq', direction: 'desc' }],
    limit: 1,
  });
  const [row] = rows;
  if (row === undefined) throw new Error('no flows/segments_added event');
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return {
    flow: parse(row.flow_collected_by),
    source: parse(row.source_collected_by),
    sourceId: row.source_id,
  };
}

describe("segments_added events carry the collections as they are, whatever the store's hints", () => {
  it('a sibling Flow that joined the Source and is collected; the Flow moved to another Source', async () => {
    const source = uuid();
    const flow: Doc = videoFlow({ source_id: source });
    await createFlow(server, flow);
    const flowId = flow.id as string;
    const objects = await objectIds(server, flowId, 3);
    const post = (i: number) =>
      addSegments(server, flowId, { object_id: objects[i] as string, timerange: `[${i}:0_${i + 1}:0)` });

    // First POST: read in turn; the store learns the Flow's Source and its Flows (just this one).
    await post(0);
    expect(await lastSegmentsAdded(flowId)).toEqual({ flow: [], source: [], sourceId: source });

    // A second Flow of the Source, collected by a Flow of a third Source.
    const sibling = videoFlow({ source_id: source });
    await createFlow(server, sibling);
    const collectorSource = uuid();
    const collector = videoFlow({
      source_id: collectorSource,
      flow_collection: [{ id: sibling.id, role: 'sibling' }],
    });
    await createFlow(server, collector);
    await post(1);
    // The Flow itself is collected by nobody; its Source now is, through the sibling.
    expect(await lastSegmentsAdded(flowId)).toEqual({
      flow: [],
      source: [collectorSource],
      sourceId: source,
    });

    // The Flow moves to another Source, whose other Flow a fourth Source's Flow collects.
    const other = videoFlow();
    await createFlow(server, other);
    const fourth = uuid();
    await createFlow(
      server,
      videoFlow({ source_id: fourth, flow_collection: [{ id: other.id, role: 'x' }] }),
    );
    const moved = await server.put(`/flows/${flowId}`, { ...flow, source_id: other.source_id });
    expect(moved.status, moved.text).toBe(204);
    await post(2);
    expect(await lastSegmentsAdded(flowId)).toEqual({
      flow: [],
      source: [fourth],
      sourceId: other.source_id,
    });
  });
});
