/**
 * Whether the `postgres` project can run the HTTP suites here (vitest.config.ts): they need
 * PostgreSQL's binaries (tools/postgres/postgres.server.ts) and MinIO (minio.ts). Without either,
 * a developer's run leaves them out, each check saying so in one line; under CI (`CI` set) the
 * checks throw instead, as CI installs both.
 */
import { postgresAvailable } from '../../tools/postgres/postgres.server.ts';
import { minioAvailable } from './minio.ts';

export function postgresModeAvailable(): boolean {
  const postgres = postgresAvailable();
  const minio = minioAvailable();
  return postgres && minio;
}
