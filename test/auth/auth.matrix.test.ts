/**
 * Every route × every scheme: no credentials → 401 (WWW-Authenticate and the TAMS error body),
 * each scheme accepted, wrong scope → 403, expired or badly signed JWT → 401, revoked token → 401.
 * Every route's scopes are as auth.scopes.ts declares them. The beyond-the-spec wings (search,
 * EXR, analytics) are on, so that their routes are in the matrix too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteEntry, registeredRoutes } from '../../src/auth/auth.hook.ts';
import { SCOPES, type Scope } from '../../src/auth/auth.model.ts';
import { pathInMount } from '../../src/http/api.version.ts';
import type { TestServer } from '../helpers/server.ts';
import {
  ADMIN_PASSWORD,
  ADMIN_TOKEN,
  ADMIN_USER,
  basic,
  bearer,
  JWT_CLAIMS_ENV,
  type SigningKey,
  serveJwks,
  signingKey,
  signJwt,
  startAuthServer,
} from './auth.fixture.ts';
import { accepted, call, failures, label, pathOf, protectedRoutes, routeScopes } from './auth.matrix.ts';
import { DECLARED_SCOPES, declaredScopes, PUBLIC_URLS } from './auth.scopes.ts';

let server: TestServer;
let jwks: Awaited<ReturnType<typeof serveJwks>>;
let key: SigningKey;
let stranger: SigningKey;
let routes: RouteEntry[];
/** Tokens holding every scope but one, by the scope they lack. */
const lacking = {} as Record<Scope, string>;

beforeAll(async () => {
  key = await signingKey('idp-1');
  // Same key id, different key: what a forged token looks like.
  stranger = await signingKey('idp-1');
  jwks = await serveJwks([key]);
  server = await startAuthServer({
    TAMS_JWT_JWKS_URL: jwks.url,
    ...JWT_CLAIMS_ENV,
    TAMS_JWT_CLOCK_TOLERANCE_SECONDS: '0',
    TAMS_SEARCH: 'true',
    TAMS_SEARCH_EMBEDDINGS: 'none',
    TAMS_EXR: 'true',
    TAMS_ANALYTICS: 'true',
    TAMS_RECORDER: 'true',
    TAMS_REPLICATION: 'true',
  });
  routes = protectedRoutes(server);
  for (const scope of SCOPES) {
    const { token } = await server.runtime.auth.admin.createToken({
      name: `no-${scope}`,
      scopes: SCOPES.filter((s) => s !== scope),
    });
    lacking[scope] = token;
  }
});
afterAll(async () => {
  await server.close();
  await jwks.close();
});

describe('the route catalogue', () => {
  it('holds every operation of the OpenAPI document and the routes outside it', async () => {
    type Item = Record<string, { security?: unknown[] }>;
    const doc = (await server.get<{ paths: Record<string, Item> }>('/openapi.json')).body;
    const catalogue = new Set(routes.map(label));
    const documented = (open: boolean) =>
      Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.entries(item)
          // `security: []`: the document says the operation takes no credentials.
          .filter(([, op]) => (op.security?.length === 0) === open)
          .map(
            ([m]) =>
              `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1').replace(':request-id', ':requestId')}`,
          ),
      );
    expect(documented(false).length).toBeGreaterThan(60);
    expect(documented(false).filter((op) => !catalogue.has(op))).toEqual([]);
    // What the document says is public is public, and is the operations routes alone, with where
    // a replication origin delivers events (which carry the job's key).
    expect(documented(true).filter((op) => catalogue.has(op))).toEqual([]);
    expect(documented(true).sort()).toEqual(
      [
        'GET /health',
        'HEAD /health',
        'GET /ready',
        'HEAD /ready',
        'GET /metrics',
        'HEAD /metrics',
        'POST /replications/:id/events',
      ].sort(),
    );
    for (const extra of ['GET /auth/tokens', 'POST /auth/users', 'GET /media/*', 'PUT /media/*']) {
      expect(
        [...catalogue].some((r) => r.startsWith(extra.replace('/media/*', '/')) || r === extra),
        extra,
      ).toBe(true);
    }
  });

  it('holds the routes of the search, EXR and analytics wings', () => {
    const catalogue = new Set(routes.map(label));
    for (const route of [
      'GET /search',
      'POST /search/transcripts/:transcriptId/publish',
      'POST /exr/inspect',
      'GET /exr/files/:id',
      'GET /analytics/storage',
    ]) {
      expect(catalogue.has(route), route).toBe(true);
    }
  });

  it('gives every route the scopes auth.scopes.ts declares for it: a new route must be declared', () => {
    const sorted = (scopes: readonly string[]) => [...scopes].sort().join(' and ') || 'no scope';
    const wrong = routes.flatMap((route) => {
      const declared = declaredScopes(route.method, route.url);
      if (declared === undefined) {
        return [
          `${label(route)} (needs ${sorted(routeScopes(route))}): not declared in test/auth/auth.scopes.ts`,
        ];
      }
      const needs = sorted(routeScopes(route));
      return needs === sorted(declared)
        ? []
        : [`${label(route)}: needs ${needs}, declared ${sorted(declared)}`];
    });
    expect(wrong).toEqual([]);
    // Public routes are only those meant to be.
    const open = registeredRoutes(server.app).filter((r) => r.policy === 'public');
    // A mount's route (/tams/v7.0/openapi.json) by its path within the mount.
    const inMount = (r: RouteEntry) => ({ ...r, url: pathInMount(r.url) });
    expect(open.filter((r) => !PUBLIC_URLS.some((re) => re.test(inMount(r).url))).map(label)).toEqual([]);
    expect(open.filter((r) => DECLARED_SCOPES.has(label(inMount(r)))).map(label)).toEqual([]);
  });

  it('gives the admin scope to service settings and users and tokens, and the method scope to the rest', () => {
    const policy = (l: string) => routes.find((r) => label(r) === l)?.policy;
    expect(policy('POST /service')).toBe('admin');
    expect(policy('POST /auth/tokens')).toBe('admin');
    expect(policy('DELETE /auth/tokens/:id')).toBe('admin');
    expect(policy('GET /service')).toBe('method');
    expect(policy('DELETE /flows/:flowId')).toBe('method');
    expect(policy('GET /auth/whoami')).toBe('authenticated');
  });
});

describe('without credentials', () => {
  it('every protected route answers 401 with Bearer and Basic challenges and a TAMS error body', async () => {
    const failed = await failures(
      routes,
      (route) => call(server, route),
      (a, route) =>
        a.status === 401 &&
        (route.method === 'HEAD' ||
          (a.type === 'Unauthorized' && (a.summary ?? '').startsWith('Authentication required'))) &&
        /Bearer realm="tams"/.test(a.challenges ?? '') &&
        /Basic realm="tams"/.test(a.challenges ?? ''),
    );
    expect(failed).toEqual([]);
  });

  it('the documentation and the probes stay public', async () => {
    expect((await server.get('/openapi.json')).status).toBe(200);
    expect((await fetch(`${server.url}/docs/`)).status).toBe(200);
    expect((await server.get('/health')).status).toBe(200);
  });
});

describe('each scheme is accepted on every route', () => {
  const schemes: [string, () => Promise<[Record<string, string>, Record<string, string>]>][] = [
    ['HTTP Basic', async () => [basic(ADMIN_USER, ADMIN_PASSWORD), {}]],
    ['opaque bearer token', async () => [bearer(ADMIN_TOKEN), {}]],
    ['JWT bearer (JWKS)', async () => [bearer(await signJwt(key)), {}]],
    ['access_token query (opaque)', async () => [{}, { access_token: ADMIN_TOKEN }]],
    ['access_token query (JWT)', async () => [{}, { access_token: await signJwt(key) }]],
  ];
  it.each(schemes)('%s', async (_name, credentials) => {
    const [headers, query] = await credentials();
    const failed = await failures(routes, (route) => call(server, route, headers, query), accepted);
    expect(failed).toEqual([]);
  });
});

describe('scopes', () => {
  it('a token lacking a scope a route needs gets 403 saying so (not a read-only Flow)', async () => {
    // Each scope a route needs, refused alone (POST /service/webhooks needs read and write).
    const failed: string[] = [];
    for (const scope of SCOPES) {
      failed.push(
        ...(await failures(
          routes.filter((r) => routeScopes(r).includes(scope)),
          (route) => call(server, route, bearer(lacking[scope])),
          (a, route) =>
            a.status === 403 &&
            (route.method === 'HEAD' ||
              (a.type === 'Forbidden' &&
                (a.summary ?? '').includes(`Insufficient scope (not a read-only Flow)`) &&
                (a.summary ?? '').includes(`"${scope}" scope`))),
        )),
      );
    }
    expect(failed).toEqual([]);
  });

  it('registering a webhook needs read as well as write', () => {
    const post = routes.find((r) => label(r) === 'POST /service/webhooks') as RouteEntry;
    expect(routeScopes(post)).toEqual(['read', 'write']);
  });

  it('a token lacking another scope passes', async () => {
    const failed = await failures(
      routes.filter((r) => !routeScopes(r).includes('admin')),
      (route) => call(server, route, bearer(lacking.admin)),
      accepted,
    );
    expect(failed).toEqual([]);
  });

  it('JWT scopes come from `scope` or `scp` with the prefix; unprefixed ones grant nothing', async () => {
    const put = routes.find((r) => label(r) === 'PUT /flows/:flowId/label') as RouteEntry;
    const get = routes.find((r) => label(r) === 'GET /flows') as RouteEntry;
    const readOnly = await signJwt(key, { scopes: ['read'] });
    expect(accepted(await call(server, get, bearer(readOnly)))).toBe(true);
    const refused = await call(server, put, bearer(readOnly));
    expect(refused.status).toBe(403);
    expect(refused.challenges).toContain('error="insufficient_scope", scope="write"');
    const unprefixed = await signJwt(key, { scopes: 'read write' });
    expect((await call(server, get, bearer(unprefixed))).status).toBe(403);
    const scp = await signJwt(key, { scopes: '', claims: { scp: ['tams.read', 'tams.write'] } });
    expect(accepted(await call(server, put, bearer(scp)))).toBe(true);
  });
});

describe('refused JWTs', () => {
  const bad: [string, () => Promise<string>][] = [
    ['expired', () => signJwt(key, { expiresIn: -60 })],
    ['signed by another key', () => signJwt(stranger)],
    ['for another audience', () => signJwt(key, { audience: 'other-api' })],
    ['from another issuer', () => signJwt(key, { issuer: 'https://evil.example.test/' })],
    [
      'unsigned (alg none)',
      async () =>
        `${(await signJwt(key))
          .split('.')
          .slice(0, 2)
          .join('.')
          .replace(/^[^.]+/, Buffer.from('{"alg":"none"}').toString('base64url'))}.`,
    ],
  ];
  it.each(bad)('%s: 401 on every route', async (_name, make) => {
    const token = await make();
    const failed = await failures(
      routes,
      (route) => call(server, route, bearer(token)),
      (a) => a.status === 401 && /error="invalid_token"/.test(a.challenges ?? ''),
    );
    expect(failed).toEqual([]);
  });

  it('as access_token too', async () => {
    const route = routes.find((r) => label(r) === 'GET /flows') as RouteEntry;
    expect(
      (await call(server, route, {}, { access_token: await signJwt(key, { expiresIn: -60 }) })).status,
    ).toBe(401);
    expect((await call(server, route, {}, { access_token: await signJwt(stranger) })).status).toBe(401);
  });
});

describe('revoked and wrong credentials', () => {
  it('a revoked token gets 401 on every route, from the moment it is revoked', async () => {
    const { token, info } = await server.runtime.auth.admin.createToken({
      name: 'short-lived',
      scopes: SCOPES,
    });
    const get = routes.find((r) => label(r) === 'GET /flows') as RouteEntry;
    expect(accepted(await call(server, get, bearer(token)))).toBe(true);
    const revoke = await server.delete(`/auth/tokens/${info.id}`, { headers: bearer(ADMIN_TOKEN) });
    expect(revoke.status).toBe(204);
    const failed = await failures(
      routes,
      (route) => call(server, route, bearer(token)),
      (a) => a.status === 401 && (a.summary === undefined || a.summary.includes('revoked')),
    );
    expect(failed).toEqual([]);
    expect((await call(server, get, {}, { access_token: token })).status).toBe(401);
  });

  it('a wrong password, an unknown user and malformed headers get 401', async () => {
    const get = routes.find((r) => label(r) === 'GET /flows') as RouteEntry;
    expect((await call(server, get, basic(ADMIN_USER, 'wrong password!'))).status).toBe(401);
    expect((await call(server, get, basic('nobody', ADMIN_PASSWORD))).status).toBe(401);
    expect((await call(server, get, { authorization: 'Basic !!!' })).status).toBe(401);
    expect((await call(server, get, { authorization: 'Bearer' })).status).toBe(401);
    expect((await call(server, get, { authorization: 'Digest abc' })).status).toBe(401);
    expect((await call(server, get, bearer('tams_not-a-token'))).status).toBe(401);
  });
});

describe('a static JWT key instead of a JWKS', () => {
  let fixed: TestServer;
  let own: SigningKey;
  beforeAll(async () => {
    own = await signingKey('static');
    fixed = await startAuthServer({
      TAMS_JWT_KEY: own.pem,
      ...JWT_CLAIMS_ENV,
    });
  });
  afterAll(async () => {
    await fixed.close();
  });

  it('accepts its JWTs on every route and refuses others', async () => {
    const good = await signJwt(own);
    const failed = await failures(
      protectedRoutes(fixed),
      (route) => call(fixed, route, bearer(good)),
      accepted,
    );
    expect(failed).toEqual([]);
    const get = protectedRoutes(fixed).find((r) => label(r) === 'GET /flows') as RouteEntry;
    expect((await call(fixed, get, bearer(await signJwt(key)))).status).toBe(401);
    expect((await call(fixed, get, bearer(await signJwt(own, { expiresIn: -3600 })))).status).toBe(401);
  });
});

it('fills every path parameter (sanity of the matrix itself)', () => {
  for (const route of routes) expect(pathOf(route), label(route)).not.toMatch(/[:*]/);
});
