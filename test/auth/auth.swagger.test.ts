/**
 * Swagger UI can authorise, checked without a browser: the page and the document it loads are
 * public, the document declares the spec's three security schemes with global security (what
 * gives Swagger UI its "Authorize" button), and the requests Swagger UI then sends succeed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TestServer } from '../helpers/server.ts';
import { SPEC_DIR } from '../helpers/spec-schemas.ts';
import { videoFlow } from '../http/fixtures.ts';
import { ADMIN_PASSWORD, ADMIN_TOKEN, ADMIN_USER, basic, bearer, startAuthServer } from './auth.fixture.ts';

interface Doc {
  components?: { securitySchemes?: Record<string, Record<string, unknown>> };
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, { security?: unknown[] }>>;
}

const spec = parse(readFileSync(`${SPEC_DIR}TimeAddressableMediaStore.yaml`, 'utf8')) as Doc;

let server: TestServer;
let doc: Doc;
beforeAll(async () => {
  server = await startAuthServer({});
  // What Swagger UI loads (swagger-initializer.js: `url: resolveUrl('./json')`), without credentials.
  const res = await fetch(`${server.url}/docs/json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
});
afterAll(async () => {
  await server.close();
});

describe('the OpenAPI document', () => {
  it('declares the three security schemes under the spec names, with the spec types', () => {
    const ours = doc.components?.securitySchemes ?? {};
    const theirs = spec.components?.securitySchemes ?? {};
    expect(Object.keys(ours).sort()).toEqual(['basic_auth', 'bearer_token_auth', 'url_token_auth']);
    for (const [name, scheme] of Object.entries(theirs)) {
      const { description: _ours, ...oursShape } = ours[name] ?? {};
      const { description: _theirs, ...theirsShape } = scheme;
      expect(oursShape, name).toEqual(theirsShape);
    }
  });

  it('requires one of them globally, as the spec does, and only the public operations routes opt out', () => {
    expect(doc.security).toEqual(spec.security);
    expect(doc.security).toEqual([{ bearer_token_auth: [] }, { url_token_auth: [] }, { basic_auth: [] }]);
    const PUBLIC = ['/health', '/ready', '/metrics'];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.security, `${method} ${path}`).toEqual(PUBLIC.includes(path) ? [] : undefined);
      }
    }
  });

  it('is the same at /openapi.json', async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Doc).components?.securitySchemes).toEqual(doc.components?.securitySchemes);
  });
});

describe('Swagger UI', () => {
  it('loads without credentials and keeps the authorisation across reloads', async () => {
    const page = await fetch(`${server.url}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-initializer.js');
    const init = await (await fetch(`${server.url}/docs/static/swagger-initializer.js`)).text();
    expect(init).toContain("resolveUrl('./json')");
    expect(init).toMatch(/"persistAuthorization":\s*true/);
  });

  it('calls the API with the bearer token entered in Authorize, as Authorization: Bearer', async () => {
    // Swagger UI sends the `http`/`bearer` scheme as this header on every operation.
    const headers = bearer(ADMIN_TOKEN);
    expect((await server.get('/service')).status).toBe(401);
    expect((await server.get('/service', { headers })).status).toBe(200);
    const flow = videoFlow();
    const put = await server.put(`/flows/${flow.id}`, flow, { headers });
    expect(put.status).toBe(201);
    expect((await server.get(`/flows/${flow.id}`, { headers })).status).toBe(200);
  });

  it('and with the other two schemes as Swagger UI sends them', async () => {
    expect((await server.get('/service', { query: { access_token: ADMIN_TOKEN } })).status).toBe(200);
    expect((await server.get('/service', { headers: basic(ADMIN_USER, ADMIN_PASSWORD) })).status).toBe(200);
  });
});
