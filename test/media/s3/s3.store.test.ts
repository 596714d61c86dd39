/**
 * S3MediaStore beyond the shared contract, on s3rver (which checks no signatures): bucket check
 * and creation at startup, clear errors naming endpoint and bucket, key prefix, keys that need
 * URL encoding, list pagination, and the unsigned URL of a public bucket.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3MediaStore, S3MediaStore } from '../../../src/media/s3/s3.store.ts';
import { type S3rverHandle, startS3rver } from '../../support/media/s3/s3.testkit.ts';

const ctx = { baseUrl: 'http://tams.invalid', expiresIn: 600 };
const SECRET = 'SECRET-never-in-messages-0123456789';

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver(['existing']);
});
afterAll(async () => {
  await s3?.close();
});

async function upload(store: S3MediaStore, path: string, bytes: Uint8Array): Promise<void> {
  const put = store.presignPut(path, 'video/mp2t', ctx);
  const res = await fetch(put.url, {
    method: 'PUT',
    headers: { 'content-type': put['content-type'] },
    body: bytes,
  });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('S3 bucket check at startup', () => {
  it('accepts an existing bucket', async () => {
    const store = await createS3MediaStore(s3.storeOptions('existing'));
    expect(await store.head('nothing/here')).toBeNull();
    await store.close();
  });

  it('refuses a missing bucket, naming endpoint and bucket', async () => {
    const bucket = `missing-${randomUUID().slice(0, 8)}`;
    const attempt = createS3MediaStore(s3.storeOptions(bucket));
    await expect(attempt).rejects.toThrow(`bucket "${bucket}" at ${s3.endpoint} does not exist`);
  });

  it('creates a missing bucket when allowed, once', async () => {
    const bucket = `created-${randomUUID().slice(0, 8)}`;
    const creator = await createS3MediaStore(s3.storeOptions(bucket, { createBucket: true }));
    await expect(creator.check()).resolves.toBeUndefined();
    const plain = await createS3MediaStore(s3.storeOptions(bucket));
    await upload(plain, 'x', randomBytes(10));
    expect((await creator.head('x'))?.size).toBe(10);
    await Promise.all([creator.close(), plain.close()]);
  });

  it('reports an unreachable endpoint clearly, without secrets', async () => {
    const { server, url } = await listen(() => {});
    await new Promise((resolve) => server.close(resolve));
    const options = s3.storeOptions('media', {
      endpoint: url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: SECRET, sessionToken: SECRET },
    });
    const error = await createS3MediaStore(options).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      new RegExp(`^S3 storage backend "s3-test": bucket "media" at ${url} is unreachable \\(.*ECONNREFUSED`),
    );
    expect(`${error?.message}${error?.stack}`).not.toContain(SECRET);
  });

  it('tells access refused and wrong region apart', async () => {
    for (const [status, expected] of [
      [403, /refuses access \(HTTP 403\): check the credentials/],
      [301, /answered HTTP 301: is the bucket in another region than us-east-1\?/],
      [500, /answered HTTP 500/],
    ] as const) {
      const { server, url } = await listen((_req, res) => {
        res.statusCode = status;
        res.end();
      });
      const store = new S3MediaStore(s3.storeOptions('media', { endpoint: url }));
      await expect(store.check(), String(status)).rejects.toThrow(expected);
      await store.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('S3 object keys', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = `keys-${randomUUID().slice(0, 8)}`;
    await (await createS3MediaStore(s3.storeOptions(bucket, { createBucket: true }))).close();
  });

  it('stores under key prefix + storage path, and lists only below the prefix', async () => {
    const prefixed = new S3MediaStore(s3.storeOptions(bucket, { keyPrefix: 'tams/v1/' }));
    const bare = new S3MediaStore(s3.storeOptions(bucket));
    await upload(prefixed, 'flow/obj', randomBytes(7));
    await upload(bare, 'outside', randomBytes(3));
    expect((await bare.head('tams/v1/flow/obj'))?.size).toBe(7);
    expect(await prefixed.head('outside')).toBeNull();
    const listed = [];
    for await (const info of prefixed.list()) listed.push(info.path);
    expect(listed).toEqual(['flow/obj']);
    await prefixed.delete('flow/obj');
    expect(await bare.head('tams/v1/flow/obj')).toBeNull();
  });

  it('round-trips keys that need URL encoding', async () => {
    const store = new S3MediaStore(s3.storeOptions(bucket, { keyPrefix: 'pré fix/' }));
    for (const path of ["a b/c+d/e!'()*&=?#%.ts", 'ünï/日本/😀', '%2F/~-_.']) {
      const bytes = randomBytes(20);
      await upload(store, path, bytes);
      const res = await fetch(store.presignGet(path, ctx));
      expect(res.status, path).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes), path).toBe(true);
      expect((await store.head(path))?.size, path).toBe(20);
    }
  });
});

describe('S3 listing', () => {
  it('follows continuation tokens across pages, below the key prefix', async () => {
    // s3rver cannot page ListObjectsV2 on Node 20 (its continuation tokens use DES, which
    // OpenSSL 3 dropped), so a small fake S3 serves the pages here.
    const keys = Array.from({ length: 7 }, (_, i) => `pre/p/${i}`);
    const seen: (string | null)[] = [];
    const { server, url } = await listen((req, res) => {
      const query = new URL(req.url ?? '', 'http://x').searchParams;
      seen.push(query.get('continuation-token'));
      const from = Number(query.get('continuation-token') ?? 0);
      const size = Number(query.get('max-keys'));
      const page = keys.filter((k) => k.startsWith(query.get('prefix') ?? '')).slice(from, from + size);
      const next =
        from + size < keys.length ? `<NextContinuationToken>${from + size}</NextContinuationToken>` : '';
      const contents = page.map(
        (k) =>
          `<Contents><Key>${k}</Key><Size>3</Size><ETag>"e"</ETag><LastModified>2026-11-22T10:00:00.000Z</LastModified></Contents>`,
      );
      res.setHeader('content-type', 'application/xml');
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><IsTruncated>${next !== ''}</IsTruncated>${next}${contents.join('')}</ListBucketResult>`,
      );
    });
    const store = new S3MediaStore(
      s3.storeOptions('b', { endpoint: url, keyPrefix: 'pre/', listPageSize: 3 }),
    );
    const listed = [];
    for await (const info of store.list('p/')) listed.push(info);
    expect(listed.map((o) => o.path)).toEqual(keys.map((k) => k.slice('pre/'.length)));
    expect(listed[6]).toMatchObject({ size: 3, etag: '"e"', lastModified: new Date('2026-11-22T10:00:00Z') });
    expect(seen).toEqual([null, '3', '6']);
    await store.close();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('S3 direct (unsigned) URLs', () => {
  it('has none unless a public base URL is configured', async () => {
    const store = new S3MediaStore(s3.storeOptions('existing'));
    expect(store.directGetUrl('a/b', ctx)).toBeUndefined();
  });

  it('serves <public base URL>/<key> without a signature', async () => {
    // s3rver serves unsigned requests, as a public bucket or a CDN in front of one would.
    const publicBaseUrl = `${s3.endpoint}/existing/`;
    const store = new S3MediaStore(s3.storeOptions('existing', { keyPrefix: 'pub lic/', publicBaseUrl }));
    const bytes = randomBytes(50);
    await upload(store, 'a b/c', bytes);
    const url = store.directGetUrl('a b/c', ctx);
    expect(url).toBe(`${s3.endpoint}/existing/pub%20lic/a%20b/c`);
    const res = await fetch(url ?? '');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
