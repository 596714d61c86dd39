/**
 * Two storage backends at once (issue 5): the embedded fs store as the default and an S3 bucket
 * (s3rver) with a public base URL, so each backend offers a presigned and a non-presigned URL.
 * Allocation by `storage_id`, segments on both, the get_urls filters of DIGEST §6.2 over the four
 * controlled URLs (labels in the form of application note 0009), `verbose_storage` metadata
 * valid against the spec's schema, and bytes collected from the backend that held them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsBackendEntry, type S3TestServer, s3BackendEntry, startS3Server } from '../helpers/s3.server.ts';
import type { TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { expectError } from '../http/fixtures.ts';
import {
  type AllocatedObject,
  addSegments,
  allocate,
  backends,
  bytesExist,
  FAST_WORKERS,
  type GetUrl,
  getSegments,
  newFlow,
  type StoredBytes,
  storedBytes,
  storedSize,
  upload,
  waitBytesGone,
  waitGcIdle,
} from './helpers.ts';

const FS_ID = randomUUID();
const S3_ID = randomUUID();
/** Labels of application note 0009: `<provider>[.<region>]:<storeType>[.presigned]:<storeName>`. */
const FS_SIGNED = 'tams-server:filesystem.presigned:local';
const FS_DIRECT = 'tams-server:filesystem:local';
const S3_SIGNED = 's3rver.eu-west-2:vast-s3.presigned:archive';
const S3_DIRECT = 's3rver.eu-west-2:vast-s3:archive';

let target: S3TestServer;
let server: TestServer;
let flowId: string;
let onFs: AllocatedObject;
let onS3: AllocatedObject;
const fsBytes = randomBytes(50_000);
const s3Bytes = randomBytes(60_000);

beforeAll(async () => {
  target = await startS3Server({
    env: FAST_WORKERS,
    buckets: ['archive'],
    backends: (s3) => [
      fsBackendEntry({ id: FS_ID }),
      s3BackendEntry(s3, 'archive', {
        id: S3_ID,
        region: 'eu-west-2',
        signing_region: 'us-east-1',
        store_product: 'vast-s3',
        // s3rver serves objects without a signature, as a public bucket (or a CDN) would.
        public_base_url: `${s3.endpoint}/archive`,
      }),
    ],
  });
  server = target.server;
  flowId = await newFlow(server);
  [onFs] = (await allocate(server, flowId, { limit: 1 })) as [AllocatedObject];
  [onS3] = (await allocate(server, flowId, { limit: 1, storage_id: S3_ID })) as [AllocatedObject];
  await upload(onFs, fsBytes);
  await upload(onS3, s3Bytes);
  await addSegments(server, flowId, [
    { object_id: onFs.object_id, timerange: '[0:0_10:0)' },
    { object_id: onS3.object_id, timerange: '[10:0_20:0)' },
  ]);
});
afterAll(() => target?.close());

/** Labels of the get_urls of the fs segment and of the S3 segment, for a query. */
async function labels(query: Record<string, string | boolean> = {}): Promise<[string[], string[]]> {
  const res = await getSegments(server, flowId, query);
  expect(res.body.map((s) => s.object_id)).toEqual([onFs.object_id, onS3.object_id]);
  const [fs, s3] = res.body.map((s) => (s.get_urls ?? []).map((u) => u.label ?? '(none)'));
  return [fs ?? [], s3 ?? []];
}

async function getUrls(query: Record<string, string | boolean> = {}): Promise<[GetUrl[], GetUrl[]]> {
  const res = await getSegments(server, flowId, query);
  return [res.body[0]?.get_urls ?? [], res.body[1]?.get_urls ?? []];
}

describe('two storage backends: the service', () => {
  it('/service/storage-backends lists both, the fs one alone the default', async () => {
    const list = await backends(server);
    expect(list).toEqual([
      {
        id: FS_ID,
        label: 'local',
        store_type: 'http_object_store',
        provider: 'tams-server',
        store_product: 'filesystem',
        default_storage: true,
      },
      {
        id: S3_ID,
        label: 'archive',
        store_type: 'http_object_store',
        provider: 's3rver',
        region: 'eu-west-2',
        store_product: 'vast-s3',
        default_storage: false,
      },
    ]);
  });
});

describe('two storage backends: allocation', () => {
  it('allocates in the default backend unless storage_id names another', async () => {
    expect(new URL(onFs.put_url.url).origin).toBe(server.url);
    expect(new URL(onS3.put_url.url).origin).toBe(target.s3.endpoint);
    expect(new URL(onS3.put_url.url).pathname).toMatch(/^\/archive\/tams\//);
    const fsWhere = await storedBytes(server, onFs.object_id);
    const s3Where = await storedBytes(server, onS3.object_id);
    expect([fsWhere.storageId, s3Where.storageId]).toEqual([FS_ID, S3_ID]);
    // Each backend holds the bytes uploaded to its put_url, and only those.
    expect(await storedSize(server, fsWhere)).toBe(fsBytes.length);
    expect(await storedSize(server, s3Where)).toBe(s3Bytes.length);
    expect(await bytesExist(server, { ...s3Where, storageId: FS_ID })).toBe(false);
    expect(await bytesExist(server, { ...fsWhere, storageId: S3_ID })).toBe(false);
  });

  it('allocates several objects in the named backend, and names the default explicitly too', async () => {
    const many = await allocate(server, flowId, { limit: 3, storage_id: S3_ID });
    expect(many).toHaveLength(3);
    for (const o of many) {
      expect(new URL(o.put_url.url).origin).toBe(target.s3.endpoint);
      expect((await storedBytes(server, o.object_id)).storageId).toBe(S3_ID);
    }
    const [explicit] = await allocate(server, flowId, { limit: 1, storage_id: FS_ID });
    expect((await storedBytes(server, explicit?.object_id as string)).storageId).toBe(FS_ID);
  });

  it('refuses a storage_id that is no backend of the service (400)', async () => {
    const res = await server.post(`/flows/${flowId}/storage`, { limit: 1, storage_id: randomUUID() });
    expectError(res, 400);
  });
});

describe('two storage backends: get_urls', () => {
  it("lists each segment's presigned then direct URL from its own backend, each giving the bytes", async () => {
    expect(await labels()).toEqual([
      [FS_SIGNED, FS_DIRECT],
      [S3_SIGNED, S3_DIRECT],
    ]);
    const [fs, s3] = await getUrls();
    expect(fs.map((u) => u.presigned)).toEqual([true, false]);
    expect(s3.map((u) => u.presigned)).toEqual([true, false]);
    // Without verbose_storage, only url, presigned and label.
    for (const u of [...fs, ...s3]) expect(Object.keys(u).sort()).toEqual(['label', 'presigned', 'url']);
    for (const [urls, origin, bytes] of [
      [fs, server.url, fsBytes],
      [s3, target.s3.endpoint, s3Bytes],
    ] as const) {
      for (const { url } of urls) {
        expect(new URL(url).origin).toBe(origin);
        const res = await fetch(url);
        expect(res.status, url).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
      }
    }
    // The direct S3 URL carries no signature; the presigned one does.
    expect(new URL(s3[0]?.url as string).searchParams.has('X-Amz-Signature')).toBe(true);
    expect(new URL(s3[1]?.url as string).search).toBe('');
  });

  it('accept_storage_ids keeps the URLs of the backends listed; empty means no filtering', async () => {
    expect(await labels({ accept_storage_ids: FS_ID })).toEqual([[FS_SIGNED, FS_DIRECT], []]);
    expect(await labels({ accept_storage_ids: S3_ID })).toEqual([[], [S3_SIGNED, S3_DIRECT]]);
    const both = [
      [FS_SIGNED, FS_DIRECT],
      [S3_SIGNED, S3_DIRECT],
    ];
    expect(await labels({ accept_storage_ids: `${S3_ID},${FS_ID}` })).toEqual(both);
    expect(await labels({ accept_storage_ids: '' })).toEqual(both);
    expect(await labels({ accept_storage_ids: randomUUID() })).toEqual([[], []]);
  });

  it('accept_get_urls keeps the URLs whose label is listed; empty keeps none', async () => {
    expect(await labels({ accept_get_urls: FS_SIGNED })).toEqual([[FS_SIGNED], []]);
    expect(await labels({ accept_get_urls: FS_DIRECT })).toEqual([[FS_DIRECT], []]);
    expect(await labels({ accept_get_urls: S3_SIGNED })).toEqual([[], [S3_SIGNED]]);
    expect(await labels({ accept_get_urls: S3_DIRECT })).toEqual([[], [S3_DIRECT]]);
    expect(await labels({ accept_get_urls: `${S3_DIRECT},${FS_SIGNED}` })).toEqual([
      [FS_SIGNED],
      [S3_DIRECT],
    ]);
    expect(await labels({ accept_get_urls: '' })).toEqual([[], []]);
    // A backend's own label is not a URL label.
    expect(await labels({ accept_get_urls: 'archive' })).toEqual([[], []]);
  });

  it('presigned=true keeps the presigned URLs, false the others', async () => {
    expect(await labels({ presigned: true })).toEqual([[FS_SIGNED], [S3_SIGNED]]);
    expect(await labels({ presigned: false })).toEqual([[FS_DIRECT], [S3_DIRECT]]);
    const [fs, s3] = await getUrls({ presigned: false });
    expect([...fs, ...s3].map((u) => u.presigned)).toEqual([false, false]);
  });

  it('combined filters must all pass', async () => {
    expect(await labels({ presigned: false, accept_storage_ids: S3_ID })).toEqual([[], [S3_DIRECT]]);
    expect(await labels({ presigned: true, accept_get_urls: `${S3_DIRECT},${FS_SIGNED}` })).toEqual([
      [FS_SIGNED],
      [],
    ]);
    expect(await labels({ accept_storage_ids: FS_ID, accept_get_urls: S3_SIGNED })).toEqual([[], []]);
  });

  it('verbose_storage=true adds storage_id, controlled and the backend fields, schema-valid', async () => {
    const res = await getSegments(server, flowId, { verbose_storage: true });
    assertSpecValid('flow-segment.json[]', res.body);
    const [fs, s3] = [res.body[0]?.get_urls, res.body[1]?.get_urls];
    const fsMeta = {
      storage_id: FS_ID,
      controlled: true,
      store_type: 'http_object_store',
      provider: 'tams-server',
      store_product: 'filesystem',
    };
    const s3Meta = {
      storage_id: S3_ID,
      controlled: true,
      store_type: 'http_object_store',
      provider: 's3rver',
      region: 'eu-west-2',
      store_product: 'vast-s3',
    };
    expect(fs).toEqual([
      { url: expect.any(String), presigned: true, label: FS_SIGNED, ...fsMeta },
      { url: expect.any(String), presigned: false, label: FS_DIRECT, ...fsMeta },
    ]);
    expect(s3).toEqual([
      { url: expect.any(String), presigned: true, label: S3_SIGNED, ...s3Meta },
      { url: expect.any(String), presigned: false, label: S3_DIRECT, ...s3Meta },
    ]);
    // The metadata of what passes the filters, and only of that.
    const filtered = await getSegments(server, flowId, { verbose_storage: true, accept_storage_ids: S3_ID });
    assertSpecValid('flow-segment.json[]', filtered.body);
    expect(filtered.body[0]?.get_urls ?? []).toEqual([]);
    expect(filtered.body[1]?.get_urls?.map((u) => [u.storage_id, u.region])).toEqual([
      [S3_ID, 'eu-west-2'],
      [S3_ID, 'eu-west-2'],
    ]);
  });
});

describe('two storage backends: garbage collection', () => {
  it("deletes a dropped object's bytes from the backend that held them only", async () => {
    const other = await newFlow(server);
    const [a, b] = (await allocate(server, other, { limit: 2, storage_id: S3_ID })) as [
      AllocatedObject,
      AllocatedObject,
    ];
    const [c] = (await allocate(server, other, { limit: 1 })) as [AllocatedObject];
    for (const o of [a, b, c]) await upload(o);
    await addSegments(server, other, [
      { object_id: a.object_id, timerange: '[0:0_10:0)' },
      { object_id: b.object_id, timerange: '[10:0_20:0)' },
      { object_id: c.object_id, timerange: '[20:0_30:0)' },
    ]);
    const where = new Map<string, StoredBytes>();
    for (const o of [a, b, c]) where.set(o.object_id, await storedBytes(server, o.object_id));

    const res = await server.delete(`/flows/${other}/segments`, { query: { timerange: '[0:0_10:0)' } });
    expect(res.status).toBe(204);
    await waitBytesGone(server, where.get(a.object_id) as StoredBytes);
    await waitGcIdle(server);
    expect(await bytesExist(server, where.get(b.object_id) as StoredBytes)).toBe(true);
    expect(await bytesExist(server, where.get(c.object_id) as StoredBytes)).toBe(true);

    expect(
      (await server.delete(`/flows/${other}/segments`, { query: { timerange: '[20:0_30:0)' } })).status,
    ).toBe(204);
    await waitBytesGone(server, where.get(c.object_id) as StoredBytes);
    await waitGcIdle(server);
    expect(await bytesExist(server, where.get(b.object_id) as StoredBytes)).toBe(true);
    // The first Flow's objects, on both backends, are untouched.
    expect(await bytesExist(server, await storedBytes(server, onFs.object_id))).toBe(true);
    expect(await bytesExist(server, await storedBytes(server, onS3.object_id))).toBe(true);
  });
});
