/**
 * The `postgres` test project (TAMS_TEST_ENGINE=postgres, vitest.config.ts): the HTTP suites run
 * with the server on the PostgreSQL engine and its media on S3 (MinIO, which checks signatures
 * and honours conditional writes), instead of an in-memory DuckDB and the fs store.
 *
 * One throwaway PostgreSQL (tools/postgres/) and one MinIO per test file, started on first use and
 * closed after the file (postgres.setup.ts). Schemas per server and the files that keep the fs
 * store: engine.mode.ts.
 */
import { PostgresEngine } from '../../src/db/engines/postgres/postgres.engine.ts';
import { type PostgresServer, startPostgres } from '../../tools/postgres/postgres.server.ts';
import { modeNames, modeStorageBackends, perFile, TEST_ENGINE, wantsModeMedia } from './engine.mode.ts';
import { type MinioHandle, startMinio } from './minio.ts';

/** Whether this run puts the servers on PostgreSQL (the `postgres` project). */
export const onPostgres = TEST_ENGINE === 'postgres';

const MEDIA_BUCKET = 'media';
const postgres = perFile<PostgresServer>(() => startPostgres());
const minio = perFile<MinioHandle>(() => startMinio());

/** This test file's PostgreSQL server (started on first use). */
export function sharedPostgres(): Promise<PostgresServer> {
  return postgres.get();
}

/** An engine on this file's PostgreSQL in `schema` (created by the first table), for tests below the app. */
export async function postgresTestEngine(schema: string): Promise<PostgresEngine> {
  return new PostgresEngine({ url: (await sharedPostgres()).url, schema });
}

/** Closes this file's PostgreSQL and MinIO (postgres.setup.ts, after the file's tests). */
export async function closePostgresMode(): Promise<void> {
  await postgres.close();
  await minio.close();
}

/**
 * The TAMS_* settings that put one server on this file's PostgreSQL (its own schema) and, unless
 * the test chose its media backends itself, on this file's MinIO.
 */
export async function postgresModeEnv(
  dataDir: string | undefined,
  env: Record<string, string> = {},
): Promise<Record<string, string>> {
  // The file's first server starts both at once (each takes about a second, initdb most of it).
  const [{ url }, s3] = await Promise.all([sharedPostgres(), wantsModeMedia(env) ? minio.get() : undefined]);
  const names = modeNames(dataDir);
  const settings: Record<string, string> = {
    TAMS_DB: 'postgres',
    TAMS_POSTGRES_URL: url,
    TAMS_POSTGRES_SCHEMA: names.schema,
  };
  if (s3 !== undefined) {
    Object.assign(settings, {
      TEST_PG_S3_ACCESS_KEY: s3.accessKeyId,
      TEST_PG_S3_SECRET_KEY: s3.secretAccessKey,
      TAMS_STORAGE_BACKENDS: modeStorageBackends(
        {
          endpoint: s3.endpoint,
          bucket: MEDIA_BUCKET,
          provider: 'minio',
          product: 'minio',
          accessKeyEnv: 'TEST_PG_S3_ACCESS_KEY',
          secretKeyEnv: 'TEST_PG_S3_SECRET_KEY',
          createBucket: true,
        },
        names,
      ),
    });
  }
  return settings;
}
