/** Setup file of the `postgres` project: closes the file's PostgreSQL and MinIO after its tests. */
import { afterAll } from 'vitest';
import { closePostgresMode } from './postgres.mode.ts';

afterAll(async () => {
  await closePostgresMode();
});
