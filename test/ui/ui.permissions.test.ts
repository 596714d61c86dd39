/**
 * The web UI offers a write action exactly when the API accepts it: each action of
 * ui/src/writes/permissions.ts names a route, and needs the scopes that route's policy needs,
 * read from the routes the server registers (src/auth/auth.hook.ts), not written again here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neededScopes, registeredRoutes } from '../../src/auth/auth.hook.ts';
import { ROUTES } from '../../ui/src/writes/permissions.routes.ts';
import { type ActionName, allowed, SCOPES_NEEDED } from '../../ui/src/writes/permissions.ts';
import { startAuthServer } from '../auth/auth.fixture.ts';
import type { TestServer } from '../helpers/server.ts';

describe('web UI write actions and the API routes they call', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startAuthServer({});
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
