/**
 * POST /tams/v8.2/flows/{flowId}/storage (ADR 0039, 0045, 0054) on the local media directory:
 * 8.2's answer (no `pre`, no `put_cors_url`, `presigned` on each item), presigned PUT URLs by
 * default and unsigned ones on request, which take the API's credentials (write scope) and are
 * held to their allocation, `content_type` for initialisation segments; every answer valid
 * against 8.2's flow-storage.json, and 7.0's answers (at / and /tams/v7.0) as before.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, startAuthServer } from '../auth/auth.fixture.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { SPEC_8_2_DIR, spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, videoFlow } from '../http/fixtures.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import { type AllocatedObject, addSegments, getSegments, newFlow, secs } from './helpers.ts';

/** The fs store on every engine: its put_urls are on the API's origin and take its credentials. */
const media = tempDir('tams-storage-v8-');
afterAll(() => media.remove());

type Storage = { media_objects: (AllocatedObject & { presigned?: boolean })[] };

/** POST storage through 8.2 that must succeed: its objects, valid against 8.2's flow-storage.json. */
async function allocate82(v8: HttpClient, flowId: string, body: unknown, headers = {}) {
  const res = await v8.post<Storage>(`/flows/${flowId}/storage`, body, { headers });
  expect(res.status, res.text).toBe(201);
  spec82.assertSpecValid('flow-storage.json', res.body);
  return res.body.media_objects;
}

async function put(object: AllocatedObject, bytes: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { ...object.put_url.headers, ...headers, 'content-type': object.put_url['content-type'] },
    body: bytes,
  });
  return { status: res.status, text: await res.text() };
}

describe('POST /tams/v8.2/flows/{flowId}/storage', () => {
  let server: TestServer;
  let v8: HttpClient;
  beforeAll(async () => {
    server = await startServer({ workers: false, env: { TAMS_MEDIA_DIR: media.path } });
    v8 = mountClient(server, '/tams/v8.2');
  });
  afterAll(() => server?.close());

  it('answers presigned put_urls by default, each saying so, without 7.0-only properties', async () => {
    const flowId = await newFlow(server);
    const objects = await allocate82(v8, flowId, { limit: 2 });
    expect(objects).toHaveLength(2);
    for (const o of objects) {
      expect(Object.keys(o).sort()).toEqual(['object_id', 'presigned', 'put_url']);
      expect(o.presigned).toBe(true);
      expect(new URL(o.put_url.url).searchParams.get('sig')).not.toBeNull();
      expect(o.put_url['content-type']).toBe('video/mp2t');
    }
    const [first] = objects as [AllocatedObject];
    const bytes = randomBytes(5000);
    expect((await put(first, bytes)).status).toBe(200);
    await addSegments(v8, flowId, { object_id: first.object_id, timerange: secs(0, 10) });
    const [segment] = (await getSegments(server, flowId, { presigned: true })).body;
    const back = await fetch(segment?.get_urls?.[0]?.url as string);
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("takes the spec's example requests", async () => {
    const flowId = await newFlow(server);
    const example = (name: string) =>
      JSON.parse(readFileSync(join(SPEC_8_2_DIR, 'examples', name), 'utf8')) as Doc & {
        object_ids?: string[];
      };
    expect(await allocate82(v8, flowId, example('flow-storage-post.json'))).toHaveLength(50);
    const byIds = example('flow-storage-post-object_ids.json');
    const listed = await allocate82(v8, flowId, byIds);
    expect(listed.map((o) => o.object_id)).toEqual(byIds.object_ids);
  });

  it('answers put_urls without a signature for presigned false; 7.0 ignores it', async () => {
    const flowId = await newFlow(server);
    const [plain] = (await allocate82(v8, flowId, { limit: 1, presigned: false })) as [AllocatedObject];
    expect(plain).toMatchObject({ presigned: false, put_url: { 'content-type': 'video/mp2t' } });
    const url = new URL(plain.put_url.url);
    expect(url.pathname).toMatch(/^\/media\//);
    expect([...url.searchParams.keys()]).toEqual(['object']);
    expect(url.searchParams.get('object')).toBe(plain.object_id);
    // An open server (TAMS_AUTH=none) asks for no credentials: the upload is the allocation's.
    const bytes = randomBytes(3000);
    expect((await put(plain, bytes)).status).toBe(200);
    expect((await put(plain, randomBytes(10))).status).toBe(412);
    await addSegments(server, flowId, { object_id: plain.object_id, timerange: secs(0, 10) });
    const [segment] = (await getSegments(server, flowId, { presigned: true })).body;
    const back = await fetch(segment?.get_urls?.[0]?.url as string);
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);

    for (const client of [server as HttpClient, mountClient(server, '/tams/v7.0')]) {
      const res = await client.post<Storage>(`/flows/${flowId}/storage`, { limit: 1, presigned: false });
      expect(res.status).toBe(201);
      assertSpecValid('flow-storage.json', res.body);
      const [seven] = res.body.media_objects;
      expect(Object.keys(seven ?? {}).sort()).toEqual(['object_id', 'put_url']);
      expect(new URL(seven?.put_url.url as string).searchParams.get('sig')).not.toBeNull();
    }
  });

  it('holds an unsigned upload to its allocation: other paths, and released objects, are refused', async () => {
    const flowId = await newFlow(server);
    const [a, b] = (await allocate82(v8, flowId, { limit: 2, presigned: false })) as [
      AllocatedObject,
      AllocatedObject,
    ];
    // a's path naming b: b's allocation does not hold a's path.
    const naming = new URL(a.put_url.url);
    naming.searchParams.set('object', b.object_id);
    const crossed = { ...a, put_url: { ...a.put_url, url: naming.toString() } };
    expect((await put(crossed, randomBytes(10))).status).toBe(404);
    // Without the object it names, an unsigned upload is refused as before 8.2.
    const bare = { ...a, put_url: { ...a.put_url, url: a.put_url.url.split('?')[0] as string } };
    expectError(await fetchError(bare), 403);
    // The Flow goes, and its allocations with it.
    expect((await server.delete(`/flows/${flowId}`)).status).toBeLessThan(300);
    expect((await put(b, randomBytes(10))).status).toBe(404);
  });

  it('allocates initialisation segments with their content_type, only for Flows that have them', async () => {
    const plainFlow = await newFlow(server);
    const refused = await v8.post(`/flows/${plainFlow}/storage`, { content_type: 'application/mp4' });
    expectError(refused, 400);
    expect((refused.body as Doc).summary).toContain('init_segments');
    expectError(await v8.post(`/flows/${plainFlow}/storage`, { content_type: 'foo/bar' }), 400);

    const fmp4 = initSegmentsFlow();
    expect((await v8.put(`/flows/${fmp4.id}`, fmp4)).status).toBe(201);
    const flowId = fmp4.id as string;
    const [init] = (await allocate82(v8, flowId, { limit: 1, content_type: 'application/mp4' })) as [
      AllocatedObject,
    ];
    expect(init.put_url['content-type']).toBe('application/mp4');
    expect((await put(init, randomBytes(100))).status).toBe(200);
    const [media] = (await allocate82(v8, flowId, { limit: 1 })) as [AllocatedObject];
    expect(media.put_url['content-type']).toBe('video/mp4');
    // The signature binds the type: the init segment's URL takes no other.
    const [other] = (await allocate82(v8, flowId, { limit: 1, content_type: 'application/mp4' })) as [
      AllocatedObject,
    ];
    const res = await fetch(other.put_url.url, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp4' },
      body: randomBytes(10),
    });
    expect(res.status).toBe(403);
  });
});

/** A PUT whose answer is a TAMS error: the response as expectError reads it. */
async function fetchError(object: AllocatedObject) {
  const res = await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { 'content-type': object.put_url['content-type'] },
    body: 'x',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as unknown };
}

describe('unsigned put_urls with authentication required', () => {
  let server: TestServer;
  let v8: HttpClient;
  let reader: Record<string, string>;
  let writer: Record<string, string>;
  const admin = bearer(ADMIN_TOKEN);
  beforeAll(async () => {
    server = await startAuthServer({ TAMS_MEDIA_DIR: media.path });
    v8 = mountClient(server, '/tams/v8.2');
    const tokens = server.runtime.auth.admin;
    reader = bearer((await tokens.createToken({ name: 'reader', scopes: ['read'] })).token);
    writer = bearer((await tokens.createToken({ name: 'writer', scopes: ['write'] })).token);
  });
  afterAll(() => server?.close());

  it('take the credentials of a client that may write, and presigned ones none', async () => {
    const flow = videoFlow({ id: randomUUID() });
    expect((await v8.put(`/flows/${flow.id}`, flow, { headers: admin })).status).toBe(201);
    const flowId = flow.id as string;
    const [plain] = (await allocate82(v8, flowId, { limit: 1, presigned: false }, admin)) as [
      AllocatedObject,
    ];
    const bytes = randomBytes(2000);
    expect((await put(plain, bytes)).status).toBe(401);
    expect((await put(plain, bytes, reader)).status).toBe(403);
    expect((await put(plain, bytes, writer)).status).toBe(200);
    const [signed] = (await allocate82(v8, flowId, { limit: 1 }, admin)) as [AllocatedObject];
    expect((await put(signed, bytes)).status).toBe(200);
    const res = await v8.post(
      `/flows/${flowId}/segments`,
      [
        { object_id: plain.object_id, timerange: secs(0, 10) },
        { object_id: signed.object_id, timerange: secs(10, 20) },
      ],
      { headers: admin },
    );
    expect(res.status, res.text).toBe(201);
  });
});
