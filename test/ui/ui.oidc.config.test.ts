/**
 * What the server tells the web UI before anyone signs in (GET /ui/config.json): the identity
 * provider to offer, when TAMS_UI_OIDC_CLIENT_ID is set, with the issuer the server trusts for
 * JWTs; public, as the page is, and holding nothing secret. Settings that cannot work together
 * stop the start with a sentence saying why.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { JWT_CLAIMS_ENV, startAuthServer } from '../auth/auth.fixture.ts';
import type { TestServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/server.ts';

const JWT_ENV = { ...JWT_CLAIMS_ENV, TAMS_JWT_JWKS_URL: 'http://127.0.0.1:9/jwks' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('GET /ui/config.json', () => {
  let build: ReturnType<typeof tempDir>;
  const servers: TestServer[] = [];

  beforeAll(() => {
    build = tempDir('tams-ui-config-');
    mkdirSync(join(build.path, 'assets'));
    writeFileSync(join(build.path, 'index.html'), '<!doctype html><div id="app"></div>');
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    build?.remove();
  });

  async function configOf(env: Record<string, string>): Promise<Response> {
    const server = await startAuthServer({ TAMS_UI_DIR: build.path, ...env });
    servers.push(server);
    // No credentials: the sign-in page reads it.
    return fetch(`${server.url}/ui/config.json`);
  }

  it('offers the issuer the server trusts, with the client, its scopes and the resource', async () => {
    const res = await configOf({
      ...JWT_ENV,
      TAMS_UI_OIDC_CLIENT_ID: 'tams-web-ui',
      TAMS_UI_OIDC_RESOURCE: 'https://tams.example.test/',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.json()).toEqual({
      oidc: {
        issuer: JWT_CLAIMS_ENV.TAMS_JWT_ISSUER,
        client_id: 'tams-web-ui',
        // By default: openid, and the server's four scopes with its prefix.
        scope: 'openid tams.read tams.write tams.delete tams.admin',
        resource: 'https://tams.example.test/',
      },
    });
  });

  it('asks for the scopes configured, and for no resource unless one is set', async () => {
    const res = await configOf({
      ...JWT_ENV,
      TAMS_UI_OIDC_CLIENT_ID: 'tams-web-ui',
      TAMS_UI_OIDC_SCOPES: ' openid  profile tams.read ',
    });
    expect(await res.json()).toEqual({
      oidc: {
        issuer: JWT_CLAIMS_ENV.TAMS_JWT_ISSUER,
        client_id: 'tams-web-ui',
        scope: 'openid profile tams.read',
      },
    });
  });

  it('offers no provider without a client id, even with JWTs on', async () => {
    const res = await configOf(JWT_ENV);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ oidc: null });
  });
});

describe('the sign-in settings', () => {
  it('need JWTs of an issuer', () => {
    expect(problemsOf({ TAMS_UI_OIDC_CLIENT_ID: 'tams-web-ui' })).toEqual([
      'TAMS_UI_OIDC_CLIENT_ID: needs JWTs enabled (TAMS_JWT_ISSUER and TAMS_JWT_JWKS_URL): the web UI signs in with that issuer',
    ]);
    expect(problemsOf({ ...JWT_ENV, TAMS_UI_OIDC_CLIENT_ID: 'tams-web-ui' })).toEqual([]);
  });

  it('take a resource indicator that is an absolute URI without a fragment', () => {
    const client = { ...JWT_ENV, TAMS_UI_OIDC_CLIENT_ID: 'tams-web-ui' };
    expect(problemsOf({ ...client, TAMS_UI_OIDC_RESOURCE: 'urn:tams:api' })).toEqual([]);
    expect(problemsOf({ ...client, TAMS_UI_OIDC_RESOURCE: 'tams-api' })[0]).toMatch(
      /^TAMS_UI_OIDC_RESOURCE: must be an absolute URI/,
    );
    expect(problemsOf({ ...client, TAMS_UI_OIDC_RESOURCE: 'https://tams.example.test/#x' })[0]).toMatch(
      /^TAMS_UI_OIDC_RESOURCE: must be an absolute URI/,
    );
  });
});
