/**
 * Initialisation segments (TAMS 8.2, ADR 0045, AppNote 0024): written as AppNote 0024 says (a
 * Flow with `init_segments`, init storage with its `content_type`, media segments naming it with
 * `init_object_id`), read back as each segment's and media object's `init_object` with get_urls
 * (filtered as the segments' are, storage-backend tags included); the registration rules of both
 * versions; an init object in use is never collected, and goes with the last segment using it.
 * Every 8.2 answer valid against 8.2's schemas, every 7.0 one against 7.0's.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { fsBackendEntry } from '../helpers/s3.server.ts';
import { type HttpClient, startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, getAndHead } from '../http/fixtures.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import {
  type AllocatedObject,
  FAST_WORKERS,
  getSegments,
  newFlow,
  secs,
  upload,
  waitFor,
} from './helpers.ts';

const FS_ID = randomUUID();
const media = tempDir('tams-init-v8-');
afterAll(() => media.remove());

type InitObject = { object_id: string; get_urls?: Doc[] };
type Segment82 = Doc & { object_id: string; timerange: string; init_object?: InitObject; get_urls?: Doc[] };

/** An object's answer but its own get_urls (its storage's, object instances: checked apart). */
const withoutUrls = ({ get_urls: _urls, ...rest }: Doc): Doc => rest;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The server's fs store, tagged, on every engine (its URLs are on the API's origin). */
function start(env: Record<string, string> = {}): Promise<TestServer> {
  return startServer({
    env: {
      TAMS_MEDIA_DIR: media.path,
      TAMS_STORAGE_BACKENDS: JSON.stringify([fsBackendEntry({ id: FS_ID, tags: { tier: 'hot' } })]),
      ...env,
    },
  });
}

async function createFlow82(v8: HttpClient, flow: Doc): Promise<string> {
  const res = await v8.put(`/flows/${flow.id}`, flow);
  expect(res.status, res.text).toBe(201);
  return flow.id as string;
}

async function allocate82(v8: HttpClient, flowId: string, body: Doc): Promise<AllocatedObject[]> {
  const res = await v8.post<{ media_objects: AllocatedObject[] }>(`/flows/${flowId}/storage`, body);
  expect(res.status, res.text).toBe(201);
  spec82.assertSpecValid('flow-storage.json', res.body);
  return res.body.media_objects;
}

async function segments82(v8: HttpClient, flowId: string, query: Record<string, string | boolean> = {}) {
  const res = await getAndHead<Segment82[]>(v8, `/flows/${flowId}/segments`, { query });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('flow-segment.json[]', res.body);
  return res.body;
}

async function object82(v8: HttpClient, id: string, query: Record<string, string | boolean> = {}) {
  const res = await getAndHead<Doc>(v8, `/objects/${encodeURIComponent(id)}`, { query });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('object.json', res.body);
  return res.body;
}

/** POST segments that must all be registered (201). */
async function register(client: HttpClient, flowId: string, segments: Doc | Doc[]): Promise<void> {
  const res = await client.post(`/flows/${flowId}/segments`, segments);
  expect(res.status, res.text).toBe(201);
}

async function refused(client: HttpClient, flowId: string, body: Doc, message: string): Promise<void> {
  const res = await client.post(`/flows/${flowId}/segments`, body);
  expectError(res, 400);
  expect((res.body as Doc).summary).toContain(message);
}

describe('initialisation segments', () => {
  let server: TestServer;
  let v8: HttpClient;
  beforeAll(async () => {
    server = await start();
    v8 = mountClient(server, '/tams/v8.2');
  });
  afterAll(() => server?.close());

  /** An fMP4 Flow through 8.2 with two init objects and three segments; their bytes. */
  async function ingest() {
    const flowId = await createFlow82(v8, initSegmentsFlow());
    const inits = await allocate82(v8, flowId, { limit: 2, content_type: 'application/mp4' });
    const [initA, initB] = inits as [AllocatedObject, AllocatedObject];
    const bytes = new Map<string, Buffer>();
    for (const o of inits) {
      const b = randomBytes(700);
      bytes.set(o.object_id, b);
      await upload(o, b);
    }
    const objects = (await allocate82(v8, flowId, { limit: 3 })) as [
      AllocatedObject,
      AllocatedObject,
      AllocatedObject,
    ];
    for (const o of objects) await upload(o);
    await register(v8, flowId, [
      { object_id: objects[0].object_id, timerange: secs(0, 2), init_object_id: initA.object_id },
      { object_id: objects[1].object_id, timerange: secs(2, 4), init_object_id: initA.object_id },
      { object_id: objects[2].object_id, timerange: secs(4, 6), init_object_id: initB.object_id },
    ]);
    return { flowId, initA, initB, objects, bytes };
  }

  it('reads each segment with its init object, whose get_urls give its bytes', async () => {
    const { flowId, initA, initB, objects, bytes } = await ingest();
    const listed = await segments82(v8, flowId);
    expect(listed.map((s) => s.init_object?.object_id)).toEqual([
      initA.object_id,
      initA.object_id,
      initB.object_id,
    ]);
    for (const s of listed) {
      const init = s.init_object as InitObject;
      expect(init.get_urls?.map((u) => u.presigned).sort()).toEqual([false, true]);
      const presigned = init.get_urls?.find((u) => u.presigned === true)?.url as string;
      const got = Buffer.from(await (await fetch(presigned)).arrayBuffer());
      expect(sha(got)).toBe(sha(bytes.get(init.object_id) as Buffer));
    }
    // The get_urls filters apply to init objects' URLs too, storage-backend tags included.
    const verbose = await segments82(v8, flowId, { verbose_storage: true, presigned: true });
    expect(verbose[0]?.init_object?.get_urls).toEqual([
      expect.objectContaining({ storage_id: FS_ID, presigned: true, tags: { tier: 'hot' } }),
    ]);
    const cold = await segments82(v8, flowId, { 'storage_backend_tag.tier': 'cold' });
    for (const s of cold) {
      expect(s.get_urls).toEqual([]);
      expect(s.init_object).toEqual({ object_id: s.init_object?.object_id, get_urls: [] });
    }

    // Objects: the media object names its init object; the init object has no timerange, and
    // the Flows of the segments using it.
    const mediaObject = await object82(v8, objects[0].object_id, { presigned: true });
    expect(mediaObject.init_object).toMatchObject({ id: initA.object_id });
    expect((mediaObject.init_object as { get_urls: Doc[] }).get_urls).toHaveLength(1);
    const coldObject = await object82(v8, objects[0].object_id, { 'storage_backend_tag.tier': 'cold' });
    expect(coldObject.init_object).toEqual({ id: initA.object_id, get_urls: [] });
    const initObject = await object82(v8, initA.object_id);
    expect(withoutUrls(initObject)).toEqual({
      id: initA.object_id,
      referenced_by_flows: [flowId],
      first_referenced_by_flow: flowId,
    });
    // Its own URLs: where its bytes are, as a media object's (presigned and direct).
    expect((initObject.get_urls as Doc[]).map((u) => u.presigned)).toEqual([true, false]);

    // 7.0: the media objects only (no init_object), each answer valid against 7.0.
    const seven = await getSegments(server, flowId);
    for (const s of seven.body) expect(s).not.toHaveProperty('init_object');
    for (const id of [objects[0].object_id, initA.object_id]) {
      const res = await getAndHead<Doc>(server, `/objects/${id}`);
      assertSpecValid('object.json', res.body);
      expect(Object.keys(res.body).sort()).toEqual(['first_referenced_by_flow', 'id', 'referenced_by_flows']);
    }
  });

  it('refuses what breaks the init rules, in both versions', async () => {
    const { flowId, initA, initB, objects } = await ingest();
    const [fresh, other] = (await allocate82(v8, flowId, { limit: 2 })) as [AllocatedObject, AllocatedObject];
    // A new object of an init Flow needs its init object: known here, not a media object.
    await refused(v8, flowId, { object_id: fresh.object_id, timerange: secs(10, 12) }, 'give init_object_id');
    const unknown = { object_id: fresh.object_id, timerange: secs(10, 12), init_object_id: 'nowhere' };
    await refused(v8, flowId, unknown, 'init_object_id nowhere is unknown');
    const media = {
      object_id: fresh.object_id,
      timerange: secs(10, 12),
      init_object_id: objects[0].object_id,
    };
    await refused(v8, flowId, media, 'is a media object');
    const own = { object_id: fresh.object_id, timerange: secs(10, 12), init_object_id: fresh.object_id };
    await refused(v8, flowId, own, "is the segment's own object_id");
    const init = { object_id: initA.object_id, timerange: secs(10, 12), init_object_id: initB.object_id };
    await refused(v8, flowId, init, 'is an initialisation segment');
    // A re-used object keeps its init object: another is refused, the same (or none) taken.
    const changed = {
      object_id: objects[0].object_id,
      timerange: secs(20, 22),
      ts_offset: '20:0',
      init_object_id: initB.object_id,
    };
    await refused(v8, flowId, changed, 'conflicts with object');
    await register(v8, flowId, [
      { object_id: objects[0].object_id, timerange: secs(20, 22), ts_offset: '20:0' },
      {
        object_id: objects[1].object_id,
        timerange: secs(22, 24),
        ts_offset: '20:0',
        init_object_id: initA.object_id,
      },
    ]);
    // An init object allocated for another Flow, and not used yet, is that Flow's.
    const elsewhere = await createFlow82(v8, initSegmentsFlow());
    const [foreign] = (await allocate82(v8, elsewhere, { limit: 1, content_type: 'application/mp4' })) as [
      AllocatedObject,
    ];
    const borrowed = {
      object_id: fresh.object_id,
      timerange: secs(30, 32),
      init_object_id: foreign.object_id,
    };
    await refused(v8, flowId, borrowed, 'allocated for another Flow');

    // In an array: the failed ones listed, the others registered.
    const bulk = await v8.post(`/flows/${flowId}/segments`, [
      { object_id: fresh.object_id, timerange: secs(40, 42), init_object_id: initB.object_id },
      { object_id: other.object_id, timerange: secs(42, 44) },
    ]);
    expect(bulk.status, bulk.text).toBe(200);
    spec82.assertSpecValid('flow-segment-bulk-failure.json', bulk.body);
    expect((bulk.body as { failed_segments: Doc[] }).failed_segments.map((f) => f.object_id)).toEqual([
      other.object_id,
    ]);

    // 7.0 cannot give init objects: a new object of an init Flow is refused, a re-used object
    // that has one is taken (and 8.2 reads it with its init object).
    const seven = await newFlow(server, { container: 'video/mp4' });
    for (const client of [server as HttpClient, mountClient(server, '/tams/v7.0')]) {
      await refused(client, flowId, { object_id: other.object_id, timerange: secs(50, 52) }, '/tams/v8.2');
    }
    const reuse = { object_id: objects[2].object_id, timerange: secs(60, 62), ts_offset: '56:0' };
    await register(server, flowId, reuse);
    const [read] = await segments82(v8, flowId, { timerange: secs(60, 62) });
    expect(read?.init_object?.object_id).toBe(initB.object_id);
    // An object with an init object belongs in Flows with init_segments only, in either version.
    await refused(
      server,
      seven,
      { object_id: objects[2].object_id, timerange: secs(0, 2), ts_offset: '-4:0' },
      'init_segments must be true',
    );
    const plainFlow = await newFlow(server);
    const [plain] = (await allocate82(v8, plainFlow, { limit: 1 })) as [AllocatedObject];
    const given = { object_id: plain.object_id, timerange: secs(0, 2), init_object_id: initA.object_id };
    await refused(v8, plainFlow, given, 'init_segments must be true');
  });

  it('keeps an init object while a segment uses it, through either Flow, and lists those Flows', async () => {
    const { flowId, initA, objects } = await ingest();
    const edit = await createFlow82(v8, initSegmentsFlow());
    await register(v8, edit, {
      object_id: objects[0].object_id,
      timerange: secs(100, 102),
      ts_offset: '100:0',
    });
    expect((await object82(v8, initA.object_id)).referenced_by_flows).toEqual([flowId, edit].sort());
    // One of the Flow's two segments using initA goes: the other still does, and initA is still
    // an init object (never a segment's object).
    expect((await v8.delete(`/flows/${flowId}/segments`, { query: { timerange: secs(0, 2) } })).status).toBe(
      204,
    );
    expect((await object82(v8, initA.object_id)).referenced_by_flows).toEqual([flowId, edit].sort());
    const [spare] = (await allocate82(v8, flowId, { limit: 1 })) as [AllocatedObject];
    const asMedia = { object_id: initA.object_id, timerange: secs(50, 52), init_object_id: spare.object_id };
    await refused(v8, flowId, asMedia, 'is an initialisation segment');
    const deleted = await v8.delete(`/flows/${flowId}/segments`);
    expect(deleted.status).toBe(204);
    // The edit still uses objects[0], and through it initA.
    expect(withoutUrls(await object82(v8, initA.object_id))).toEqual({
      id: initA.object_id,
      referenced_by_flows: [edit],
    });
    const [kept] = await segments82(v8, edit);
    expect(kept?.init_object?.object_id).toBe(initA.object_id);
    expect((await v8.delete(`/flows/${edit}/segments`)).status).toBe(204);
    expectError(await v8.get(`/objects/${initA.object_id}`), 404);
  });
});

describe('collection of init objects', () => {
  it('leaves an init object in use past the grace period, and collects it with its last segment', async () => {
    // As test/segments/objects.lifecycle.test.ts: VAST's round trips need a longer grace.
    const grace = process.env.TAMS_TEST_ENGINE === 'vast' ? '4' : '1';
    const server = await start({ ...FAST_WORKERS, TAMS_UNUSED_OBJECT_GRACE_SECONDS: grace });
    try {
      const v8 = mountClient(server, '/tams/v8.2');
      const flowId = await createFlow82(v8, initSegmentsFlow());
      const [init, abandoned] = (await allocate82(v8, flowId, {
        limit: 2,
        content_type: 'application/mp4',
      })) as [AllocatedObject, AllocatedObject];
      const [object] = (await allocate82(v8, flowId, { limit: 1 })) as [AllocatedObject];
      for (const o of [init, abandoned, object]) await upload(o);
      const [store] = server.runtime.media.stores;
      // Where the bytes are, read before any is released.
      const keys = new Map<string, string>();
      for (const o of [init, abandoned]) {
        const at = await server.runtime.store.objects.location(o.object_id);
        keys.set(o.object_id, at?.storage_path as string);
      }
      const path = (o: AllocatedObject) => keys.get(o.object_id) as string;
      await register(v8, flowId, {
        object_id: object.object_id,
        timerange: secs(0, 2),
        init_object_id: init.object_id,
      });

      // The collector has run past the grace period: the abandoned upload is gone, the init
      // object in use is not.
      await waitFor(
        'the abandoned upload to be collected',
        async () => (await store?.head(path(abandoned))) === null,
      );
      expect(await store?.head(path(init))).not.toBeNull();
      expect((await object82(v8, init.object_id)).referenced_by_flows).toEqual([flowId]);

      expect((await v8.delete(`/flows/${flowId}/segments`)).status).toBe(204);
      expectError(await v8.get(`/objects/${init.object_id}`), 404);
      await waitFor('the init object to be collected', async () => (await store?.head(path(init))) === null);
    } finally {
      await server.close();
    }
  });
});
