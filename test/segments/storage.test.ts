/**
 * POST /flows/{flowId}/storage (DIGEST §7, §14.12): how many objects, which ids, which backend,
 * the put_url, and the refusals.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { type Doc, expectError, multiFlow, putValue } from '../http/fixtures.ts';
import { allocate, backend, getSegments, newFlow, upload } from './helpers.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    env: { TAMS_STORAGE_LIMIT_DEFAULT: '4', TAMS_STORAGE_LIMIT_MAX: '7' },
  });
});
afterAll(() => server.close());

const storagePath = (flowId: string) => `/flows/${flowId}/storage`;

describe('POST /flows/{id}/storage: how many objects', () => {
  it('allocates the default number with no body and with an empty body', async () => {
    const flowId = await newFlow(server);
    const none = await server.request<Doc>('POST', storagePath(flowId));
    expect(none.status, none.text).toBe(201);
    expect(none.headers.get('content-type')).toBe('application/json');
    assertSpecValid('flow-storage.json', none.body);
    expect(none.body.media_objects).toHaveLength(4);
    expect(await allocate(server, flowId, {})).toHaveLength(4);
  });

  it('allocates `limit` objects, and at most the maximum', async () => {
    const flowId = await newFlow(server);
    expect(await allocate(server, flowId, { limit: 1 })).toHaveLength(1);
    expect(await allocate(server, flowId, { limit: 6 })).toHaveLength(6);
    expect(await allocate(server, flowId, { limit: 7 })).toHaveLength(7);
    expect(await allocate(server, flowId, { limit: 500 })).toHaveLength(7);
  });

  it('refuses a limit below 1', async () => {
    const flowId = await newFlow(server);
    for (const limit of [0, -3]) expectError(await server.post(storagePath(flowId), { limit }), 400);
  });

  it('returns new random object ids on every call', async () => {
    const flowId = await newFlow(server);
    const ids = [
      ...(await allocate(server, flowId, { limit: 7 })),
      ...(await allocate(server, flowId, { limit: 7 })),
      ...(await allocate(server, (await newFlow(server)) as string, { limit: 7 })),
    ].map((o) => o.object_id);
    expect(new Set(ids).size).toBe(21);
    for (const id of ids) expect(id.length).toBeGreaterThanOrEqual(16);
  });
});

describe('POST /flows/{id}/storage: object_ids', () => {
  it('uses the given object ids, in order, including ids with `/`', async () => {
    const flowId = await newFlow(server);
    const ids = [`tams-${randomUUID()}/${randomUUID()}.ts`, `plain-${randomUUID()}`];
    const objects = await allocate(server, flowId, { object_ids: ids });
    expect(objects.map((o) => o.object_id)).toEqual(ids);
  });

  it('refuses both limit and object_ids', async () => {
    const flowId = await newFlow(server);
    expectError(await server.post(storagePath(flowId), { limit: 1, object_ids: [randomUUID()] }), 400);
  });

  it('refuses object ids that already exist, allocating none of the request', async () => {
    const flowId = await newFlow(server);
    const [random] = await allocate(server, flowId, { limit: 1 });
    const chosen = `tams-${randomUUID()}/${randomUUID()}`;
    await allocate(server, flowId, { object_ids: [chosen] });
    const fresh = `fresh-${randomUUID()}`;

    expectError(await server.post(storagePath(flowId), { object_ids: [chosen] }), 400);
    expectError(await server.post(storagePath(flowId), { object_ids: [random?.object_id] }), 400);
    // Also from another Flow: object ids are unique in the store.
    expectError(await server.post(storagePath(await newFlow(server)), { object_ids: [chosen] }), 400);
    expectError(await server.post(storagePath(flowId), { object_ids: [fresh, chosen] }), 400);
    // The refused request allocated nothing: its new id is still free.
    expect((await allocate(server, flowId, { object_ids: [fresh] })).map((o) => o.object_id)).toEqual([
      fresh,
    ]);
  });

  it('refuses duplicate and empty object ids', async () => {
    const flowId = await newFlow(server);
    const id = randomUUID();
    expectError(await server.post(storagePath(flowId), { object_ids: [id, id] }), 400);
    expectError(await server.post(storagePath(flowId), { object_ids: [] }), 400);
    expectError(await server.post(storagePath(flowId), { object_ids: [''] }), 400);
  });
});

describe('POST /flows/{id}/storage: backends', () => {
  it('uses the storage_id given when it is a backend of the service', async () => {
    const { id } = await backend(server);
    const flowId = await newFlow(server);
    const [object] = await allocate(server, flowId, { limit: 1, storage_id: id });
    if (!object) throw new Error('nothing allocated');
    await upload(object);
    expect(
      (
        await server.post(`/flows/${flowId}/segments`, {
          object_id: object.object_id,
          timerange: '[0:0_1:0)',
        })
      ).status,
    ).toBe(201);
    const listed = await getSegments(server, flowId, { verbose_storage: true });
    const storageIds = listed.body[0]?.get_urls?.map((u) => u.storage_id);
    expect(storageIds).toEqual([id, id]);
  });

  it('refuses an unknown or malformed storage_id', async () => {
    const flowId = await newFlow(server);
    expectError(await server.post(storagePath(flowId), { storage_id: randomUUID() }), 400);
    expectError(await server.post(storagePath(flowId), { storage_id: 'local' }), 400);
  });
});

describe('POST /flows/{id}/storage: put_url', () => {
  it("gives a put_url whose content-type is the Flow's container, and the upload must use it", async () => {
    const flowId = await newFlow(server, { container: 'video/mp4' });
    const [object] = await allocate(server, flowId, { limit: 1 });
    if (!object) throw new Error('nothing allocated');
    assertSpecValid('http-request.json', object.put_url);
    expect(object.put_url['content-type']).toBe('video/mp4');
    expect(new URL(object.put_url.url).origin).toBe(server.url);
    const wrongType = await fetch(object.put_url.url, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp2t' },
      body: 'bytes',
    });
    expect(wrongType.status).toBe(403);
    await upload(object);
  });
});

describe('POST /flows/{id}/storage: refusals', () => {
  it('refuses a Flow without a container (400)', async () => {
    const multi = multiFlow();
    delete multi.container;
    expect((await server.put(`/flows/${multi.id}`, multi)).status).toBe(201);
    expectError(await server.post(storagePath(multi.id as string), { limit: 1 }), 400);
  });

  it('refuses a read-only Flow (403), and allocates again once it is writable', async () => {
    const flowId = await newFlow(server, { read_only: true });
    expectError(await server.post(storagePath(flowId), { limit: 1 }), 403);
    expect((await putValue(server, `/flows/${flowId}/read_only`, false)).status).toBe(204);
    expect(await allocate(server, flowId, { limit: 1 })).toHaveLength(1);
  });

  it('answers 404 for an unknown or malformed Flow id', async () => {
    expectError(await server.post(storagePath(randomUUID()), { limit: 1 }), 404);
    expectError(await server.post(storagePath('not-a-uuid'), { limit: 1 }), 404);
  });

  it('refuses invalid bodies (400)', async () => {
    const flowId = await newFlow(server);
    expectError(await server.post(storagePath(flowId), '{"limit": '), 400);
    expectError(await server.post(storagePath(flowId), { limit: 'many' }), 400);
    expectError(await server.post(storagePath(flowId), { object_ids: 'abc' }), 400);
    expectError(await server.post(storagePath(flowId), [1, 2]), 400);
  });
});
