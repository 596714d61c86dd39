/**
 * The JWKS path: keys fetched once and reused (jose refetches for an unknown key id at most every
 * 30 s, and every 10 minutes otherwise), and an unreachable identity provider answered as a
 * server-side problem (503), not as a bad token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import {
  ADMIN_TOKEN,
  AUDIENCE,
  bearer,
  ISSUER,
  JWT_CLAIMS_ENV,
  type SigningKey,
  serveJwks,
  signingKey,
  signJwt,
  startAuthServer,
} from './auth.fixture.ts';

describe('JWKS', () => {
  let first: SigningKey;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let server: TestServer;

  beforeAll(async () => {
    first = await signingKey('2024-01');
    jwks = await serveJwks([first]);
    server = await startAuthServer({
      TAMS_JWT_JWKS_URL: jwks.url,
      ...JWT_CLAIMS_ENV,
    });
  });
  afterAll(async () => {
    await server.close();
    await jwks.close();
  });

  it('fetches the key set once for many tokens', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await server.get('/flows', { headers: bearer(await signJwt(first, { sub: `u${i}` })) });
      expect(res.status).toBe(200);
    }
    expect(jwks.fetches()).toBe(1);
  });

  // A provider that drops the connection, fails, or answers with something other than a key set
  // is the server's problem (503), whatever the token; the process and other clients carry on.
  it.each([
    ['drops the connection', 'drop'],
    ['answers 500', 'http-500'],
    ['answers with a page, not JSON', 'not-json'],
  ] as const)('answers 503 when the identity provider %s', async (_what, failure) => {
    const down = await serveJwks([], failure);
    const orphan = await startAuthServer({
      TAMS_JWT_JWKS_URL: down.url,
      TAMS_JWT_ISSUER: ISSUER,
      TAMS_JWT_AUDIENCE: AUDIENCE,
    });
    try {
      const res = await orphan.get<{ type: string; summary: string }>('/flows', {
        headers: bearer(await signJwt(first)),
      });
      expect(res.status).toBe(503);
      expect(res.body.summary).toContain('identity provider');
      expect(down.fetches()).toBeGreaterThan(0);
      // A token this server issued does not need the provider.
      const own = await orphan.get('/flows', { headers: bearer(ADMIN_TOKEN) });
      expect(own.status).toBe(200);
    } finally {
      await orphan.close();
      await down.close();
    }
  });
});
