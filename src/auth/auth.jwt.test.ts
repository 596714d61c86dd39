import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../config.ts';
import { audienceRefusal, parseStaticKey, scopesFromClaims } from './auth.jwt.ts';

describe('JWT scopes', () => {
  it('come from `scope` (space-separated) and `scp` (list or string), with the prefix', () => {
    expect(scopesFromClaims({ scope: 'tams.read openid tams.write' }, 'tams.')).toEqual(['read', 'write']);
    expect(scopesFromClaims({ scp: ['tams.delete', 'tams.admin', 'tams.bogus'] }, 'tams.')).toEqual([
      'delete',
      'admin',
    ]);
    expect(scopesFromClaims({ scp: 'read', scope: 'read write' }, '')).toEqual(['read', 'write']);
    expect(scopesFromClaims({ scope: 'read' }, 'tams.')).toEqual([]);
    expect(scopesFromClaims({ scope: 42 }, '')).toEqual([]);
  });
});

describe('the audience of JWTs', () => {
  const aud = ['tams-api', 'tams-dev'];
  const clients = ['ui-client'];
  it('is `aud` where the token has one, whatever its client_id', () => {
    expect(audienceRefusal({ aud: 'tams-dev' }, aud, clients)).toBeUndefined();
    expect(audienceRefusal({ aud: ['other', 'tams-api'] }, aud, [])).toBeUndefined();
    expect(audienceRefusal({ aud: 'other', client_id: 'ui-client' }, aud, clients)).toBe(
      'unexpected "aud" claim value',
    );
    expect(audienceRefusal({ aud: [] }, aud, clients)).toBe('unexpected "aud" claim value');
    expect(audienceRefusal({ aud: 'ui-client' }, [], clients)).toBe('unexpected "aud" claim value');
  });

  it('is an accepted client_id where the token has no aud, and only for access tokens', () => {
    expect(audienceRefusal({ client_id: 'ui-client', token_use: 'access' }, [], clients)).toBeUndefined();
    expect(audienceRefusal({ client_id: 'ui-client' }, [], clients)).toBeUndefined();
    expect(audienceRefusal({ client_id: 'ui-client' }, aud, [])).toBe('missing required "aud" claim');
    for (const client_id of ['other', ['ui-client'], undefined]) {
      expect(audienceRefusal({ client_id }, aud, clients)).toMatch(/"client_id" is not one of/);
    }
    expect(audienceRefusal({ client_id: 'ui-client', token_use: 'id' }, [], clients)).toMatch(
      /"token_use" is not "access"/,
    );
    expect(audienceRefusal({ aud: 'tams-api', token_use: 'id' }, aud, [])).toMatch(/"token_use"/);
  });
});

describe('static JWT keys', () => {
  it('are PEM public keys or JWKs', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(parseStaticKey(pem).asymmetricKeyType).toBe('ec');
    expect(parseStaticKey(JSON.stringify(publicKey.export({ format: 'jwk' }))).type).toBe('public');
    expect(parseStaticKey('{"kty":"oct","k":"AAAA"}').type).toBe('secret');
    expect(() => parseStaticKey('not a key')).toThrow();
  });
});

describe('authentication settings', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('need an issuer and an audience or client ids with JWTs, and one key source', () => {
    expect(problems({ TAMS_JWT_JWKS_URL: 'https://idp/jwks', TAMS_JWT_AUDIENCE: ' , ' })).toEqual([
      'TAMS_JWT_ISSUER: required when JWTs are enabled',
      expect.stringMatching(
        /^TAMS_JWT_AUDIENCE or TAMS_JWT_CLIENT_IDS: one is required when JWTs are enabled/,
      ),
    ]);
    const jwks = { TAMS_JWT_JWKS_URL: 'https://idp/jwks', TAMS_JWT_ISSUER: 'i' };
    expect(problems({ ...jwks, TAMS_JWT_AUDIENCE: 'a' })).toEqual([]);
    expect(problems({ ...jwks, TAMS_JWT_CLIENT_IDS: 'c1,c2' })).toEqual([]);
    expect(
      problems({
        TAMS_JWT_JWKS_URL: 'ftp://x',
        TAMS_JWT_KEY: 'k',
        TAMS_JWT_ISSUER: 'i',
        TAMS_JWT_AUDIENCE: 'a',
      }),
    ).toEqual([
      'TAMS_JWT_JWKS_URL and TAMS_JWT_KEY: give one or the other',
      'TAMS_JWT_JWKS_URL: must be an http(s) URL (got "ftp://x")',
      expect.stringMatching(/^TAMS_JWT_KEY: not a PEM public key/),
    ]);
    const bad = problems({ TAMS_JWT_KEY: 'not-a-key-secret', TAMS_JWT_ISSUER: 'i', TAMS_JWT_AUDIENCE: 'a' });
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^TAMS_JWT_KEY: not a PEM public key or a JWK/);
    expect(bad[0]).not.toContain('not-a-key-secret');
  });

  it('check the bootstrap variables', () => {
    expect(problems({ TAMS_BOOTSTRAP_ADMIN_TOKEN: 'short' })[0]).toContain('at least 16 characters');
    expect(problems({ TAMS_BOOTSTRAP_ADMIN_USER: 'ops' })[0]).toContain('give both or neither');
    expect(
      problems({ TAMS_BOOTSTRAP_ADMIN_USER: 'a:b', TAMS_BOOTSTRAP_ADMIN_PASSWORD: 'long enough pw' }),
    ).toHaveLength(1);
    expect(problems({ TAMS_AUTH: 'maybe' })[0]).toContain('TAMS_AUTH: must be one of required, none');
    expect(loadConfig({}).TAMS_AUTH).toBe('required');
  });
});
