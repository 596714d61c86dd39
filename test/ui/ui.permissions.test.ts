/**
 * The web UI offers a write action exactly when the API accepts it: each action of
 * ui/src/writes/permissions.ts names a route, and needs the scopes that route's policy needs,
 * read from the routes the server registers (src/auth/auth.hook.ts), not written again here;
 * under either scope mapping (TAMS_AUTH_SCOPE_MAP), which /auth/whoami tells the UI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neededScopes, registeredRoutes } from '../../src/auth/auth.hook.ts';
import { ROUTES } from '../../ui/src/writes/permissions.routes.ts';
import { type ActionName, APPNOTE_SCOPES, allowed, SCOPES_NEEDED } from '../../ui/src/writes/permissions.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import type { TestServer } from '../helpers/server.ts';

describe('web UI write actions and the API routes they call', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startAuthServer({ TAMS_RECORDER: 'true', TAMS_REPLICATION: 'true' });
  });
  afterAll(async () => server?.close());

  for (const [name, scopes] of Object.entries(SCOPES_NEEDED)) {
    const called = ROUTES[name as ActionName];
    it(`${name}: ${called} needs what the API asks`, () => {
      const [method, url] = called.split(' ');
      const route = registeredRoutes(server.app).find((r) => r.method === method && r.url === url);
      expect(route, `${called} is not a route of the server`).toBeDefined();
      if (route === undefined) return;
      expect([...scopes].sort()).toEqual(neededScopes(route.policy, route.method).sort());
    });
  }

  it('offers an action only when every scope it needs is granted', () => {
    expect(allowed({ scopes: ['read', 'write'] }, 'webhookCreate')).toBe(true);
    expect(allowed({ scopes: ['write'] }, 'webhookCreate')).toBe(false);
    expect(allowed({ scopes: ['read', 'write'] }, 'flowDelete')).toBe(false);
    expect(allowed({ scopes: ['read', 'write', 'delete'] }, 'tokenCreate')).toBe(false);
    expect(allowed(undefined, 'flowLabelPut')).toBe(false);
  });
});

describe("web UI write actions under AppNote 0016's scope mapping", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startAuthServer({
      TAMS_AUTH_SCOPE_MAP: 'appnote-0016',
      TAMS_RECORDER: 'true',
      TAMS_REPLICATION: 'true',
    });
  });
  afterAll(async () => server?.close());

  const sorted = (sets: readonly (readonly string[])[]) =>
    sets.map((set) => [...set].sort().join(' ')).sort();

  for (const [name, anyOf] of Object.entries(APPNOTE_SCOPES)) {
    const called = ROUTES[name as ActionName];
    it(`${name}: ${called} needs what the API asks`, () => {
      const [method, url] = called.split(' ');
      const route = registeredRoutes(server.app).find((r) => r.method === method && r.url === url);
      expect(route, `${called} is not a route of the server`).toBeDefined();
      if (route === undefined) return;
      const api = route.anyOf ?? [neededScopes(route.policy, route.method)];
      expect(sorted(anyOf)).toEqual(sorted(api));
    });
  }

  it('whoami tells the UI which mapping the server follows', async () => {
    const res = await fetch(`${server.url}/auth/whoami`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ scope_map: 'appnote-0016' });
  });

  it('offers an action when one of its alternatives is granted', () => {
    const appnote = 'appnote-0016' as const;
    expect(allowed({ scopes: ['write'], scope_map: appnote }, 'flowLabelDelete')).toBe(true);
    expect(allowed({ scopes: ['read', 'delete'], scope_map: appnote }, 'flowLabelDelete')).toBe(false);
    expect(allowed({ scopes: ['admin'], scope_map: appnote }, 'flowDelete')).toBe(true);
    expect(allowed({ scopes: ['read', 'write', 'delete'], scope_map: appnote }, 'deletionList')).toBe(false);
    expect(allowed({ scopes: ['read', 'delete'] }, 'flowLabelDelete')).toBe(true);
  });
});
