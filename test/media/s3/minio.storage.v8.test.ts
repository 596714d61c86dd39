/**
 * TAMS 8.2's selectable presigned PUT URLs (ADR 0054) on a real S3 server (MinIO, which checks
 * SigV4 signatures): presigned put_urls by default, signed for their type and write-once as in
 * 7.0; with `presigned: false`, the object's plain URL in the bucket, which MinIO refuses without
 * credentials and a client holding S3 credentials of its own uploads to (out-of-band
 * credentials, on another origin than the API's). Either way the bytes read back through the
 * segment's get_urls are the ones uploaded.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MinioHandle, minioAvailable, startMinio } from '../../helpers/minio.ts';
import { mountClient } from '../../helpers/mounts.ts';
import type { HttpClient } from '../../helpers/server.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { spec82 } from '../../helpers/spec82-schemas.ts';
import { type AllocatedObject, FAST_WORKERS, newFlow, secs } from '../../segments/helpers.ts';

const available = minioAvailable();
const BUCKET = `tams-${randomUUID().slice(0, 8)}`;

type Item = AllocatedObject & { presigned?: boolean };

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!available)('POST /tams/v8.2/flows/{flowId}/storage on MinIO', () => {
  let minio: MinioHandle;
  let server: TestServer;
  let v8: HttpClient;
  let client: S3Client;
  beforeAll(async () => {
    minio = await startMinio();
    server = await startServer({
      env: {
        ...FAST_WORKERS,
        TEST_MINIO_ACCESS_KEY: minio.accessKeyId,
        TEST_MINIO_SECRET_KEY: minio.secretAccessKey,
        TAMS_STORAGE_BACKENDS: JSON.stringify([
          {
            kind: 's3',
            id: randomUUID(),
            label: 'minio',
            provider: 'minio',
            store_product: 'minio',
            endpoint: minio.endpoint,
            bucket: BUCKET,
            key_prefix: 'tams/',
            force_path_style: true,
            create_bucket: true,
            default: true,
            access_key_id_env: 'TEST_MINIO_ACCESS_KEY',
            secret_access_key_env: 'TEST_MINIO_SECRET_KEY',
          },
        ]),
      },
    });
    v8 = mountClient(server, '/tams/v8.2');
    client = new S3Client({
      region: 'us-east-1',
      endpoint: minio.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
    await minio?.close();
  });

  async function allocate(flowId: string, body: unknown): Promise<Item> {
    const res = await v8.post<{ media_objects: Item[] }>(`/flows/${flowId}/storage`, body);
    expect(res.status, res.text).toBe(201);
    spec82.assertSpecValid('flow-storage.json', res.body);
    return res.body.media_objects[0] as Item;
  }

  /** What a client reads of the object through its segment's presigned get_url. */
  async function readBack(flowId: string, objectId: string, start: number): Promise<string> {
    const registered = await v8.post(`/flows/${flowId}/segments`, {
      object_id: objectId,
      timerange: secs(start, start + 10),
    });
    expect(registered.status, registered.text).toBe(201);
    const res = await v8.get<{ object_id: string; get_urls?: { url: string }[] }[]>(
      `/flows/${flowId}/segments`,
      { query: { object_id: objectId, presigned: true } },
    );
    spec82.assertSpecValid('flow-segment.json[]', res.body);
    const url = res.body[0]?.get_urls?.[0]?.url as string;
    return sha(Buffer.from(await (await fetch(url)).arrayBuffer()));
  }

  it('answers presigned put_urls by default, which MinIO takes with their headers', async () => {
    const flowId = await newFlow(server);
    const object = await allocate(flowId, { limit: 1 });
    expect(object.presigned).toBe(true);
    expect(new URL(object.put_url.url).searchParams.get('X-Amz-Signature')).not.toBeNull();
    const bytes = randomBytes(4096);
    const put = await fetch(object.put_url.url, {
      method: 'PUT',
      headers: { ...object.put_url.headers, 'content-type': object.put_url['content-type'] },
      body: bytes,
    });
    expect(put.status, await put.text()).toBe(200);
    expect(await readBack(flowId, object.object_id, 0)).toBe(sha(bytes));
  });

  it('answers the plain object URL for presigned false: refused without credentials, taken with them', async () => {
    const flowId = await newFlow(server);
    const object = await allocate(flowId, { limit: 1, presigned: false });
    expect(object.presigned).toBe(false);
    const url = new URL(object.put_url.url);
    expect(url.search).toBe('');
    expect(`${url.protocol}//${url.host}`).toBe(minio.endpoint);
    const [bucket, ...key] = url.pathname.slice(1).split('/');
    expect(bucket).toBe(BUCKET);
    expect(key.join('/')).toBe(`tams/${flowId}/${object.object_id}`);

    const bytes = randomBytes(6000);
    const anonymous = await fetch(object.put_url.url, {
      method: 'PUT',
      headers: { ...object.put_url.headers, 'content-type': object.put_url['content-type'] },
      body: bytes,
    });
    expect(anonymous.status, await anonymous.text()).toBe(403);
    // A client with S3 credentials of its own uploads to the bucket and key the URL names.
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key.map(decodeURIComponent).join('/'),
        Body: bytes,
        ContentType: object.put_url['content-type'],
        IfNoneMatch: object.put_url.headers?.['If-None-Match'],
      }),
    );
    expect(await readBack(flowId, object.object_id, 0)).toBe(sha(bytes));
  });
});
