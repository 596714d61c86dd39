/**
 * Test support: s3rver (an S3-protocol server in pure JS) in this process on a free port, its
 * files in a temp directory. s3rver serves presigned PUT/GET, Range, listing and multipart but does
 * NOT verify SigV4 signatures: it accepts any signature, expired or tampered. Signature
 * correctness is covered instead by src/media/s3/s3.sign.test.ts (byte-identical to the AWS SDK presigner).
 * s3rver.ranges.ts adds two Range behaviours of real S3 servers that s3rver lacks.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { StorageBackendDescriptor } from '../../../../src/media/media.types.ts';
import {
  createS3MediaStore,
  type S3MediaStore,
  type S3MediaStoreOptions,
} from '../../../../src/media/s3/s3.store.ts';
import { s3Ranges } from './s3rver.ranges.ts';

/** The one access key id s3rver knows: it refuses others (403) but never checks a signature. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export const S3_TEST_DESCRIPTOR: StorageBackendDescriptor = {
  id: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  label: 's3-test',
  store_type: 'http_object_store',
  provider: 's3rver',
  region: 'us-east-1',
  store_product: 's3',
  default_storage: true,
};

export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  directory: string;
  /** Options for a store on this server (path-style, us-east-1, s3rver's credentials). */
  storeOptions(bucket: string, extra?: Partial<S3MediaStoreOptions>): S3MediaStoreOptions;
  close(): Promise<void>;
}

export async function startS3rver(buckets: string[] = []): Promise<S3rverHandle> {
  const directory = await mkdtemp(join(tmpdir(), 'tams-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  server.middleware.unshift(s3Ranges);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    directory,
    storeOptions: (bucket, extra = {}) => ({
      descriptor: S3_TEST_DESCRIPTOR,
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      bucket,
      ...extra,
    }),
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** s3rver plus a store on a fresh bucket (created by the store's check()). */
export async function startS3Media(
  extra: Partial<S3MediaStoreOptions> = {},
): Promise<{ s3: S3rverHandle; store: S3MediaStore; close(): Promise<void> }> {
  const s3 = await startS3rver();
  const bucket = `tams-${randomUUID().slice(0, 8)}`;
  const store = await createS3MediaStore(s3.storeOptions(bucket, { createBucket: true, ...extra }));
  return {
    s3,
    store,
    close: async () => {
      await store.close();
      await s3.close();
    },
  };
}
