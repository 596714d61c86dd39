/**
 * The `vast` test project (TAMS_TEST_ENGINE=vast, vitest.config.ts): the HTTP suites run with the
 * server on the VAST engine over a fake VAST server and with its media on S3 (s3rver), instead of
 * an in-memory DuckDB and the fs store.
 *
 * One fake VAST and one s3rver per test file, started on first use and closed after the file
 * (vast.setup.ts). Schemas per server and the files that keep the fs store: engine.mode.ts.
 */
import { type FakeVast, startFakeVast } from '../../tools/vast-fake/fake.server.ts';
import { vastSettings } from '../support/db/engines/vast/vast.testkit.ts';
import { type S3rverHandle, startS3rver } from '../support/media/s3/s3.testkit.ts';
import { modeNames, modeStorageBackends, perFile, TEST_ENGINE, wantsModeMedia } from './engine.mode.ts';

/** Whether this run puts the servers on VAST (the `vast` project). */
export const onVast = TEST_ENGINE === 'vast';

const MEDIA_BUCKET = 'media';
/** s3rver's only key pair, named by the backend entry's `_env` references. */
export const VAST_MODE_S3_ENV = { TEST_VAST_S3_ACCESS_KEY: 'S3RVER', TEST_VAST_S3_SECRET_KEY: 'S3RVER' };

const fake = perFile<FakeVast>(() => startFakeVast());
const s3 = perFile<S3rverHandle>(() => startS3rver([MEDIA_BUCKET]));

/** This test file's fake VAST server (started on first use). */
export function sharedFakeVast(): Promise<FakeVast> {
  return fake.get();
}

/** Closes this file's fake VAST and s3rver (vast.setup.ts, after the file's tests). */
export async function closeVastMode(): Promise<void> {
  await fake.close();
  await s3.close();
}

/**
 * The TAMS_* settings that put one server on this file's fake VAST (its own schema) and, unless
 * the test chose its media backends itself, on this file's s3rver.
 */
export async function vastModeEnv(
  dataDir: string | undefined,
  env: Record<string, string> = {},
): Promise<Record<string, string>> {
  const vast = await sharedFakeVast();
  const names = modeNames(dataDir);
  const settings = vastSettings(vast, names.schema);
  if (wantsModeMedia(env)) {
    const { endpoint } = await s3.get();
    Object.assign(settings, VAST_MODE_S3_ENV, {
      TAMS_STORAGE_BACKENDS: modeStorageBackends(
        {
          endpoint,
          bucket: MEDIA_BUCKET,
          provider: 's3rver',
          product: 's3',
          accessKeyEnv: 'TEST_VAST_S3_ACCESS_KEY',
          secretKeyEnv: 'TEST_VAST_S3_SECRET_KEY',
          createBucket: false,
        },
        names,
      ),
    });
  }
  return settings;
}
