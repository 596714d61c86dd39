/**
 * docker/compose.yaml cannot be run here (no Docker engine): its tams-server settings are checked
 * the way the server checks them at start-up instead.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.ts';
import { loadStorageBackends } from '../../src/media/media.config.ts';

interface Compose {
  services: Record<string, { environment?: Record<string, string>; network_mode?: string; ports?: string[] }>;
}

const compose = parse(readFileSync(new URL('../../docker/compose.yaml', import.meta.url), 'utf8')) as Compose;

/** Compose's `${NAME:-default}` interpolation, with the defaults. */
function interpolate(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
  );
}

describe('docker/compose.yaml', () => {
  it('gives the server a valid configuration: MinIO as S3 backend, credentials from the environment', () => {
    const env = interpolate(compose.services.tams?.environment ?? {});
    const config = loadConfig(env);
    // Published ports reach a container's own interfaces, not its loopback (the default).
    expect(config.TAMS_HOST).toBe('0.0.0.0');
    const [backend] = loadStorageBackends({ json: config.TAMS_STORAGE_BACKENDS, file: '' }, env) ?? [];
    expect(backend).toMatchObject({ kind: 's3', endpoint: 'http://localhost:9000', create_bucket: true });
    const [declared] = JSON.parse(env.TAMS_STORAGE_BACKENDS ?? '[]') as Record<string, unknown>[];
    expect(declared).not.toHaveProperty('secret_access_key');
    expect(declared).toHaveProperty('secret_access_key_env', 'S3_SECRET_ACCESS_KEY');
    // Presigned URLs for localhost:9000 work from the host only if the server shares MinIO's network.
    expect(compose.services.tams?.network_mode).toBe('service:minio');
    expect(compose.services.minio?.ports).toEqual(
      expect.arrayContaining([expect.stringMatching(/^"?8000:8000/)]),
    );
  });
});
