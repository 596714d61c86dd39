/**
 * The app with MinIO as its S3 backend, declared through TAMS_STORAGE_BACKENDS as a deployment
 * declares it: put_urls carry a signed `If-None-Match: *` (put_url.headers), so a put_url
 * replayed over an object that has bytes is refused with 412 and readers keep the first bytes; a
 * client that leaves the header out is refused by the signature; `conditional_put: false` gives
 * plain URLs for clients that ignore put_url.headers. And bytes a replay writes after the object
 * went are collected by the GC, on MinIO as on s3rver.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MinioHandle, minioAvailable, startMinio } from '../../helpers/minio.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import {
  type AllocatedObject,
  addSegments,
  allocate,
  FAST_WORKERS,
  newFlow,
  upload,
} from '../../segments/helpers.ts';
import { MovableClock, replayedPutIsCollected } from '../media.gc.replay.ts';

const available = minioAvailable();
const TS = 'video/mp2t';

function backend(minio: MinioHandle, overrides: Record<string, unknown> = {}) {
  return {
    kind: 's3',
    id: randomUUID(),
    label: `minio-${randomUUID().slice(0, 6)}`,
    provider: 'minio',
    store_product: 'minio',
    endpoint: minio.endpoint,
    bucket: `tams-${randomUUID().slice(0, 8)}`,
    key_prefix: 'tams/',
    force_path_style: true,
    create_bucket: true,
    access_key_id_env: 'TEST_MINIO_ACCESS_KEY',
    secret_access_key_env: 'TEST_MINIO_SECRET_KEY',
    ...overrides,
  };
}

function serverOn(minio: MinioHandle, entries: Record<string, unknown>[], clock?: MovableClock) {
  return startServer({
    clock,
    env: {
      ...FAST_WORKERS,
      TEST_MINIO_ACCESS_KEY: minio.accessKeyId,
      TEST_MINIO_SECRET_KEY: minio.secretAccessKey,
      TAMS_STORAGE_BACKENDS: JSON.stringify(entries),
    },
  });
}

async function put(object: AllocatedObject, body: Uint8Array, headers = object.put_url.headers) {
  const res = await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { ...headers, 'content-type': object.put_url['content-type'] },
    body,
  });
  return { status: res.status, text: await res.text() };
}

describe.skipIf(!available)('put_urls on MinIO', () => {
  let minio: MinioHandle;
  let server: TestServer;
  let plainId: string;
  beforeAll(async () => {
    minio = await startMinio();
    const plain = backend(minio, { conditional_put: false });
    plainId = plain.id;
    server = await serverOn(minio, [backend(minio, { default: true }), plain]);
  });
  afterAll(async () => {
    await server?.close();
    await minio?.close();
  });

  it('refuses a replayed put_url over an object that has bytes (412); readers still get the first', async () => {
    const flowId = await newFlow(server);
    const [object] = (await allocate(server, flowId, { limit: 1 })) as [AllocatedObject];
    expect(object.put_url.headers).toEqual({ 'If-None-Match': '*' });
    const first = randomBytes(40_000);
    expect((await put(object, first)).status).toBe(200);
    await addSegments(server, flowId, { object_id: object.object_id, timerange: '[0:0_10:0)' });

    const replay = await put(object, randomBytes(40_000));
    expect(replay.status).toBe(412);
    expect(replay.text).toContain('PreconditionFailed');

    const segments = await server.get<{ get_urls?: { url: string }[] }[]>(`/flows/${flowId}/segments`);
    const [url] = segments.body[0]?.get_urls ?? [];
    const res = await fetch(url?.url ?? '');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(TS);
    expect(Buffer.from(await res.arrayBuffer()).equals(first)).toBe(true);
  });

  it('refuses a client that leaves out put_url.headers: the signature covers them', async () => {
    const flowId = await newFlow(server);
    const [object] = (await allocate(server, flowId, { limit: 1 })) as [AllocatedObject];
    const res = await put(object, randomBytes(100), {});
    expect(res.status).toBe(400);
    expect(res.text).toContain('AccessDenied');
    await upload(object, randomBytes(100));
  });

  it('gives plain put_urls with conditional_put false, which replays can overwrite', async () => {
    const flowId = await newFlow(server);
    const [object] = (await allocate(server, flowId, { limit: 1, storage_id: plainId })) as [AllocatedObject];
    expect(object.put_url.headers).toBeUndefined();
    expect(new URL(object.put_url.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    expect((await put(object, randomBytes(100))).status).toBe(200);
    expect((await put(object, randomBytes(100))).status).toBe(200);
  });
});

describe.skipIf(!available)('media GC on MinIO', () => {
  it('deletes the key again once the put_url has expired, taking what a replay wrote', async () => {
    const minio = await startMinio();
    const clock = new MovableClock();
    try {
      const server = await serverOn(minio, [backend(minio)], clock);
      try {
        await replayedPutIsCollected(server, clock);
      } finally {
        await server.close();
      }
    } finally {
      await minio.close();
    }
  });
});
