/**
 * A Flow PUT that turns `essence_parameters.init_segments` on or off (TAMS 8.2, ADR 0045): 8.2
 * says it MUST be true if media objects have an `init_object`, and then all of them MUST. With
 * segments, a change that would break that is refused (400, naming the conflict) through either
 * version (7.0 keeps the value, but a change of format may drop it); one that agrees with the segments (or a Flow without segments) is taken, and PUTs that
 * leave the value as it is are not affected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { type Doc, expectError, imageFlow, videoFlow } from '../http/fixtures.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import { type AllocatedObject, addSegments, objectIds, secs, upload } from './helpers.ts';

let server: TestServer;
let v8: HttpClient;

beforeAll(async () => {
  server = await startServer();
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(() => server?.close());

/** The Flow's essence parameters with `init_segments` set (or left out, for undefined). */
function withInit(flow: Doc, value: boolean | undefined): Doc {
  const { init_segments: _i, ...params } = flow.essence_parameters as Doc;
  return { ...flow, essence_parameters: value === undefined ? params : { ...params, init_segments: value } };
}

async function put(client: HttpClient, flow: Doc, status: number): Promise<void> {
  const res = await client.put(`/flows/${flow.id}`, flow);
  expect(res.status, res.text).toBe(status);
}

async function refused(client: HttpClient, flow: Doc, message: string): Promise<void> {
  const res = await client.put(`/flows/${flow.id}`, flow);
  expectError(res, 400);
  expect((res.body as Doc).summary).toContain(message);
}

const initSegmentsOf = async (flow: Doc) =>
  ((await v8.get<Doc>(`/flows/${flow.id}`)).body.essence_parameters as Doc).init_segments;

async function allocate82(flowId: string, body: Doc): Promise<AllocatedObject[]> {
  const res = await v8.post<{ media_objects: AllocatedObject[] }>(`/flows/${flowId}/storage`, body);
  expect(res.status, res.text).toBe(201);
  return res.body.media_objects;
}

describe('changing init_segments of a Flow with segments', () => {
  it('off, while its objects have init objects: refused until they go', async () => {
    const flow = initSegmentsFlow();
    await put(v8, flow, 201);
    const [init] = (await allocate82(flow.id as string, { limit: 1, content_type: 'application/mp4' })) as [
      AllocatedObject,
    ];
    const [object] = (await allocate82(flow.id as string, { limit: 1 })) as [AllocatedObject];
    for (const o of [init, object]) await upload(o);
    const segment = { object_id: object.object_id, timerange: secs(0, 2), init_object_id: init.object_id };
    expect((await v8.post(`/flows/${flow.id}/segments`, segment)).status).toBe(201);

    const conflict = 'init_segments must stay true';
    await refused(v8, withInit(flow, false), conflict);
    await refused(v8, withInit(flow, undefined), conflict);
    // 7.0 keeps a value it cannot see; a 7.0 body making the Flow an image Flow (whose
    // parameters 7.0 replaces) would drop it, and is refused.
    await put(server, withInit({ ...flow, label: 'seven' }, undefined), 204);
    await refused(server, imageFlow({ id: flow.id, source_id: flow.source_id }), conflict);
    // The same value, with other changes: taken.
    await put(v8, { ...flow, label: 'eight' }, 204);
    expect(await initSegmentsOf(flow)).toBe(true);

    expect((await v8.delete(`/flows/${flow.id}/segments`)).status).toBe(204);
    await put(v8, withInit(flow, false), 204);
    expect(await initSegmentsOf(flow)).toBe(false);
  });

  it('on, while its objects have none: refused until they go', async () => {
    const flow = videoFlow({ container: 'video/mp4' });
    await put(server, flow, 201);
    const [a] = (await objectIds(server, flow.id as string, 1)) as [string];
    await addSegments(server, flow.id as string, { object_id: a, timerange: secs(0, 2) });

    const conflict = 'init_segments cannot become true';
    // (7.0 cannot say init_segments: its schema refuses it.)
    await refused(v8, withInit(flow, true), conflict);
    // Saying false, as before (absent means false): taken.
    await put(v8, withInit(flow, false), 204);
    expect(await initSegmentsOf(flow)).toBe(false);

    expect((await server.delete(`/flows/${flow.id}/segments`)).status).toBe(204);
    await put(v8, withInit(flow, true), 204);
    expect(await initSegmentsOf(flow)).toBe(true);
  });

  it('a Flow without segments turns it on and off freely', async () => {
    const flow = initSegmentsFlow();
    await put(v8, flow, 201);
    await put(v8, withInit(flow, false), 204);
    await put(v8, withInit(flow, true), 204);
    expect(await initSegmentsOf(flow)).toBe(true);
  });
});
