/**
 * Flow and segment deletion, now or in the background (DIGEST §9, §14.14): below
 * TAMS_DELETE_SYNC_LIMIT segments a 204; above it a 202 with a Location and a deletion request
 * that the worker finishes in chunks of TAMS_DELETE_CHUNK, observable at /flow-delete-requests.
 *
 * One server runs without background workers and its requests are advanced one chunk at a time
 * by a DeletionWorker built here on the server's store (the same class the server runs), so each
 * intermediate state can be seen; another runs its workers as production does.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/common/clock.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { DeletionWorker } from '../../src/deletion/deletion.worker.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { type Doc, expectError, expectGetError, getAndHead, putValue, videoFlow } from '../http/fixtures.ts';
import {
  addSegments,
  FAST_WORKERS,
  fetchStatus,
  fillFlow,
  getSegments,
  newFlow,
  objectIds,
  presignedUrls,
  secs,
  timeranges,
  waitBytesGone,
  waitFor,
} from './helpers.ts';

const SETTINGS = {
  TAMS_DELETE_SYNC_LIMIT: '5',
  TAMS_DELETE_CHUNK: '3',
  TAMS_DELETE_RETENTION_SECONDS: '600',
};

let manual: TestServer;
let live: TestServer;
let worker: DeletionWorker;

beforeAll(async () => {
  manual = await startServer({ env: SETTINGS, workers: false });
  live = await startServer({ env: { ...SETTINGS, ...FAST_WORKERS } });
  worker = new DeletionWorker({
    store: manual.runtime.store,
    clock: systemClock,
    owner: 'test-worker',
    chunkSize: 3,
    leaseMs: 60_000,
    retentionMs: 600_000,
    topology: SHARED_TOPOLOGY,
  });
});
// A failed test must not leave work behind for the next one's steps.
afterEach(async () => {
  while (await worker.step()) {}
});
afterAll(async () => {
  await manual.close();
  await live.close();
});

interface DeletionRequest {
  id: string;
  flow_id: string;
  timerange_to_delete: string;
  timerange_remaining?: string;
  delete_flow: boolean;
  status: 'created' | 'started' | 'done' | 'error';
  created?: string;
  updated?: string;
  expiry?: string;
  error?: Doc;
}

/** A 202: Location points at the request, whose body is a valid deletion-request.json. */
function expectAccepted(server: TestServer, res: Awaited<ReturnType<TestServer['delete']>>): DeletionRequest {
  expect(res.status, res.text).toBe(202);
  expect(res.headers.get('content-type')).toBe('application/json');
  assertSpecValid('deletion-request.json', res.body);
  const body = res.body as DeletionRequest;
  expect(res.headers.get('location')).toBe(`${server.url}/flow-delete-requests/${body.id}`);
  return body;
}

/** GET (and HEAD, when nothing else changes the request meanwhile) a deletion request. */
async function getRequest(server: TestServer, id: string): Promise<DeletionRequest> {
  const path = `/flow-delete-requests/${id}`;
  const res =
    server === live
      ? await server.get<DeletionRequest>(path)
      : await getAndHead<DeletionRequest>(server, path);
  expect(res.status, res.text).toBe(200);
  assertSpecValid('deletion-request.json', res.body);
  return res.body;
}

async function listRequests(server: TestServer): Promise<DeletionRequest[]> {
  const res = await getAndHead<DeletionRequest[]>(server, '/flow-delete-requests');
  expect(res.status).toBe(200);
  assertSpecValid('deletion-requests-list.json', res.body);
  return res.body;
}

describe('synchronous deletion below TAMS_DELETE_SYNC_LIMIT', () => {
  it('DELETE /flows/{id} with 5 segments answers 204 and everything is gone', async () => {
    const flowId = await newFlow(manual);
    const [first] = await fillFlow(manual, flowId, 5);
    const res = await manual.delete(`/flows/${flowId}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    await expectGetError(manual, `/flows/${flowId}`, 404);
    expect((await getSegments(manual, flowId)).body).toEqual([]);
    await expectGetError(manual, `/objects/${first}`, 404);
    expect((await listRequests(manual)).map((r) => r.flow_id)).not.toContain(flowId);
  });

  it('DELETE segments of 5 answers 204', async () => {
    const flowId = await newFlow(manual);
    await fillFlow(manual, flowId, 8);
    const res = await manual.delete(`/flows/${flowId}/segments`, { query: { timerange: '[0:0_50:0)' } });
    expect(res.status).toBe(204);
    expect(await timeranges(manual, flowId)).toEqual([secs(50, 60), secs(60, 70), secs(70, 80)]);
  });
});

describe('asynchronous Flow deletion above the limit, chunk by chunk', () => {
  it('answers 202, hides the Flow at once and reports progress until done', async () => {
    const flowId = await newFlow(manual);
    await fillFlow(manual, flowId, 8);
    const accepted = expectAccepted(manual, await manual.delete(`/flows/${flowId}`));
    expect(accepted).toMatchObject({
      flow_id: flowId,
      delete_flow: true,
      timerange_to_delete: '_',
      status: 'created',
    });

    // Gone for clients straight away.
    await expectGetError(manual, `/flows/${flowId}`, 404);
    expect((await getSegments(manual, flowId)).body).toEqual([]);
    const flows = await manual.get<Doc[]>('/flows', { query: { limit: 1000 } });
    expect(flows.body.map((f) => f.id)).not.toContain(flowId);
    expectError(await manual.post(`/flows/${flowId}/storage`, { limit: 1 }), 404);
    expectError(
      await manual.post(`/flows/${flowId}/segments`, { object_id: 'x', timerange: '[0:0_1:0)' }),
      404,
    );
    expectError(await manual.delete(`/flows/${flowId}/segments`), 404);
    expectError(await manual.delete(`/flows/${flowId}`), 404);

    // Visible in the list and by id (following Location).
    expect((await listRequests(manual)).map((r) => r.id)).toContain(accepted.id);
    const located = await manual.get<DeletionRequest>(
      new URL(`/flow-delete-requests/${accepted.id}`, manual.url).pathname,
    );
    expect(located.body).toEqual(accepted);

    // The worker takes it in chunks of 3: 8 segments, three steps.
    const remaining: string[] = [];
    const statuses: string[] = [];
    for (let step = 0; step < 10; step++) {
      expect(await worker.step()).toBe(true);
      const now = await getRequest(manual, accepted.id);
      statuses.push(now.status);
      remaining.push(now.timerange_remaining as string);
      if (now.status === 'done') break;
      expect(now.expiry).toBeUndefined();
    }
    expect(statuses).toEqual(['started', 'started', 'done']);
    expect(remaining).toEqual(['[30:0_', '[60:0_', '()']);
    expect(await worker.step()).toBe(false);

    const done = await getRequest(manual, accepted.id);
    expect(done.expiry).toEqual(expect.any(String));
    expect(Date.parse(done.expiry as string)).toBeGreaterThan(Date.now() + 500_000);
    expect(Date.parse(done.updated as string)).toBeGreaterThanOrEqual(Date.parse(accepted.updated as string));
    // Done requests stay listed until they expire.
    expect((await listRequests(manual)).find((r) => r.id === accepted.id)?.status).toBe('done');
  });

  it('drops the Flow from referenced_by_flows of shared objects at once', async () => {
    const flowId = await newFlow(manual);
    const other = await newFlow(manual);
    const [shared] = await fillFlow(manual, flowId, 6);
    await addSegments(manual, other, { object_id: shared as string, timerange: secs(0, 10) });
    const accepted = expectAccepted(manual, await manual.delete(`/flows/${flowId}`));
    const object = await manual.get<Doc>(`/objects/${shared}`);
    expect(object.status).toBe(200);
    assertSpecValid('object.json', object.body);
    expect(object.body.referenced_by_flows).toEqual([other]);
    while (await worker.step()) {}
    expect((await getRequest(manual, accepted.id)).status).toBe('done');
    expect((await manual.get<Doc>(`/objects/${shared}`)).body.referenced_by_flows).toEqual([other]);
  });

  it('refuses PUT of the same Flow id while its deletion runs (403), accepts it once done', async () => {
    const flow = videoFlow();
    const flowId = flow.id as string;
    expect((await manual.put(`/flows/${flowId}`, flow)).status).toBe(201);
    await fillFlow(manual, flowId, 6);
    const accepted = expectAccepted(manual, await manual.delete(`/flows/${flowId}`));
    expectError(await manual.put(`/flows/${flowId}`, flow), 403);
    expect(await worker.step()).toBe(true);
    expect((await getRequest(manual, accepted.id)).status).toBe('started');
    expectError(await manual.put(`/flows/${flowId}`, flow), 403);
    while (await worker.step()) {}
    expect((await getRequest(manual, accepted.id)).status).toBe('done');
    const again = await manual.put(`/flows/${flowId}`, flow);
    expect(again.status, again.text).toBe(201);
    // The new Flow starts empty.
    expect((await getSegments(manual, flowId)).body).toEqual([]);
  });

  it('answers 404 for an unknown deletion request id', async () => {
    await expectGetError(manual, `/flow-delete-requests/${randomUUID()}`, 404);
    await expectGetError(manual, '/flow-delete-requests/not-a-request', 404);
  });
});

describe('asynchronous segment deletion above the limit', () => {
  it('answers 202 with delete_flow false; the Flow stays and loses only those segments', async () => {
    const flowId = await newFlow(manual);
    await fillFlow(manual, flowId, 10);
    const accepted = expectAccepted(
      manual,
      await manual.delete(`/flows/${flowId}/segments`, { query: { timerange: '[10:0_85:0)' } }),
    );
    expect(accepted).toMatchObject({
      flow_id: flowId,
      delete_flow: false,
      timerange_to_delete: '[10:0_85:0)',
      timerange_remaining: '[10:0_85:0)',
      status: 'created',
    });
    expect(await worker.step()).toBe(true);
    const partial = await getRequest(manual, accepted.id);
    expect(partial).toMatchObject({ status: 'started', timerange_remaining: '[40:0_85:0)' });
    expect(await timeranges(manual, flowId)).toEqual(
      [0, 4, 5, 6, 7, 8, 9].map((i) => secs(i * 10, i * 10 + 10)),
    );
    while (await worker.step()) {}
    expect((await getRequest(manual, accepted.id)).status).toBe('done');
    // [80:0_90:0) straddles the end of the range and stays.
    expect(await timeranges(manual, flowId)).toEqual([secs(0, 10), secs(80, 90), secs(90, 100)]);
    const flow = await manual.get<Doc>(`/flows/${flowId}`, { query: { include_timerange: true } });
    expect(flow.status).toBe(200);
    expect(flow.body.timerange).toBe(secs(0, 100));
  });

  it('keeps the object_id filter of an asynchronous deletion', async () => {
    const flowId = await newFlow(manual);
    const [a, b] = await objectIds(manual, flowId, 2);
    await addSegments(
      manual,
      flowId,
      Array.from({ length: 14 }, (_, i) => ({
        object_id: (i % 2 === 0 ? a : b) as string,
        timerange: secs(i * 10, i * 10 + 10),
        sample_offset: i,
      })),
    );
    const accepted = expectAccepted(
      manual,
      await manual.delete(`/flows/${flowId}/segments`, { query: { object_id: a as string } }),
    );
    expect(accepted).toMatchObject({ delete_flow: false, timerange_to_delete: '_' });
    while (await worker.step()) {}
    expect((await getRequest(manual, accepted.id)).status).toBe('done');
    const left = (await getSegments(manual, flowId, { limit: 100 })).body;
    expect(left.map((s) => s.object_id)).toEqual(Array(7).fill(b));
    expect(left.map((s) => s.sample_offset)).toEqual([1, 3, 5, 7, 9, 11, 13]);
    await expectGetError(manual, `/objects/${a}`, 404);
  });

  it('refuses a read-only Flow (403) before creating any request', async () => {
    const flowId = await newFlow(manual);
    await fillFlow(manual, flowId, 7);
    expect((await putValue(manual, `/flows/${flowId}/read_only`, true)).status).toBe(204);
    const before = (await listRequests(manual)).length;
    expectError(await manual.delete(`/flows/${flowId}/segments`), 403);
    expectError(await manual.delete(`/flows/${flowId}`), 403);
    expect(await listRequests(manual)).toHaveLength(before);
  });
});

describe('asynchronous deletion with the background workers running', () => {
  it('reaches done on its own and the media bytes are deleted', async () => {
    const flowId = await newFlow(live);
    await fillFlow(live, flowId, 12);
    const urls = [...(await presignedUrls(live, flowId)).values()];
    expect(urls).toHaveLength(12);
    const started = performance.now();
    const accepted = expectAccepted(live, await live.delete(`/flows/${flowId}`));
    expect((await getSegments(live, flowId)).body).toEqual([]);
    const done = await waitFor('the deletion request to finish', async () => {
      const request = await getRequest(live, accepted.id);
      expect(request.status).not.toBe('error');
      return request.status === 'done' && request;
    });
    console.log(
      `async deletion of 12 segments in chunks of 3: ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(done.timerange_remaining).toBe('()');
    expect(done.expiry).toEqual(expect.any(String));
    for (const url of urls) await waitBytesGone(live, url);
    expect(await fetchStatus(urls[0] as string)).toBe(404);
  });

  it('finishes an asynchronous segment deletion and updates the Flow timerange', async () => {
    const flowId = await newFlow(live);
    await fillFlow(live, flowId, 9);
    const accepted = expectAccepted(
      live,
      await live.delete(`/flows/${flowId}/segments`, { query: { timerange: '[30:0_' } }),
    );
    await waitFor(
      'the deletion request to finish',
      async () => (await getRequest(live, accepted.id)).status === 'done',
    );
    expect(await timeranges(live, flowId)).toEqual([secs(0, 10), secs(10, 20), secs(20, 30)]);
    const flow = await live.get<Doc>(`/flows/${flowId}`, { query: { include_timerange: true } });
    expect(flow.body.timerange).toBe(secs(0, 30));
  });
});
