import { describe, expect, it } from 'vitest';
import { ConfigSchema, loadConfig } from '../config.ts';
import { Redactor } from './support.redact.ts';
import { configSecrets, NOT_SECRET_SETTINGS, SECRET_SETTINGS } from './support.secrets.ts';
import { effectiveSettings } from './support.settings.ts';

describe('secret settings', () => {
  it('classifies every setting whose name says it may hold a secret', () => {
    const suspicious = Object.keys(ConfigSchema.properties).filter((name) =>
      /KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL|_URL$|BACKENDS$/.test(name),
    );
    const classified = new Set<string>([...Object.keys(SECRET_SETTINGS), ...NOT_SECRET_SETTINGS]);
    // URLs other than these carry no secret of their own; a password in one is caught by value.
    const plainUrls = ['TAMS_PUBLIC_URL', 'TAMS_SEARCH_EMBEDDINGS_URL'];
    expect(suspicious.filter((name) => !classified.has(name) && !plainUrls.includes(name))).toEqual([]);
  });

  it('redacts by name in the configuration and by value everywhere else', () => {
    const env = {
      TAMS_BOOTSTRAP_ADMIN_TOKEN: 'an-admin-token-of-16',
      TAMS_POSTGRES_URL: 'postgres://tams:p%40ss-w0rd@db:5432/tams',
      TAMS_JWT_KEY: JSON.stringify({ kty: 'oct', k: 'hmac-key-material' }),
      TAMS_JWT_ALGORITHMS: 'HS256',
      TAMS_JWT_ISSUER: 'https://idp.example',
      TAMS_JWT_AUDIENCE: 'tams',
      TAMS_PUBLIC_URL: 'https://user:url-password@tams.example',
      TAMS_STORAGE_BACKENDS: JSON.stringify([
        {
          kind: 's3',
          id: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          label: 's3',
          provider: 'minio',
          store_product: 'minio',
          bucket: 'b',
          access_key_id: 'AKIDLITERAL',
          secret_access_key_env: 'MY_S3_SECRET',
        },
      ]),
      MY_S3_SECRET: 'from-the-environment',
    };
    const config = loadConfig(env);
    const doc = effectiveSettings(config, env) as {
      settings: Record<string, unknown>;
      storage_backends: unknown[];
    };
    expect(doc.settings.TAMS_BOOTSTRAP_ADMIN_TOKEN).toBe('[REDACTED]');
    expect(doc.settings.TAMS_POSTGRES_URL).toBe('postgres://tams:***@db:5432/tams');
    expect(doc.storage_backends[0]).toMatchObject({
      access_key_id: '[REDACTED]',
      secret_access_key_env: 'MY_S3_SECRET',
    });
    const secrets = configSecrets(config, env);
    for (const value of [
      'an-admin-token-of-16',
      'p@ss-w0rd',
      'hmac-key-material',
      'url-password',
      'AKIDLITERAL',
      'from-the-environment',
    ])
      expect(secrets).toContain(value);
    const redactor = new Redactor(secrets);
    expect(redactor.text('sent "p%40ss-w0rd" and from-the-environment and {"x":"hmac-key-material"}')).toBe(
      'sent "[REDACTED]" and [REDACTED] and {"x":"[REDACTED]"}',
    );
  });
});
