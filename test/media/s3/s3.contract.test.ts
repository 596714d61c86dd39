/**
 * The shared media-store contract against S3MediaStore on a real S3-protocol server (s3rver,
 * in-process). s3rver does not verify signatures and ignores `If-None-Match` on PUT, so the
 * contract's signature-failure cases (expired, tampered, wrong method or content type, missing
 * put_url headers) and its write-once case are skipped here; they run against MinIO
 * (minio.contract.test.ts), and the signatures are proved byte-identical to the AWS SDK
 * presigner's in src/media/s3/s3.sign.test.ts.
 */
import { describeMediaStoreContract } from '../../support/media/media.contract.ts';
import { startS3Media } from '../../support/media/s3/s3.testkit.ts';

describeMediaStoreContract('s3 (s3rver)', async () => {
  const media = await startS3Media();
  return {
    store: media.store,
    ctx: { baseUrl: 'http://tams.invalid', expiresIn: 3600 },
    verifiesSignatures: false,
    refusesOverwrite: false,
    teardown: () => media.close(),
  };
});

describeMediaStoreContract('s3 (s3rver) with a key prefix', async () => {
  const media = await startS3Media({ keyPrefix: 'tams/media/' });
  return {
    store: media.store,
    ctx: { baseUrl: 'http://tams.invalid', expiresIn: 3600 },
    verifiesSignatures: false,
    refusesOverwrite: false,
    teardown: () => media.close(),
  };
});
