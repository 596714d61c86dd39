/**
 * Authentication and scopes apply to every API mount as to the root: a route under /tams/v7.0 or
 * /tams/v8.2 needs what the same path needs at `/` (POST /service is for administrators, a
 * webhook registration needs read as well as write), a read-only credential cannot write
 * through a mount either, and only each mount's OpenAPI document is open without credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes } from '../../src/auth/auth.hook.ts';
import { pathInMount } from '../../src/http/api.version.ts';
import { mountClient } from '../helpers/mounts.ts';
import type { TestServer } from '../helpers/server.ts';
import { type Doc, videoFlow } from '../http/fixtures.ts';
import { ADMIN_TOKEN, bearer, startAuthServer } from './auth.fixture.ts';

let server: TestServer;
let readOnly: Record<string, string>;
let writer: Record<string, string>;
const admin = bearer(ADMIN_TOKEN);
beforeAll(async () => {
  server = await startAuthServer({});
  const tokens = server.runtime.auth.admin;
  readOnly = bearer((await tokens.createToken({ name: 'reader', scopes: ['read'] })).token);
  writer = bearer((await tokens.createToken({ name: 'writer', scopes: ['read', 'write', 'delete'] })).token);
});
afterAll(async () => {
  await server?.close();
});

describe('every mount', () => {
  it('gives each route the policy of the same path at the root', () => {
    const routes = registeredRoutes(server.app);
    const atRoot = new Map(routes.map((r) => [`${r.method} ${r.url}`, r.policy]));
    const mounted = routes.filter((r) => pathInMount(r.url) !== r.url);
    // 7.0's operations again, 8.2's so far, and each mount's document.
    expect(mounted.length).toBeGreaterThan(70);
    const differing = mounted
      .filter((r) => {
        const twin = atRoot.get(`${r.method} ${pathInMount(r.url)}`);
        return twin !== undefined && twin !== r.policy;
      })
      .map((r) => `${r.method} ${r.url}: ${r.policy}`);
    expect(differing).toEqual([]);
    const policy = (label: string) => routes.find((r) => `${r.method} ${r.url}` === label)?.policy;
    expect(policy('POST /tams/v7.0/service')).toBe('admin');
    expect(policy('POST /tams/v7.0/service/webhooks')).toBe('method+read');
    expect(policy('GET /tams/v8.2/service')).toBe('method');
    // 8.2's own webhook paths: changing one needs read too (it then receives what readers see).
    expect(policy('POST /tams/v8.2/service/webhooks')).toBe('method+read');
    expect(policy('PUT /tams/v8.2/service/webhooks/:webhookId')).toBe('method+read');
    expect(policy('DELETE /tams/v8.2/service/webhooks/:webhookId')).toBe('method');
    expect(policy('GET /tams/v7.0/openapi.json')).toBe('public');
    expect(policy('GET /tams/v8.2/openapi.json')).toBe('public');
  });

  it('refuses a read-only credential every write through /tams/v7.0, as at the root', async () => {
    const v7 = mountClient(server, '/tams/v7.0');
    const flow = videoFlow();
    expect((await v7.get('/flows', { headers: readOnly })).status).toBe(200);
    for (const [method, path, body] of [
      ['PUT', `/flows/${flow.id}`, flow],
      ['POST', `/flows/${flow.id}/storage`, { limit: 1 }],
      ['DELETE', `/flows/${flow.id}`, undefined],
      ['POST', '/service/webhooks', { url: 'https://hooks.example.test/', events: ['flows/created'] }],
    ] as const) {
      const res = await v7.request<Doc>(method, path, { headers: readOnly, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.summary, `${method} ${path}`).toContain('Insufficient scope');
      // The same request at the root is refused the same way.
      expect((await server.request(method, path, { headers: readOnly, body })).status).toBe(403);
    }
    // Writing is not administering: the service settings are the admin scope's through a mount too.
    expect((await v7.post('/service', { name: 'x' }, { headers: writer })).status).toBe(403);
    expect((await v7.post('/service', { name: 'x' }, { headers: admin })).status).toBe(200);
    expect((await v7.put(`/flows/${flow.id}`, flow, { headers: writer })).status).toBe(201);
  });

  it('needs credentials on every mount, but for its OpenAPI document', async () => {
    for (const path of ['/tams/v7.0/service', '/tams/v7.0/flows', '/tams/v8.2/service', '/tams/v8.2/']) {
      const res = await server.get<Doc>(path);
      expect(res.status, path).toBe(401);
      expect(res.body.type, path).toBe('Unauthorized');
      expect(res.headers.get('www-authenticate'), path).toContain('Bearer realm="tams"');
    }
    expect((await server.get('/tams/v8.2/service', { headers: readOnly })).status).toBe(200);
    for (const path of ['/tams/v7.0/openapi.json', '/tams/v8.2/openapi.json']) {
      expect((await server.get(path)).status, path).toBe(200);
    }
  });
});
