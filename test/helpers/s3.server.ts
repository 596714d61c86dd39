/**
 * A real tams-server (startServer) whose media go to S3: an in-process s3rver started for the
 * test, declared to the server through TAMS_STORAGE_BACKENDS exactly as a deployment declares
 * VAST S3 or MinIO (credentials named by `_env` references). s3rver does not verify signatures
 * (see test/support/media/s3/s3.testkit.ts): these tests show where bytes go, not signature checks.
 */
import { randomUUID } from 'node:crypto';
import { type S3rverHandle, startS3rver } from '../support/media/s3/s3.testkit.ts';
import { startServer, type TestServer, type TestServerOptions } from './server.ts';

/** The environment variables the backends' `_env` references name (s3rver's only key pair). */
export const S3_CREDENTIALS_ENV = { TEST_S3_ACCESS_KEY: 'S3RVER', TEST_S3_SECRET_KEY: 'S3RVER' };

/** A server's environment for these storage backends, with the s3rver credentials they name. */
export function backendsEnv(entries: readonly Record<string, unknown>[]): Record<string, string> {
  return { ...S3_CREDENTIALS_ENV, TAMS_STORAGE_BACKENDS: JSON.stringify(entries) };
}

/** A TAMS_STORAGE_BACKENDS entry for a bucket of this s3rver (path-style, us-east-1). */
export function s3BackendEntry(
  s3: { endpoint: string },
  bucket: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    kind: 's3',
    id: randomUUID(),
    label: bucket,
    provider: 's3rver',
    region: 'us-east-1',
    store_product: 's3',
    endpoint: s3.endpoint,
    bucket,
    key_prefix: 'tams/',
    force_path_style: true,
    access_key_id_env: 'TEST_S3_ACCESS_KEY',
    secret_access_key_env: 'TEST_S3_SECRET_KEY',
    ...overrides,
  };
}

/** A TAMS_STORAGE_BACKENDS entry for the embedded fs store, labelled `local`, the default. */
export function fsBackendEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'fs',
    id: randomUUID(),
    label: 'local',
    provider: 'tams-server',
    store_product: 'filesystem',
    default: true,
    ...overrides,
  };
}

export interface S3TestServer {
  server: TestServer;
  s3: S3rverHandle;
  /** The backend entries the server was started with. */
  entries: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface S3TestServerOptions extends Omit<TestServerOptions, 'env'> {
  env?: Record<string, string>;
  /** Buckets s3rver starts with. Default `['media']`. */
  buckets?: string[];
  /** The backend list, given the running s3rver. Default: one S3 backend on `media`, the default. */
  backends?: (s3: S3rverHandle) => Record<string, unknown>[];
}

/** s3rver plus a server using it; close() stops both. */
export async function startS3Server(options: S3TestServerOptions = {}): Promise<S3TestServer> {
  const s3 = await startS3rver(options.buckets ?? ['media']);
  const entries = options.backends?.(s3) ?? [s3BackendEntry(s3, 'media', { default: true })];
  let server: TestServer;
  try {
    server = await startServer({
      ...options,
      env: { ...backendsEnv(entries), ...options.env },
    });
  } catch (error) {
    await s3.close();
    throw error;
  }
  return {
    server,
    s3,
    entries,
    close: async () => {
      await server.close();
      await s3.close();
    },
  };
}
