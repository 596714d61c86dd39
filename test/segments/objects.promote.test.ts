/**
 * TAMS 8.2's "move to archive" (ADR 0038, AppNote 0018): DELETE
 * /tams/v8.2/objects/{id}/instances?storage_id=<the backend the object was uploaded to> once a
 * ready copy of it exists elsewhere makes the copy the object's own location: the object and
 * every segment using it (in every Flow) point at the copy, through both versions, HLS and
 * export, at once and after restarts; the bytes uploaded are deleted. Refused (400) without a
 * ready copy; two deletions at once never leave the object without a location. Backends: the
 * embedded fs store and two buckets of one S3 server.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, col } from '../../src/db/predicate.ts';
import { T } from '../../src/store/tables.ts';
import { mountClient } from '../helpers/mounts.ts';
import { backendsEnv, fsBackendEntry, s3BackendEntry } from '../helpers/s3.server.ts';
import { type HttpClient, startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { expectError } from '../http/fixtures.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import { type S3rverHandle, startS3rver } from '../support/media/s3/s3.testkit.ts';
import {
  type AllocatedObject,
  accelerated,
  addSegments,
  allocate,
  FAST_WORKERS,
  type GetUrl,
  newFlow,
  type StoredBytes,
  secs,
  storedBytes,
  upload,
  waitBytesGone,
  waitFor,
} from './helpers.ts';

const FS_ID = randomUUID();
const ARCHIVE_ID = randomUUID();
const COLD_ID = randomUUID();

let s3: S3rverHandle;
let server: TestServer;
let v8: HttpClient;

/** Fast workers, a file system backend, and two buckets of one s3rver. */
const serverEnv = () => ({
  ...FAST_WORKERS,
  ...backendsEnv([
    fsBackendEntry({ id: FS_ID }),
    s3BackendEntry(s3, 'archive', { id: ARCHIVE_ID }),
    s3BackendEntry(s3, 'cold', { id: COLD_ID }),
  ]),
});

beforeAll(async () => {
  s3 = await startS3rver(['archive', 'cold']);
  server = await startServer({ env: serverEnv() });
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(async () => {
  await server?.close();
  await s3?.close();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function download(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return sha(new Uint8Array(await res.arrayBuffer()));
}

/** A Flow with one segment of a new object uploaded to backend `storageId`. */
async function uploaded(client: TestServer, storageId: string, bytes: Buffer) {
  const flowId = await newFlow(client);
  const [object] = await allocate(client, flowId, { limit: 1, storage_id: storageId });
  if (!object) throw new Error('nothing allocated');
  await upload(object, bytes);
  await addSegments(client, flowId, { object_id: object.object_id, timerange: secs(0, 10) });
  return { flowId, objectId: object.object_id };
}

/** Asks for a copy of the object on `storageId` and waits until it is in the object's get_urls. */
async function copy(client: HttpClient, objectId: string, storageId: string): Promise<void> {
  const res = await client.post(`/objects/${objectId}/instances`, { storage_id: storageId });
  expect(res.status, res.text).toBe(201);
  await waitFor(`a copy of ${objectId} on ${storageId}`, async () => {
    const got = await client.get<{ get_urls: GetUrl[] }>(`/objects/${objectId}`, {
      query: { accept_storage_ids: storageId },
    });
    expect(got.status, got.text).toBe(200);
    return got.body.get_urls.length > 0;
  });
}

function deleteInstance(client: HttpClient, objectId: string, query: Record<string, string>) {
  return client.delete(`/objects/${objectId}/instances`, { query });
}

/** The storage ids of the object's 8.2 get_urls, in order. */
async function objectBackends(client: HttpClient, objectId: string): Promise<(string | undefined)[]> {
  const res = await client.get<{ get_urls: GetUrl[] }>(`/objects/${objectId}`, {
    query: { verbose_storage: true },
  });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('object.json', res.body);
  return res.body.get_urls.map((u) => u.storage_id);
}

/**
 * The Flow's segments through 7.0 and 8.2 (each validated against its version's schemas): the
 * storage ids of each segment's controlled get_urls, and its presigned URLs.
 */
async function segmentUrls(client: TestServer, flowId: string) {
  const out: { backends: (string | undefined)[]; presigned: string[] }[] = [];
  for (const [api, check] of [
    [client, (b: unknown) => assertSpecValid('flow-segment.json[]', b)],
    [mountClient(client, '/tams/v8.2'), (b: unknown) => spec82.assertSpecValid('flow-segment.json[]', b)],
  ] as const) {
    const res = await api.get<{ get_urls: GetUrl[] }[]>(`/flows/${flowId}/segments`, {
      query: { verbose_storage: true },
    });
    expect(res.status, res.text).toBe(200);
    check(res.body);
    expect(res.body).toHaveLength(1);
    const urls = res.body[0]?.get_urls ?? [];
    out.push({
      backends: [...new Set(urls.filter((u) => u.controlled).map((u) => u.storage_id))],
      presigned: urls.filter((u) => u.presigned === true).map((u) => u.url),
    });
  }
  return out;
}

/** The media URLs of the Flow's VOD HLS playlist. */
async function playlistUrls(client: TestServer, flowId: string): Promise<string[]> {
  const res = await fetch(`${client.url}/flows/${flowId}/hls.m3u8?timerange=_`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

/** Waits until the Flow's segment index is in memory (embedded store with its cache only). */
async function indexLoaded(client: TestServer, flowId: string): Promise<void> {
  if (!accelerated) return;
  await client.get(`/flows/${flowId}/segments`);
  await waitFor(`the segment index of ${flowId}`, async () => {
    await client.runtime.accelerator?.segmentLoadsIdle();
    return client.runtime.accelerator?.segmentIndexHolds(flowId) === true;
  });
}

describe('DELETE /tams/v8.2/objects/{id}/instances?storage_id=<its own backend> with a ready copy', () => {
  it('moves the object to the copy: every Flow using it, both versions, HLS and export; its bytes go', async () => {
    const bytes = randomBytes(120_000);
    const { flowId, objectId } = await uploaded(server, FS_ID, bytes);
    // The object re-used by a second Flow, whose segments carry its location too.
    const other = await newFlow(server);
    await addSegments(server, other, { object_id: objectId, timerange: secs(100, 110) });
    await copy(v8, objectId, ARCHIVE_ID);
    for (const id of [flowId, other]) await indexLoaded(server, id);
    expect(await objectBackends(v8, objectId)).toEqual([FS_ID, FS_ID, ARCHIVE_ID]);
    const original: StoredBytes = await storedBytes(server, objectId);
    expect(original.storageId).toBe(FS_ID);

    const events = server.runtime.store.events;
    const before = await events.lastSeq();
    expect((await deleteInstance(v8, objectId, { storage_id: FS_ID })).status).toBe(204);
    // No event: TAMS has none for a segment's changed get_urls (docs/api-versions.md).
    expect(await events.after(before, 10)).toEqual([]);

    expect(await objectBackends(v8, objectId)).toEqual([ARCHIVE_ID]);
    for (const id of [flowId, other]) {
      for (const seen of await segmentUrls(server, id)) {
        expect(seen.backends).toEqual([ARCHIVE_ID]);
        expect(seen.presigned).toHaveLength(1);
        expect(await download(seen.presigned[0] as string)).toBe(sha(bytes));
      }
      const [media] = await playlistUrls(server, id);
      expect(await download(media as string)).toBe(sha(bytes));
      const exported = await fetch(`${server.url}/flows/${id}/export?timerange=_`);
      expect(exported.status).toBe(200);
      expect(sha(new Uint8Array(await exported.arrayBuffer()))).toBe(sha(bytes));
    }
    // Its instances: none left (the copy is its own storage now).
    expect(await server.runtime.store.instances.among([objectId])).toEqual(new Map());
    await waitBytesGone(server, original);
    // The place the copy took can itself be left for another copy, by the backend's label.
    await copy(v8, objectId, COLD_ID);
    expect((await deleteInstance(v8, objectId, { label: 'archive' })).status).toBe(204);
    expect(await objectBackends(v8, objectId)).toEqual([COLD_ID]);
    const [seen] = await segmentUrls(server, flowId);
    expect(await download(seen?.presigned[0] as string)).toBe(sha(bytes));
  });

  it('takes the first ready copy, in get_urls order; the other copies and clients’ URLs stay', async () => {
    const bytes = randomBytes(30_000);
    const { flowId, objectId } = await uploaded(server, ARCHIVE_ID, bytes);
    await copy(v8, objectId, FS_ID);
    await copy(v8, objectId, COLD_ID);
    const url = 'https://cdn.example.com/promote.ts';
    expect((await v8.post(`/objects/${objectId}/instances`, { url, label: 'cdn' })).status).toBe(201);
    expect((await deleteInstance(v8, objectId, { storage_id: ARCHIVE_ID })).status).toBe(204);
    const urls = await v8.get<{ get_urls: GetUrl[] }>(`/objects/${objectId}`, {
      query: { verbose_storage: true },
    });
    expect(urls.body.get_urls.map((u) => u.storage_id ?? u.url)).toEqual([FS_ID, FS_ID, COLD_ID, url]);
    const [seen] = await segmentUrls(server, flowId);
    expect(seen?.backends).toEqual([FS_ID, COLD_ID]);
  });
});

describe('an initialisation object moved to its copy', () => {
  it('is given at its new location as every segment’s init_object, and in HLS', async () => {
    const flow = initSegmentsFlow();
    expect((await v8.put(`/flows/${flow.id}`, flow)).status).toBe(201);
    const flowId = flow.id as string;
    const allocated = async (body: object) => {
      const res = await v8.post<{ media_objects: AllocatedObject[] }>(`/flows/${flowId}/storage`, body);
      expect(res.status, res.text).toBe(201);
      return res.body.media_objects;
    };
    const [init] = await allocated({ limit: 1, content_type: 'application/mp4', storage_id: FS_ID });
    const [media] = await allocated({ limit: 1, storage_id: FS_ID });
    if (!init || !media) throw new Error('nothing allocated');
    const initBytes = randomBytes(900);
    await upload(init, initBytes);
    await upload(media, randomBytes(5000));
    const segment = { object_id: media.object_id, timerange: secs(0, 2), init_object_id: init.object_id };
    expect((await v8.post(`/flows/${flowId}/segments`, segment)).status).toBe(201);
    await copy(v8, init.object_id, COLD_ID);
    expect((await deleteInstance(v8, init.object_id, { storage_id: FS_ID })).status).toBe(204);
    const res = await v8.get<{ init_object?: { get_urls: GetUrl[] } }[]>(`/flows/${flowId}/segments`, {
      query: { verbose_storage: true },
    });
    spec82.assertSpecValid('flow-segment.json[]', res.body);
    const urls = res.body[0]?.init_object?.get_urls ?? [];
    expect([...new Set(urls.map((u) => u.storage_id))]).toEqual([COLD_ID]);
    const signed = urls.find((u) => u.presigned === true);
    expect(await download(signed?.url as string)).toBe(sha(initBytes));
    // The media object stays where it was.
    expect((await storedBytes(server, media.object_id)).storageId).toBe(FS_ID);
    const playlist = await (await fetch(`${server.url}/flows/${flowId}/hls.m3u8?timerange=_`)).text();
    const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
    expect(await download(map as string)).toBe(sha(initBytes));
  });
});

describe('DELETE of its own backend refused (400) without a ready copy', () => {
  it('refuses with only its own storage, a copy still being made or failed, or only clients’ URLs', async () => {
    const { flowId, objectId } = await uploaded(server, FS_ID, randomBytes(2000));
    expectError(await deleteInstance(v8, objectId, { storage_id: FS_ID }), 400);
    expectError(await deleteInstance(v8, objectId, { label: 'local' }), 400);
    // Clients' URLs are no place the server serves from.
    const url = 'https://cdn.example.com/x.ts';
    expect((await v8.post(`/objects/${objectId}/instances`, { url, label: 'cdn' })).status).toBe(201);
    expectError(await deleteInstance(v8, objectId, { storage_id: FS_ID }), 400);
    // A copy asked for and not made: copying, then failed.
    expect((await v8.post(`/objects/${objectId}/instances`, { storage_id: COLD_ID })).status).toBe(201);
    const copying = and(col('object_id').eq(objectId), col('storage_id').eq(COLD_ID));
    await server.runtime.db.update(T.instances, copying, { state: 'copying' });
    expectError(await deleteInstance(v8, objectId, { storage_id: FS_ID }), 400);
    await server.runtime.db.update(T.instances, copying, { state: 'failed', error: 'made up' });
    expectError(await deleteInstance(v8, objectId, { storage_id: FS_ID }), 400);
    // Nothing moved.
    expect((await storedBytes(server, objectId)).storageId).toBe(FS_ID);
    const [seen] = await segmentUrls(server, flowId);
    expect(seen?.backends).toEqual([FS_ID]);
  });
});

describe('two deletions at once', () => {
  it('of its own backend and of its only copy: one goes, the object keeps a location', async () => {
    for (let round = 0; round < 3; round++) {
      const bytes = randomBytes(10_000);
      const { flowId, objectId } = await uploaded(server, FS_ID, bytes);
      await copy(v8, objectId, ARCHIVE_ID);
      const [own, copied] = await Promise.all([
        deleteInstance(v8, objectId, { storage_id: FS_ID }),
        deleteInstance(v8, objectId, { storage_id: ARCHIVE_ID }),
      ]);
      const statuses = [own.status, copied.status].sort();
      expect(statuses, `${own.text} ${copied.text}`).toEqual([204, 400]);
      for (const res of [own, copied]) if (res.status === 400) expectError(res, 400);
      const where = own.status === 204 ? ARCHIVE_ID : FS_ID;
      expect(await objectBackends(v8, objectId)).toEqual(where === FS_ID ? [FS_ID, FS_ID] : [ARCHIVE_ID]);
      for (const seen of await segmentUrls(server, flowId)) {
        expect(seen.backends).toEqual([where]);
        expect(await download(seen.presigned[0] as string)).toBe(sha(bytes));
      }
    }
  });
});

describe('across restarts', () => {
  const dir = tempDir('tams-promote-restart-');
  afterAll(() => dir.remove());

  it('serves the new location after restarts, whatever the segment index snapshots held', async () => {
    // No warm-up: the second run moves the object while the Flow's index is on disk only.
    const env = { ...serverEnv(), TAMS_SEGMENT_INDEX_WARMUP_PERCENT: '0' };
    const bytes = randomBytes(40_000);
    let ids: { flowId: string; objectId: string };
    // First run: the segment index of the Flow is in memory, and saved at the clean stop.
    let run = await startServer({ dataDir: dir.path, env });
    try {
      ids = await uploaded(run, FS_ID, bytes);
      await copy(mountClient(run, '/tams/v8.2'), ids.objectId, ARCHIVE_ID);
      await indexLoaded(run, ids.flowId);
    } finally {
      await run.close();
    }
    // Second run: the move, then the Flow's index read from its snapshot and the rows since.
    run = await startServer({ dataDir: dir.path, env });
    try {
      const client = mountClient(run, '/tams/v8.2');
      expect((await deleteInstance(client, ids.objectId, { storage_id: FS_ID })).status).toBe(204);
      for (const seen of await segmentUrls(run, ids.flowId)) expect(seen.backends).toEqual([ARCHIVE_ID]);
    } finally {
      await run.close();
    }
    // Third run: what the second left on disk.
    run = await startServer({ dataDir: dir.path, env });
    try {
      await indexLoaded(run, ids.flowId);
      for (const seen of await segmentUrls(run, ids.flowId)) {
        expect(seen.backends).toEqual([ARCHIVE_ID]);
        expect(await download(seen.presigned[0] as string)).toBe(sha(bytes));
      }
    } finally {
      await run.close();
    }
  });
});
