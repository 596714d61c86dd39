/**
 * What the shared-engine test projects have in common (TAMS_TEST_ENGINE, vitest.config.ts): the
 * `vast` project (vast.mode.ts) and the `postgres` project (postgres.mode.ts) run the HTTP suites
 * with each test server on a database it shares with nothing else in the run but its own file's
 * servers, and with its media on S3 instead of the fs store.
 *
 * Each server gets a schema of its own (a fresh, empty database); a server given a data directory
 * gets the schema and media key prefix named after that directory, so a restart with the same
 * directory finds what the first server stored, as it would in its DuckDB file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'vitest';

export type TestEngine = 'duckdb' | 'vast' | 'postgres';

function testEngine(): TestEngine {
  const name = process.env.TAMS_TEST_ENGINE ?? '';
  if (name === '' || name === 'duckdb') return 'duckdb';
  if (name === 'vast' || name === 'postgres') return name;
  // A misspelt engine would quietly run the suites on DuckDB again.
  throw new Error(`TAMS_TEST_ENGINE=${JSON.stringify(name)}: expected vast, postgres or nothing`);
}

/** The engine this run puts the test servers on (the embedded DuckDB unless a project says). */
export const TEST_ENGINE: TestEngine = testEngine();

/**
 * Whether the test servers are on a shared database (the `vast` and `postgres` projects): no store
 * cache, no DuckDB file in the data directory for the CLI to open, leases whose owner may be
 * another live process, media on S3.
 */
export const onSharedEngine = TEST_ENGINE !== 'duckdb';

/**
 * Files whose subject is the embedded fs store's own media URLs (its labels, its direct URLs on
 * the API's origin, its bytes reached through the server): on a shared engine they keep the fs
 * store for media, the database alone moves. S3 media under a shared engine is what the other
 * files (and these files' S3 cases, which declare their own backends) run on.
 */
const FS_MEDIA_FILES = [
  'test/segments/segments.urls.test.ts', // the fs store's URL labels and direct controlled URLs
  'test/segments/storage.test.ts', // put_url on the API's own origin (fs store)
  'test/segments/segments.delete.test.ts', // bytes checked through the fs store's URLs on the API
  'test/segments/objects.lifecycle.test.ts', // fs store paths and URLs rewritten to a restarted server
  'test/segments/deletion.restart.test.ts', // the fs store's URLs across a restart
  'test/segments/e2e.ingest.test.ts', // its 'fs' case is the fs store (its 'S3' case brings its own S3)
  'test/auth/auth.principal.test.ts', // the fs store's signed URLs (sig=) and their scopes
  'test/events/events.filters.test.ts', // unsigned direct URLs exist on the fs store only
];

/**
 * Whether a server of the running test gets the mode's S3 media: not when the test chose its
 * media backends itself, nor in the files above.
 */
export function wantsModeMedia(env: Record<string, string>): boolean {
  if (env.TAMS_STORAGE_BACKENDS !== undefined || env.TAMS_MEDIA_DIR !== undefined) return false;
  const path = expect.getState().testPath ?? '';
  return !FS_MEDIA_FILES.some((f) => path.endsWith(f));
}

/** A stable id (UUID-shaped) and schema for a data directory: the same directory, the same database. */
export function modeNames(dataDir: string | undefined): { schema: string; id: string } {
  const hex =
    dataDir === undefined
      ? randomUUID().replaceAll('-', '')
      : createHash('sha256').update(dataDir).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return { schema: `tams_${hex.slice(0, 16)}`, id };
}

/** Where a mode's S3 media live: one bucket per test file, one key prefix per schema. */
export interface ModeS3 {
  endpoint: string;
  bucket: string;
  /** Who serves it, as the backend entry's `provider` and `store_product` name it. */
  provider: string;
  product: string;
  /** The environment variables holding the key pair (`_env` references of the entry). */
  accessKeyEnv: string;
  secretKeyEnv: string;
  /** Whether the server creates the bucket at start (MinIO), or it is there already (s3rver). */
  createBucket: boolean;
}

/** TAMS_STORAGE_BACKENDS with the one default S3 backend of a server in schema `schema`. */
export function modeStorageBackends(s3: ModeS3, names: { schema: string; id: string }): string {
  return JSON.stringify([
    {
      kind: 's3',
      id: names.id,
      label: 'media',
      provider: s3.provider,
      region: 'us-east-1',
      store_product: s3.product,
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      key_prefix: `${names.schema}/`,
      force_path_style: true,
      ...(s3.createBucket ? { create_bucket: true } : {}),
      access_key_id_env: s3.accessKeyEnv,
      secret_access_key_env: s3.secretKeyEnv,
      default: true,
    },
  ]);
}

/** A server (database, S3) a test file starts on first use; its mode's setup file closes it after the file. */
export interface PerFile<T> {
  get(): Promise<T>;
  close(): Promise<void>;
}

export function perFile<T extends { close(): Promise<void> }>(start: () => Promise<T>): PerFile<T> {
  let started: Promise<T> | undefined;
  return {
    get: () => {
      started ??= start();
      return started;
    },
    close: async () => {
      const was = started;
      started = undefined;
      await (await was)?.close();
    },
  };
}
