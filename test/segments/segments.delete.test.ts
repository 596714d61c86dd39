/**
 * DELETE /flows/{flowId}/segments (DIGEST §6.4, §14.8, §14.10): only segments wholly inside the
 * timerange go, the object_id filter, the default `_`, refusals; and reference counting: the bytes
 * of an object are deleted (by the media GC worker) only once no segment of any Flow uses it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { type Doc, expectError, putValue } from '../http/fixtures.ts';
import {
  addSegments,
  allocate,
  bytesExist,
  FAST_WORKERS,
  fetchStatus,
  fillFlow,
  newFlow,
  objectIds,
  presignedUrls,
  secs,
  timeranges,
  upload,
  waitBytesGone,
  waitGcIdle,
} from './helpers.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: FAST_WORKERS });
});
afterAll(() => server.close());

const del = (flowId: string, query: Record<string, string> = {}) =>
  server.delete(`/flows/${flowId}/segments`, { query });

async function expectDeleted(flowId: string, query: Record<string, string>): Promise<void> {
  const res = await del(flowId, query);
  expect(res.status, res.text).toBe(204);
  expect(res.text).toBe('');
}

describe('DELETE segments: which segments', () => {
  it('deletes only segments wholly inside the timerange; a straddling segment stays', async () => {
    const flowId = await newFlow(server);
    await fillFlow(server, flowId, 4); // [0_10) [10_20) [20_30) [30_40)
    await expectDeleted(flowId, { timerange: '[5:0_30:0)' });
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10), secs(30, 40)]);
    // [30_40) is not inside [30:0_39:0]; nor is [0_10) inside (0:0_10:0).
    await expectDeleted(flowId, { timerange: '[30:0_39:0]' });
    await expectDeleted(flowId, { timerange: '(0:0_10:0)' });
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10), secs(30, 40)]);
    await expectDeleted(flowId, { timerange: '[0:0_10:0)' });
    expect(await timeranges(server, flowId)).toEqual([secs(30, 40)]);
  });

  it('honours an inclusive segment end: [20:0_30:0] is not inside [20:0_30:0)', async () => {
    const flowId = await newFlow(server);
    const [a] = await objectIds(server, flowId, 1);
    await addSegments(server, flowId, { object_id: a as string, timerange: '[20:0_30:0]' });
    await expectDeleted(flowId, { timerange: '[20:0_30:0)' });
    expect(await timeranges(server, flowId)).toEqual(['[20:0_30:0]']);
    await expectDeleted(flowId, { timerange: '_30:0]' });
    expect(await timeranges(server, flowId)).toEqual([]);
  });

  it('deletes everything by default (timerange _), with an open start or end', async () => {
    const flowId = await newFlow(server);
    await fillFlow(server, flowId, 5);
    await expectDeleted(flowId, { timerange: '_20:0)' });
    expect(await timeranges(server, flowId)).toEqual([secs(20, 30), secs(30, 40), secs(40, 50)]);
    await expectDeleted(flowId, { timerange: '[40:0_' });
    expect(await timeranges(server, flowId)).toEqual([secs(20, 30), secs(30, 40)]);
    await expectDeleted(flowId, {});
    expect(await timeranges(server, flowId)).toEqual([]);
    // Nothing left to delete is still a 204.
    await expectDeleted(flowId, {});
  });

  it('an empty timerange deletes nothing', async () => {
    const flowId = await newFlow(server);
    await fillFlow(server, flowId, 2);
    await expectDeleted(flowId, { timerange: '()' });
    expect(await timeranges(server, flowId)).toHaveLength(2);
  });

  it('filters on object_id, alone and with a timerange', async () => {
    const flowId = await newFlow(server);
    const [a, b] = await objectIds(server, flowId, 2);
    await addSegments(server, flowId, [
      { object_id: a as string, timerange: secs(0, 10) },
      { object_id: b as string, timerange: secs(10, 20) },
      { object_id: a as string, timerange: secs(20, 30), sample_offset: 10 },
      { object_id: b as string, timerange: secs(30, 40), sample_offset: 10 },
    ]);
    await expectDeleted(flowId, { object_id: a as string, timerange: '[10:0_' });
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10), secs(10, 20), secs(30, 40)]);
    await expectDeleted(flowId, { object_id: b as string });
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10)]);
    await expectDeleted(flowId, { object_id: randomUUID() });
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10)]);
  });
});

describe('DELETE segments: refusals', () => {
  it('refuses a read-only Flow (403) and deletes nothing', async () => {
    const flowId = await newFlow(server);
    await fillFlow(server, flowId, 2);
    expect((await putValue(server, `/flows/${flowId}/read_only`, true)).status).toBe(204);
    expectError(await del(flowId), 403);
    expect(await timeranges(server, flowId)).toHaveLength(2);
  });

  it('answers 404 for an unknown or malformed Flow id, 400 for a bad timerange', async () => {
    expectError(await del(randomUUID()), 404);
    expectError(await del('not-a-uuid'), 404);
    expectError(await del(await newFlow(server), { timerange: 'soon' }), 400);
  });
});

describe('DELETE segments: object reference counting', () => {
  it('deletes the bytes of an object once no segment of any Flow references it', async () => {
    const first = await newFlow(server);
    const second = await newFlow(server);
    const [shared, own] = await allocate(server, first, { limit: 2 });
    if (!shared || !own) throw new Error('nothing allocated');
    await upload(shared, randomBytes(2048));
    await upload(own, randomBytes(2048));
    await addSegments(server, first, [
      { object_id: shared.object_id, timerange: secs(0, 10) },
      { object_id: own.object_id, timerange: secs(10, 20) },
      { object_id: shared.object_id, timerange: secs(20, 30), sample_offset: 5 },
    ]);
    await addSegments(server, second, { object_id: shared.object_id, timerange: secs(0, 10) });
    const urls = await presignedUrls(server, first);
    const sharedUrl = urls.get(shared.object_id) as string;
    const ownUrl = urls.get(own.object_id) as string;
    expect(await fetchStatus(sharedUrl)).toBe(200);

    // One of two segments of the first Flow using `shared` goes: still referenced, and still
    // first referenced by the first Flow.
    await expectDeleted(first, { timerange: '[20:0_30:0)' });
    const kept = await server.get<Doc>(`/objects/${shared.object_id}`);
    expect([...(kept.body.referenced_by_flows as string[])].sort()).toEqual([first, second].sort());
    expect(kept.body.first_referenced_by_flow).toBe(first);
    // The own object's only segment goes (one of the Flow's two): its bytes go too, and the
    // shared object keeps the first Flow's reference.
    await expectDeleted(first, { object_id: own.object_id });
    const still = await server.get<Doc>(`/objects/${shared.object_id}`);
    expect([...(still.body.referenced_by_flows as string[])].sort()).toEqual([first, second].sort());
    expect(still.body.first_referenced_by_flow).toBe(first);
    await waitBytesGone(server, ownUrl);
    expect((await server.get(`/objects/${own.object_id}`)).status).toBe(404);
    await waitGcIdle(server);
    expect(await bytesExist(server, sharedUrl)).toBe(true);

    // The first Flow's last reference goes; the second Flow still uses it.
    await expectDeleted(first, {});
    await waitGcIdle(server);
    expect(await bytesExist(server, sharedUrl)).toBe(true);
    expect(await fetchStatus(sharedUrl)).toBe(200);
    const object = await server.get<Doc>(`/objects/${shared.object_id}`);
    expect(object.body.referenced_by_flows).toEqual([second]);

    // The last reference of all goes.
    await expectDeleted(second, {});
    await waitBytesGone(server, sharedUrl);
    expect((await server.get(`/objects/${shared.object_id}`)).status).toBe(404);
  });

  it('deleting a Flow releases its objects but not the ones another Flow uses', async () => {
    const first = await newFlow(server);
    const second = await newFlow(server);
    const objects = await allocate(server, first, { limit: 3 });
    for (const o of objects) await upload(o);
    const [a, b, c] = objects.map((o) => o.object_id) as [string, string, string];
    await addSegments(server, first, [
      { object_id: a, timerange: secs(0, 10) },
      { object_id: b, timerange: secs(10, 20) },
      { object_id: c, timerange: secs(20, 30) },
    ]);
    await addSegments(server, second, { object_id: b, timerange: secs(0, 10) });
    const urls = await presignedUrls(server, first);
    expect((await server.delete(`/flows/${first}`)).status).toBe(204);
    await waitBytesGone(server, urls.get(a) as string);
    await waitBytesGone(server, urls.get(c) as string);
    await waitGcIdle(server);
    expect(await fetchStatus(urls.get(b) as string)).toBe(200);
    expect((await server.get<Doc>(`/objects/${b}`)).body.referenced_by_flows).toEqual([second]);
  });

  it('emptying a Flow releases its objects but keeps the ones allocated and not yet used', async () => {
    const flowId = await newFlow(server);
    const [used, spare] = (await objectIds(server, flowId, 2)) as [string, string];
    await addSegments(server, flowId, { object_id: used, timerange: secs(0, 10) });
    await expectDeleted(flowId, {});
    expect((await server.get(`/objects/${used}`)).status).toBe(404);
    await addSegments(server, flowId, { object_id: spare, timerange: secs(0, 10) });
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10)]);
    expect((await server.get<Doc>(`/objects/${spare}`)).body.referenced_by_flows).toEqual([flowId]);
  });

  it('a segment can be deleted and registered again with the same object while it is referenced', async () => {
    const flowId = await newFlow(server);
    const [a, b] = await objectIds(server, flowId, 2);
    await addSegments(server, flowId, [
      { object_id: a as string, timerange: secs(0, 10) },
      { object_id: a as string, timerange: secs(10, 20), sample_offset: 1 },
      { object_id: b as string, timerange: secs(20, 30) },
    ]);
    await expectDeleted(flowId, { timerange: '[0:0_10:0)' });
    await addSegments(server, flowId, { object_id: a as string, timerange: secs(0, 10) });
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10), secs(10, 20), secs(20, 30)]);
    // Once unreferenced, the object no longer exists: registering it again is refused.
    await expectDeleted(flowId, { object_id: b as string });
    expectError(
      await server.post(`/flows/${flowId}/segments`, { object_id: b, timerange: secs(20, 30) }),
      400,
    );
  });
});
