/**
 * Cost of S3 presigning, this backend's against the AWS SDK's (not a test; run by hand):
 *   node --import tsx bench/measure/s3.presign.ts
 * Prints µs per URL after a warm-up: SDK getSignedUrl (awaited one by one, as a request handler
 * would), then S3MediaStore.presignGet / presignPut, with and without a session token.
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { S3MediaStore } from '../../src/media/s3/s3.store.ts';

const target = { region: 'us-east-1', endpoint: 'https://s3.vast.example', forcePathStyle: true };
const bucket = 'tams-media';
const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const withToken = {
  ...credentials,
  sessionToken: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+Dm/X=',
};
const paths = Array.from({ length: 1000 }, () => `${randomUUID()}/${randomUUID()}`);
const ctx = { baseUrl: 'http://unused.invalid', expiresIn: 3600 };

async function measure(name: string, rounds: number, run: (path: string) => unknown): Promise<void> {
  // Awaited only when it is a promise: awaiting a plain value would add a microtask per round.
  const loop = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const result = run(paths[i % paths.length] ?? '');
      if (result instanceof Promise) await result;
    }
  };
  await loop(0, rounds / 4);
  const start = process.hrtime.bigint();
  await loop(0, rounds);
  const micros = Number(process.hrtime.bigint() - start) / rounds / 1000;
  console.log(`${name.padEnd(34)} ${micros.toFixed(2).padStart(8)} µs/URL`);
}

const client = new S3Client({
  ...target,
  credentials,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const descriptor = {
  id: randomUUID(),
  store_type: 'http_object_store',
  provider: 'vast',
  store_product: 's3',
} as const;
const store = new S3MediaStore({ descriptor, ...target, bucket, credentials });
const tokenStore = new S3MediaStore({ descriptor, ...target, bucket, credentials: withToken });

await measure('SDK getSignedUrl GetObject', 20_000, (Key) =>
  getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key }), { expiresIn: 3600 }),
);
await measure('SDK getSignedUrl PutObject', 20_000, (Key) =>
  getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key, ContentType: 'video/mp2t' }), {
    expiresIn: 3600,
    signableHeaders: new Set(['content-type']),
  }),
);
await measure('S3MediaStore.presignGet', 200_000, (path) => store.presignGet(path, ctx));
await measure('S3MediaStore.presignPut', 200_000, (path) => store.presignPut(path, 'video/mp2t', ctx));
await measure('S3MediaStore.presignGet (token)', 200_000, (path) => tokenStore.presignGet(path, ctx));
client.destroy();
