/**
 * The `vast` test project (TAMS_TEST_ENGINE=vast, vitest.config.ts): the HTTP suites run with the
 * server on the VAST engine over a fake VAST server and with its media on S3 (s3rver), instead of
 * an in-memory DuckDB and the fs store.
 *
 * One fake VAST and one s3rver per test file, started on first use and closed after the file
 * (vast.setup.ts). Each server gets a schema of its own (a fresh, empty database); a server given
 * a data directory gets the schema and media key prefix named after that directory, so a restart
 * with the same directory finds what the first server stored, as it would in its DuckDB file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { type FakeVast, startFakeVast } from '../../tools/vast-fake/fake.server.ts';
import { vastSettings } from '../support/db/engines/vast/vast.testkit.ts';
import { type S3rverHandle, startS3rver } from '../support/media/s3/s3.testkit.ts';

/** Whether this run puts the servers on VAST (the `vast` project). */
export const onVast = process.env.TAMS_TEST_ENGINE === 'vast';

const MEDIA_BUCKET = 'media';
/** s3rver's only key pair, named by the backend entry's `_env` references. */
export const VAST_MODE_S3_ENV = { TEST_VAST_S3_ACCESS_KEY: 'S3RVER', TEST_VAST_S3_SECRET_KEY: 'S3RVER' };

/**
 * Files whose subject is the embedded fs store's own media URLs (its labels, its direct URLs on
 * the API's origin, its bytes reached through the server): on VAST they keep the fs store for
 * media, the database alone moves. S3 media under VAST is what the other files (and these files'
 * S3 cases, which declare their own backends) run on.
 */
const FS_MEDIA_FILES = [
  'test/segments/segments.urls.test.ts', // the fs store's URL labels and direct controlled URLs
  'test/segments/storage.test.ts', // put_url on the API's own origin (fs store)
  'test/segments/segments.delete.test.ts', // bytes checked through the fs store's URLs on the API
  'test/segments/objects.lifecycle.test.ts', // fs store paths and URLs rewritten to a restarted server
  'test/segments/deletion.restart.test.ts', // the fs store's URLs across a restart
  'test/segments/e2e.ingest.test.ts', // its 'fs' case is the fs store (its 'S3' case brings s3rver)
  'test/auth/auth.principal.test.ts', // the fs store's signed URLs (sig=) and their scopes
  'test/events/events.filters.test.ts', // unsigned direct URLs exist on the fs store only
];

function wantsFsMedia(): boolean {
  const path = expect.getState().testPath ?? '';
  return FS_MEDIA_FILES.some((f) => path.endsWith(f));
}

let fake: Promise<FakeVast> | undefined;
let s3: Promise<S3rverHandle> | undefined;

/** This test file's fake VAST server (started on first use). */
export function sharedFakeVast(): Promise<FakeVast> {
  fake ??= startFakeVast();
  return fake;
}

function sharedS3(): Promise<S3rverHandle> {
  s3 ??= startS3rver([MEDIA_BUCKET]);
  return s3;
}

/** Closes this file's fake VAST and s3rver (vast.setup.ts, after the file's tests). */
export async function closeVastMode(): Promise<void> {
  const [f, s] = [fake, s3];
  fake = undefined;
  s3 = undefined;
  await (await f)?.close();
  await (await s)?.close();
}

/** A stable id (UUID-shaped) for a data directory: the same directory, the same database. */
function nameOf(dataDir: string | undefined): { schema: string; id: string } {
  const hex =
    dataDir === undefined
      ? randomUUID().replaceAll('-', '')
      : createHash('sha256').update(dataDir).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return { schema: `tams_${hex.slice(0, 16)}`, id };
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
  const { schema, id } = nameOf(dataDir);
  const settings = vastSettings(vast, schema);
  if (env.TAMS_STORAGE_BACKENDS === undefined && env.TAMS_MEDIA_DIR === undefined && !wantsFsMedia()) {
    const s = await sharedS3();
    Object.assign(settings, VAST_MODE_S3_ENV, {
      TAMS_STORAGE_BACKENDS: JSON.stringify([
        {
          kind: 's3',
          id,
          label: 'media',
          provider: 's3rver',
          region: 'us-east-1',
          store_product: 's3',
          endpoint: s.endpoint,
          bucket: MEDIA_BUCKET,
          key_prefix: `${schema}/`,
          force_path_style: true,
          access_key_id_env: 'TEST_VAST_S3_ACCESS_KEY',
          secret_access_key_env: 'TEST_VAST_S3_SECRET_KEY',
          default: true,
        },
      ]),
    });
  }
  return settings;
}
