/**
 * Concurrent registrations are grouped into one transaction per batch (group commit): each
 * request must still get the answer it would get alone, in arrival order.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { allSegments, newFlow, objectIds, secs } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const post = (flowId: string, body: unknown) => server.post(`/flows/${flowId}/segments`, body);

describe('concurrent segment registration', () => {
  it('registers hundreds of concurrent single-segment requests across many Flows', async () => {
    const flows = await Promise.all(Array.from({ length: 20 }, () => newFlow(server)));
    const objects = new Map<string, string[]>();
    for (const flowId of flows) objects.set(flowId, await objectIds(server, flowId, 10));
    const responses = await Promise.all(
      flows.flatMap((flowId) =>
        (objects.get(flowId) as string[]).map((objectId, k) =>
          post(flowId, { object_id: objectId, timerange: secs(k * 2, k * 2 + 2) }),
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
    for (const flowId of flows) {
      const segments = await allSegments(server, flowId);
      expect(segments.map((s) => s.object_id)).toEqual(objects.get(flowId));
      const flow = await server.get<{ timerange: string }>(`/flows/${flowId}`, {
        query: { include_timerange: true },
      });
      expect(flow.body.timerange).toBe('[0:0_20:0)');
    }
  });

  it('lets exactly one of many concurrent registrations of one timerange in', async () => {
    const flowId = await newFlow(server);
    const ids = await objectIds(server, flowId, 30);
    const responses = await Promise.all(
      ids.map((id) => post(flowId, { object_id: id, timerange: secs(0, 10) })),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 400)).toHaveLength(29);
    const winner = ids[responses.findIndex((r) => r.status === 201)];
    expect((await allSegments(server, flowId)).map((s) => s.object_id)).toEqual([winner]);
  });

  it('answers each request of a batch on its own: a missing Flow fails only its request', async () => {
    const flowId = await newFlow(server);
    const [a, b] = await objectIds(server, flowId, 2);
    const [good, missing, bad] = await Promise.all([
      post(flowId, { object_id: a, timerange: secs(0, 1) }),
      post(randomUUID(), { object_id: b, timerange: secs(0, 1) }),
      post(flowId, [
        { object_id: b, timerange: secs(1, 2) },
        { object_id: 'never-allocated', timerange: secs(2, 3) },
      ]),
    ]);
    expect([good.status, missing.status, bad.status]).toEqual([201, 404, 200]);
    expect(
      (bad.body as { failed_segments: { object_id: string }[] }).failed_segments.map((f) => f.object_id),
    ).toEqual(['never-allocated']);
    expect((await allSegments(server, flowId)).map((s) => s.object_id)).toEqual([a, b]);
  });

  it('treats an object used earlier in the same batch as an existing object (reuse)', async () => {
    const owner = await newFlow(server);
    const other = await newFlow(server);
    const [objectId] = await objectIds(server, owner, 1);
    const [first, second] = await Promise.all([
      post(owner, { object_id: objectId, timerange: secs(0, 10) }),
      post(other, { object_id: objectId, timerange: secs(100, 110) }),
    ]);
    // In arrival order: the owner's registration makes the object an existing one, which any
    // Flow may then reuse (DIGEST §6.3).
    expect([first.status, second.status]).toEqual([201, 201]);
    const object = await server.get<{ referenced_by_flows: string[]; first_referenced_by_flow: string }>(
      `/objects/${objectId}`,
    );
    expect(object.body.first_referenced_by_flow).toBe(owner);
    expect(object.body.referenced_by_flows.sort()).toEqual([owner, other].sort());
  });
});
