/**
 * Each versioned mount's own OpenAPI document (src/http/swagger.ts, registerMountDocument), as a
 * running server serves it: /tams/v7.0/openapi.json is the root document's TAMS 7.0 part and the
 * extensions every mount serves (HLS, export, the UI's Source summaries), with `servers` at its mount, and passes the 7.0 parity check on its own; /tams/v8.2/openapi.json
 * is 8.2's as far as it goes, and the 8.2 twin of the check (`npm run openapi:check -- --version
 * 8.2`) passes on it, names what is not implemented yet, and fails on what differs in what is.
 * Swagger UI offers the three documents in its selector.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithSpec, DEPARTURES, DEPARTURES_8_2 } from '../scripts/openapi.parity.ts';
import { type Json, type JsonObject, resolveDocument, resolveInMemory } from '../scripts/openapi.refs.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { SPEC_DIR } from './helpers/spec-schemas.ts';
import { SPEC_8_2_DIR } from './helpers/spec82-schemas.ts';

type Operation = { [key: string]: Json | undefined; 'x-tams-extension'?: boolean };
interface Doc {
  info: { version: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonObject> };
  [key: string]: unknown;
}

let server: TestServer;
const served: Record<string, Doc> = {};
beforeAll(async () => {
  server = await startServer({ env: { TAMS_SWAGGER_UI: 'true' } });
  for (const path of ['/openapi.json', '/tams/v7.0/openapi.json', '/tams/v8.2/openapi.json']) {
    const res = await server.get<Doc>(path);
    expect(res.status, path).toBe(200);
    served[path] = res.body;
  }
});
afterAll(async () => {
  await server?.close();
});

const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
  );

describe('/tams/v7.0/openapi.json', () => {
  it("is the root document's TAMS 7.0 part, operation for operation, served at its mount", () => {
    const [rootDoc, mounted] = [served['/openapi.json'] as Doc, served['/tams/v7.0/openapi.json'] as Doc];
    expect(mounted.servers?.map((s) => s.url)).toEqual(['/tams/v7.0']);
    expect(rootDoc).not.toHaveProperty('servers');
    expect(mounted.info.version).toBe('7.0');
    // With the extensions of Flows and Sources that every mount serves (src/app.ts), and only those.
    const everyMount = new Set(['HLS', 'Export', 'UI']);
    const tams = operations(rootDoc).filter(
      ({ op }) =>
        op['x-tams-extension'] !== true || (op.tags as string[] | undefined)?.some((t) => everyMount.has(t)),
    );
    expect(operations(mounted).map(({ key }) => key)).toEqual(tams.map(({ key }) => key));
    for (const { key, op } of operations(mounted)) {
      const [method = '', path = ''] = key.split(' ');
      expect(op, key).toEqual(rootDoc.paths[path]?.[method.toLowerCase()]);
    }
    expect(mounted.components.schemas).toEqual(
      Object.fromEntries(
        Object.entries(rootDoc.components.schemas).filter(([name]) => name in mounted.components.schemas),
      ),
    );
  });

  it('passes the 7.0 parity check on its own, with the same documented departures', () => {
    const spec = resolveDocument(`${SPEC_DIR}TimeAddressableMediaStore.yaml`);
    const errorSchema = resolveDocument(`${SPEC_DIR}schemas/error.json`);
    const doc = served['/tams/v7.0/openapi.json'] as unknown as JsonObject;
    const report = compareWithSpec(spec, resolveInMemory(doc), errorSchema);
    expect(report.differences).toEqual([]);
    expect(report.stale).toEqual([]);
    expect(report.accepted).toEqual(DEPARTURES);
  });
});

describe('/tams/v8.2/openapi.json and the 8.2 parity check', () => {
  const spec = resolveDocument(`${SPEC_8_2_DIR}TimeAddressableMediaStore.yaml`);
  const errorSchema = resolveDocument(`${SPEC_8_2_DIR}schemas/error.json`);
  const check = (mutate: (doc: Doc) => void = () => {}) => {
    const copy = structuredClone(served['/tams/v8.2/openapi.json']) as Doc;
    mutate(copy);
    return compareWithSpec(
      spec,
      resolveInMemory(copy as unknown as JsonObject),
      errorSchema,
      DEPARTURES_8_2,
      {
        label: '8.2',
        partial: true,
      },
    );
  };

  it('is the committed openapi/v8.2/tams-server.json, served at its mount', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../openapi/v8.2/tams-server.json', import.meta.url), 'utf8'),
    );
    expect(JSON.stringify(served['/tams/v8.2/openapi.json']) === JSON.stringify(committed)).toBe(true);
    expect(served['/tams/v8.2/openapi.json']?.servers?.map((s) => s.url)).toEqual(['/tams/v8.2']);
    expect(served['/tams/v8.2/openapi.json']?.info.version).toBe('8.2');
  });

  it('passes, with every operation of 8.2 implemented', () => {
    const report = check();
    expect(report.differences).toEqual([]);
    expect(report.stale).toEqual([]);
    expect(report.accepted).toEqual(DEPARTURES_8_2);
    expect(report.specOperations).toBe(85);
    const implemented = [
      'GET /',
      'HEAD /',
      'GET /service',
      'HEAD /service',
      // Sources and Flows (src/sources/, src/flows/): listings, details, Flow PUT/DELETE and
      // every property endpoint.
      ...['/flows', '/sources', '/flows/{flowId}', '/sources/{sourceId}'].flatMap((path) => [
        `GET ${path}`,
        `HEAD ${path}`,
      ]),
      'PUT /flows/{flowId}',
      'DELETE /flows/{flowId}',
      ...['flows/{flowId}', 'sources/{sourceId}'].flatMap((owner) => [
        `GET /${owner}/tags`,
        `HEAD /${owner}/tags`,
        ...['GET', 'HEAD', 'PUT', 'DELETE'].map((method) => `${method} /${owner}/tags/{name}`),
      ]),
      // Webhooks (src/webhooks/webhooks.v8.routes.ts).
      ...['GET', 'HEAD', 'POST'].map((m) => `${m} /service/webhooks`),
      ...['GET', 'HEAD', 'PUT', 'DELETE'].map((m) => `${m} /service/webhooks/{webhookId}`),
      ...['description', 'label'].flatMap((key) =>
        ['GET', 'HEAD', 'PUT', 'DELETE'].map((method) => `${method} /sources/{sourceId}/${key}`),
      ),
      ...['description', 'label', 'flow_collection', 'max_bit_rate', 'avg_bit_rate'].flatMap((key) =>
        ['GET', 'HEAD', 'PUT', 'DELETE'].map((method) => `${method} /flows/{flowId}/${key}`),
      ),
      ...['GET', 'HEAD', 'PUT'].map((method) => `${method} /flows/{flowId}/read_only`),
      // Segments and objects (src/segments/segments.routes.ts, src/objects/objects.routes.ts).
      ...['GET', 'HEAD', 'POST', 'DELETE'].map((m) => `${m} /flows/{flowId}/segments`),
      ...['GET', 'HEAD'].map((m) => `${m} /objects/{objectId}`),
      // Storage (src/storage/storage.routes.ts).
      'POST /flows/{flowId}/storage',
      // Object instances (src/objects/objects.instances.routes.ts).
      ...['POST', 'DELETE'].map((m) => `${m} /objects/{objectId}/instances`),
    ];
    // Service, storage backends, Profiles and deletion requests (i49-svcmisc).
    implemented.push('POST /service');
    implemented.push('GET /service/storage-backends', 'HEAD /service/storage-backends');
    implemented.push('GET /flow-delete-requests', 'HEAD /flow-delete-requests');
    implemented.push('GET /flow-delete-requests/{request-id}', 'HEAD /flow-delete-requests/{request-id}');
    implemented.push('GET /service/profiles', 'HEAD /service/profiles', 'POST /service/profiles/{profileId}');
    implemented.push('GET /service/profiles/{profileId}', 'HEAD /service/profiles/{profileId}');
    expect(new Set(implemented).size).toBe(85);
    expect(report.notImplemented).toEqual([]);
  });

  it('fails on a difference in what is implemented, naming it against 8.2', () => {
    const report = check((doc) => {
      const service = doc.components.schemas.Service as { required: string[] };
      service.required = service.required.filter((name) => name !== 'min_object_timeout');
      const op = doc.paths['/service']?.get as Operation;
      op.operationId = 'GET_service_info';
    });
    expect(report.differences).toEqual([
      'GET /service: operationId GET_service_info, 8.2 has GET_service',
      'GET /service: response 200 (application/json): required property min_object_timeout missing',
    ]);
  });

  it('lists an operation left out as not implemented, not as a difference', () => {
    const report = check((doc) => {
      delete doc.paths['/service']?.head;
    });
    expect(report.differences).toEqual([]);
    expect(report.notImplemented).toContain('HEAD /service');
  });
});

describe('Swagger UI', () => {
  it('offers the three documents in its selector, the root one first', async () => {
    const init = await (await fetch(`${server.url}/docs/static/swagger-initializer.js`)).text();
    const urls = [...init.matchAll(/"url":\s*"([^"]+)",\s*"name":\s*"([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(urls).toEqual([
      ['../openapi.json', 'TAMS 7.0 at / (with the tams-server extensions)'],
      ['../tams/v7.0/openapi.json', 'TAMS 7.0 at /tams/v7.0'],
      ['../tams/v8.2/openapi.json', 'TAMS 8.2 at /tams/v8.2'],
    ]);
    // Each, resolved as the browser resolves it from the page at /docs/ (or /docs), is its document.
    for (const page of ['/docs/', '/docs']) {
      for (const [url] of urls) {
        const res = await fetch(new URL(url as string, `${server.url}${page}`));
        expect(res.status, `${page} ${url}`).toBe(200);
        const doc = (await res.json()) as Doc;
        expect(doc.info.version).toBe((url as string).includes('v8.2') ? '8.2' : '7.0');
      }
    }
  });
});
