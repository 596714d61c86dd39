/**
 * The shared media-store contract against S3MediaStore on MinIO, a real S3 server that verifies
 * SigV4 signatures and honours `If-None-Match: *`: the signature-failure cases s3rver cannot
 * show run here (expired, tampered, another path or method, another content type, a PUT without
 * its put_url headers), and so does write-once (a replayed PUT gets 412).
 */
import { randomUUID } from 'node:crypto';
import { it } from 'vitest';
import { createS3MediaStore } from '../../../src/media/s3/s3.store.ts';
import { minioAvailable, startMinio } from '../../helpers/minio.ts';
import { describeMediaStoreContract } from '../../support/media/media.contract.ts';
import { S3_TEST_DESCRIPTOR } from '../../support/media/s3/s3.testkit.ts';

if (minioAvailable()) {
  describeMediaStoreContract('s3 (MinIO)', async () => {
    const minio = await startMinio();
    try {
      const store = await createS3MediaStore({
        descriptor: { ...S3_TEST_DESCRIPTOR, provider: 'minio', store_product: 'minio' },
        endpoint: minio.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
        bucket: `tams-${randomUUID().slice(0, 8)}`,
        keyPrefix: 'tams/',
        createBucket: true,
      });
      return {
        store,
        ctx: { baseUrl: 'http://tams.invalid', expiresIn: 3600 },
        verifiesSignatures: true,
        refusesOverwrite: true,
        teardown: async () => {
          await store.close();
          await minio.close();
        },
      };
    } catch (error) {
      await minio.close();
      throw error;
    }
  });
} else {
  // A file without tests fails the run: this says what was skipped (minioAvailable said why).
  it.skip('the media-store contract on MinIO (no MinIO binary: scripts/minio-install.sh)', () => {});
}
