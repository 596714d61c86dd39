/**
 * Controlled object instances (TAMS 8.2, ADR 0038; AppNote 0018): POST
 * /tams/v8.2/objects/{id}/instances {storage_id} makes the server copy the object's bytes to
 * that storage backend in the background (the copy worker, objects.copies.ts), advertising the
 * copy in `get_urls` (the object's, and every segment's in both versions) only once it is made;
 * DELETE ?storage_id= removes it and its bytes. Backends: the embedded fs store, two buckets of
 * one S3 server (copies within it by CopyObject) and a bucket of another (copies streamed). A
 * copy asked for before a stop is made after the restart, also one a killed process held.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrphans } from '../../mgmt/mgmt.orphans.ts';
import { and, col } from '../../src/db/predicate.ts';
import { T } from '../../src/store/tables.ts';
import { mountClient } from '../helpers/mounts.ts';
import { backendsEnv, fsBackendEntry, s3BackendEntry } from '../helpers/s3.server.ts';
import { type HttpClient, startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { SPEC_8_2_DIR, spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError, getAndHead } from '../http/fixtures.ts';
import { type S3rverHandle, startS3rver } from '../support/media/s3/s3.testkit.ts';
import {
  addSegments,
  allocate,
  FAST_WORKERS,
  type GetUrl,
  newFlow,
  secs,
  upload,
  waitBytesGone,
  waitFor,
} from './helpers.ts';

const FS_ID = randomUUID();
/** The id of the spec's own example of a controlled instance request. */
const ARCHIVE_ID = '60af2ab4-e8a5-4c65-a09b-d35983680315';
const COLD_ID = randomUUID();
const FAR_ID = randomUUID();

let here: S3rverHandle;
let there: S3rverHandle;
let server: TestServer;
let v8: HttpClient;

/** Fast workers, a file system backend, two buckets of one s3rver and one of another. */
const serverEnv = () => ({
  ...FAST_WORKERS,
  ...backendsEnv([
    fsBackendEntry({ id: FS_ID }),
    s3BackendEntry(here, 'archive', { id: ARCHIVE_ID }),
    s3BackendEntry(here, 'cold', { id: COLD_ID }),
    s3BackendEntry(there, 'far', { id: FAR_ID }),
  ]),
});

beforeAll(async () => {
  here = await startS3rver(['archive', 'cold']);
  there = await startS3rver(['far']);
  server = await startServer({ env: serverEnv() });
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(async () => {
  await server?.close();
  await here?.close();
  await there?.close();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A Flow with one segment of a new object uploaded to backend `storageId`. */
async function uploaded(client: TestServer, storageId: string, bytes: Buffer) {
  const flowId = await newFlow(client);
  const [object] = await allocate(client, flowId, { limit: 1, storage_id: storageId });
  if (!object) throw new Error('nothing allocated');
  await upload(object, bytes);
  await addSegments(client, flowId, { object_id: object.object_id, timerange: secs(0, 10) });
  return { flowId, objectId: object.object_id };
}

async function object82(client: HttpClient, id: string, query: Record<string, string | boolean> = {}) {
  const res = await getAndHead<Doc>(client, `/objects/${id}`, { query });
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('object.json', res.body);
  return res.body as { get_urls: GetUrl[] };
}

/** The storage ids of the object's get_urls, in order (one a URL). */
async function storageIds(client: HttpClient, id: string): Promise<(string | undefined)[]> {
  return (await object82(client, id, { verbose_storage: true })).get_urls.map((u) => u.storage_id);
}

/** Waits until the object's 8.2 get_urls offer a URL on backend `storageId`. */
async function copied(client: HttpClient, id: string, storageId: string): Promise<GetUrl[]> {
  // GET alone: the copy may be made between a GET and its HEAD.
  return waitFor(`a copy of ${id} on ${storageId}`, async () => {
    const res = await client.get<{ get_urls: GetUrl[] }>(`/objects/${id}`, {
      query: { verbose_storage: true, accept_storage_ids: storageId },
    });
    expect(res.status, res.text).toBe(200);
    spec82.assertSpecValid('object.json', res.body);
    return res.body.get_urls.length > 0 && res.body.get_urls;
  });
}

async function download(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return sha(new Uint8Array(await res.arrayBuffer()));
}

function post(client: HttpClient, objectId: string, body: unknown) {
  return client.post(`/objects/${objectId}/instances`, body);
}

describe('POST /tams/v8.2/objects/{objectId}/instances {storage_id}', () => {
  it('copies an fs object to S3, within S3, and to another S3 server, each advertised once made', async () => {
    const bytes = randomBytes(200_000);
    const { flowId, objectId } = await uploaded(server, FS_ID, bytes);
    expect((await post(v8, objectId, { storage_id: ARCHIVE_ID })).status).toBe(201);
    const [signed] = await copied(v8, objectId, ARCHIVE_ID);
    expect(signed?.controlled).toBe(true);
    expect(await download(signed?.url as string)).toBe(sha(bytes));
    // From the object's own storage again, then S3 to S3: within one server and across two.
    expect((await post(v8, objectId, { storage_id: COLD_ID })).status).toBe(201);
    expect((await post(v8, objectId, { storage_id: FAR_ID })).status).toBe(201);
    for (const id of [COLD_ID, FAR_ID]) {
      const [url] = await copied(v8, objectId, id);
      expect(await download(url?.url as string)).toBe(sha(bytes));
    }
    // Its own storage first, then the copies in the order asked for; in every segment, both versions.
    expect([...new Set(await storageIds(v8, objectId))]).toEqual([FS_ID, ARCHIVE_ID, COLD_ID, FAR_ID]);
    const seg82 = await v8.get<{ get_urls: GetUrl[] }[]>(`/flows/${flowId}/segments`, {
      query: { verbose_storage: true },
    });
    spec82.assertSpecValid('flow-segment.json[]', seg82.body);
    const seg70 = await server.get<{ get_urls: GetUrl[] }[]>(`/flows/${flowId}/segments`, {
      query: { verbose_storage: true },
    });
    assertSpecValid('flow-segment.json[]', seg70.body);
    for (const body of [seg82.body, seg70.body]) {
      expect([...new Set(body[0]?.get_urls.map((u) => u.storage_id))]).toEqual([
        FS_ID,
        ARCHIVE_ID,
        COLD_ID,
        FAR_ID,
      ]);
    }
    const only = await server.get<{ get_urls: GetUrl[] }[]>(`/flows/${flowId}/segments`, {
      query: { accept_storage_ids: FAR_ID, presigned: true },
    });
    expect(only.body[0]?.get_urls).toHaveLength(1);
    expect(await download(only.body[0]?.get_urls[0]?.url as string)).toBe(sha(bytes));
  });

  it("copies an S3 object into the fs store; the spec's example and a second ask change nothing more", async () => {
    const bytes = randomBytes(150_000);
    const { objectId } = await uploaded(server, ARCHIVE_ID, bytes);
    const example = JSON.parse(
      readFileSync(join(SPEC_8_2_DIR, 'examples', 'objects-instances-controlled-post.json'), 'utf8'),
    );
    expect(example).toEqual({ storage_id: ARCHIVE_ID });
    // The example names the backend the object is on: it has that instance already.
    expect((await post(v8, objectId, example)).status).toBe(201);
    expect((await post(v8, objectId, { storage_id: FS_ID })).status).toBe(201);
    const urls = await copied(v8, objectId, FS_ID);
    expect(await download(urls[0]?.url as string)).toBe(sha(bytes));
    expect((await post(v8, objectId, { storage_id: FS_ID })).status).toBe(201);
    const rows = await server.runtime.store.instances.among([objectId]);
    expect(rows.get(objectId)?.map((i) => [i.storage_id, i.state])).toEqual([[FS_ID, 'ready']]);
  });

  it('refuses a backend this server does not have, and objects with only clients’ URLs', async () => {
    const { objectId } = await uploaded(server, FS_ID, randomBytes(100));
    expectError(await post(v8, objectId, { storage_id: randomUUID() }), 400);
    expectError(await post(v8, objectId, { storage_id: 'archive' }), 400);
    const flowId = await newFlow(server);
    const external = `external-${flowId}`;
    await addSegments(server, flowId, {
      object_id: external,
      timerange: secs(0, 1),
      get_urls: [{ url: 'https://cdn.example.com/x', label: 'cdn' }],
    });
    expectError(await post(v8, external, { storage_id: ARCHIVE_ID }), 400);
    const [pending] = await allocate(server, flowId);
    expectError(await post(v8, pending?.object_id as string, { storage_id: ARCHIVE_ID }), 404);
  });

  it('keeps a copy that cannot be made out of get_urls, with its error', async () => {
    // Registered without its bytes ever uploaded: there is nothing to copy.
    const flowId = await newFlow(server);
    const [object] = await allocate(server, flowId, { limit: 1 });
    const objectId = object?.object_id as string;
    await addSegments(server, flowId, { object_id: objectId, timerange: secs(0, 1) });
    expect((await post(v8, objectId, { storage_id: COLD_ID })).status).toBe(201);
    const failed = await waitFor('the copy to fail once', async () => {
      const [row] = (await server.runtime.store.instances.among([objectId])).get(objectId) ?? [];
      return row?.error !== undefined && row;
    });
    expect(failed.state).toBe('copying');
    expect(failed.attempts).toBe(1);
    expect(await storageIds(v8, objectId)).toEqual([FS_ID, FS_ID]);
  });
});

describe('tams-mgmt orphans', () => {
  it("counts a copy's bytes as its object's, and a copy not made yet as bytes still to come", async () => {
    const { objectId } = await uploaded(server, FS_ID, randomBytes(2000));
    await post(v8, objectId, { storage_id: FAR_ID });
    await copied(v8, objectId, FAR_ID);
    const io = { out: () => {}, err: () => {}, interactive: false };
    const far = server.runtime.media.get(FAR_ID);
    if (!far) throw new Error('no far backend');
    const found = await findOrphans(server.runtime, far, io);
    expect(found.orphans).toEqual([]);
    expect(found.missingCount).toBe(0);
  });
});

describe('DELETE /tams/v8.2/objects/{objectId}/instances?storage_id=', () => {
  it('removes the copy from get_urls and deletes its bytes; the own storage stays', async () => {
    const { objectId } = await uploaded(server, FS_ID, randomBytes(50_000));
    await post(v8, objectId, { storage_id: COLD_ID });
    await copied(v8, objectId, COLD_ID);
    const [row] = (await server.runtime.store.instances.among([objectId])).get(objectId) ?? [];
    const where = { objectId, storageId: COLD_ID, path: row?.storage_path as string };
    // A backend's label names its copy too.
    expect((await v8.delete(`/objects/${objectId}/instances`, { query: { label: 'cold' } })).status).toBe(
      204,
    );
    expect(await storageIds(v8, objectId)).toEqual([FS_ID, FS_ID]);
    await waitBytesGone(server, where);
    expectError(await v8.delete(`/objects/${objectId}/instances`, { query: { storage_id: COLD_ID } }), 404);
    expectError(await v8.delete(`/objects/${objectId}/instances`, { query: { storage_id: FS_ID } }), 400);
    // Asked for again: a new copy, under a key of its own.
    await post(v8, objectId, { storage_id: COLD_ID });
    await copied(v8, objectId, COLD_ID);
    const [again] = (await server.runtime.store.instances.among([objectId])).get(objectId) ?? [];
    expect(again?.storage_path).not.toBe(where.path);
  });

  it("deletes the copies' bytes with the object when its last segment goes", async () => {
    const { flowId, objectId } = await uploaded(server, FS_ID, randomBytes(1000));
    await post(v8, objectId, { storage_id: FAR_ID });
    await copied(v8, objectId, FAR_ID);
    const [row] = (await server.runtime.store.instances.among([objectId])).get(objectId) ?? [];
    expect((await server.delete(`/flows/${flowId}/segments`)).status).toBe(204);
    await waitBytesGone(server, { objectId, storageId: FAR_ID, path: row?.storage_path as string });
  });
});

describe('copies across a restart', () => {
  const dir = tempDir('tams-copies-restart-');
  afterAll(() => dir.remove());

  it('makes after a restart the copies asked for before it, one a killed process held included', async () => {
    const env = serverEnv();
    let first = await startServer({ dataDir: dir.path, workers: false, env });
    const bytes = randomBytes(80_000);
    let objectId: string;
    try {
      ({ objectId } = await uploaded(first, FS_ID, bytes));
      const v8first = mountClient(first, '/tams/v8.2');
      expect((await post(v8first, objectId, { storage_id: ARCHIVE_ID })).status).toBe(201);
      expect((await post(v8first, objectId, { storage_id: FAR_ID })).status).toBe(201);
      // A process that died copying to `far`: its lease stands for two more seconds. A store
      // one process owns frees it at start; replicas wait for it to lapse.
      const lease = { lease_owner: 'dead:1:x', lease_until: new Date(Date.now() + 2000) };
      await first.runtime.db.update(
        T.instances,
        and(col('object_id').eq(objectId), col('storage_id').eq(FAR_ID)),
        lease,
      );
      expect(await storageIds(v8first, objectId)).toEqual([FS_ID, FS_ID]);
    } finally {
      await first.close();
    }
    first = await startServer({ dataDir: dir.path, env });
    try {
      const again = mountClient(first, '/tams/v8.2');
      for (const id of [ARCHIVE_ID, FAR_ID]) {
        const [url] = await copied(again, objectId, id);
        expect(await download(url?.url as string)).toBe(sha(bytes));
      }
    } finally {
      await first.close();
    }
  });
});

describe('tams-mgmt clean --all (emptyContent), last: it empties this file’s store', () => {
  it("queues the copies' bytes for deletion with the objects'", async () => {
    const { objectId } = await uploaded(server, FS_ID, randomBytes(3000));
    await post(v8, objectId, { storage_id: COLD_ID });
    await copied(v8, objectId, COLD_ID);
    const [row] = (await server.runtime.store.instances.among([objectId])).get(objectId) ?? [];
    await server.runtime.maintenance.emptyContent(new Date());
    expect(await server.runtime.store.instances.among([objectId])).toEqual(new Map());
    await waitBytesGone(server, { objectId, storageId: COLD_ID, path: row?.storage_path as string });
  });
});
