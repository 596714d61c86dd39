/**
 * The served OpenAPI document names its shared schemas as components and refers to them by
 * `$ref` (src/http/openapi.components.ts, src/app.openapi.ts): each schema file of TAMS 7.0 under
 * its name in PascalCase with the same shape as the spec's, the 7.0 document's own components
 * under their names, each used where the operations use it, so that code generators make named
 * types (Flow, Source, FlowSegment) and the document is a fraction of its size written out.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, type JsonObject, resolveDocument, resolveInMemory } from '../scripts/openapi.refs.ts';
import { compareShapes, shapeOf } from '../scripts/openapi.shapes.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { SPEC_DIR, specSchemaNames } from './helpers/spec-schemas.ts';

type Schema = { [key: string]: Json };
interface Media {
  schema?: Schema;
}
interface Operation {
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** `flow-segment.json` is `FlowSegment`. */
const componentName = (file: string) =>
  file
    .replace(/\.json$/, '')
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** The components of the 7.0 OpenAPI document itself. */
const SPEC_COMPONENTS = ['uuid', 'contentformat', 'mimetype'];

/** Where ours is knowingly not the spec's shape (scripts/openapi.parity.ts, DEPARTURES). */
const SHAPE_DEPARTURES = ['Webhook: property owner, delivery_suspended added'];

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

let server: TestServer;
let doc: Doc;
let text: string;
beforeAll(async () => {
  // Media search, EXR and analytics on (test servers leave them off): every route is in the document.
  server = await startServer({ env: { TAMS_SEARCH: 'true', TAMS_EXR: 'true', TAMS_ANALYTICS: 'true' } });
  const res = await fetch(`${server.url}/openapi.json`);
  expect(res.status).toBe(200);
  text = await res.text();
  doc = JSON.parse(text) as Doc;
});
afterAll(async () => {
  await server.close();
});

function operation(method: string, path: string): Operation {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`no ${method} ${path}`);
  return op;
}
const response = (method: string, path: string, status: string) =>
  operation(method, path).responses[status]?.content?.['application/json']?.schema;
const body = (method: string, path: string) =>
  operation(method, path).requestBody?.content['application/json']?.schema;

describe('the named components of the OpenAPI document', () => {
  it("holds each schema of TAMS 7.0 under its file's name, with the spec's shape", () => {
    const names = specSchemaNames().map(componentName);
    expect(names).toEqual(expect.arrayContaining(['Flow', 'Source', 'FlowSegment', 'Webhook', 'Error']));
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([...names, ...SPEC_COMPONENTS]),
    );
    const ours = resolveInMemory(doc as unknown as JsonObject) as unknown as Doc;
    const differences: string[] = [];
    for (const file of specSchemaNames()) {
      const name = componentName(file);
      const theirs = resolveDocument(join(SPEC_DIR, 'schemas', file));
      compareShapes(shapeOf(theirs), shapeOf(ours.components.schemas[name]), name, differences);
    }
    const spec = resolveDocument(join(SPEC_DIR, 'TimeAddressableMediaStore.yaml')) as unknown as Doc;
    for (const name of SPEC_COMPONENTS) {
      const theirs = spec.components.schemas[name];
      compareShapes(shapeOf(theirs), shapeOf(ours.components.schemas[name]), name, differences);
      expect(ours.components.schemas[name]?.pattern, name).toBe(theirs?.pattern);
    }
    expect(differences).toEqual(SHAPE_DEPARTURES);
  });

  it('is what the operations refer to, wherever they take or answer one', () => {
    expect(response('get', '/flows/{flowId}', '200')).toEqual(ref('Flow'));
    expect(body('put', '/flows/{flowId}')).toEqual(ref('Flow'));
    expect(response('put', '/flows/{flowId}', '201')).toEqual(ref('Flow'));
    expect(response('get', '/flows', '200')).toMatchObject({ type: 'array', items: ref('Flow') });
    expect(response('get', '/sources/{sourceId}', '200')).toEqual(ref('Source'));
    expect(response('get', '/flows/{flowId}/segments', '200')?.items).toEqual(ref('FlowSegment'));
    expect(body('post', '/flows/{flowId}/segments')?.oneOf).toEqual([
      ref('FlowSegmentPost'),
      { type: 'array', items: ref('FlowSegmentPost') },
    ]);
    expect(response('get', '/service/webhooks', '200')?.items).toEqual(ref('Webhook'));
    expect(body('post', '/service/webhooks')).toEqual(ref('WebhookPost'));
    expect(response('get', '/flow-delete-requests/{request-id}', '200')).toEqual(ref('DeletionRequest'));
    expect(response('get', '/flow-delete-requests', '200')).toEqual(ref('DeletionRequestsList'));
    expect(response('get', '/service', '200')).toEqual(ref('Service'));
    expect(response('get', '/objects/{objectId}', '200')).toEqual(ref('Object'));
    expect(response('get', '/flows/{flowId}', '404')).toEqual(ref('ErrorResponse'));
    const flowId = operation('get', '/flows/{flowId}').parameters?.find((p) => p.name === 'flowId');
    expect(flowId?.schema).toEqual(ref('uuid'));
    // The Flow formats are written as 7.0 writes them: flow-core.json and what each adds.
    expect(doc.components.schemas.Flow?.oneOf).toEqual(
      ['FlowVideo', 'FlowAudio', 'FlowImage', 'FlowData', 'FlowMulti'].map(ref),
    );
    const base = (name: string) => (doc.components.schemas[name]?.allOf as Json[] | undefined)?.[0];
    expect(base('FlowVideo')).toEqual(ref('FlowCore'));
    expect(base('ErrorResponse')).toEqual(ref('Error'));
  });

  it('are each referred to, and each reference leads to one', () => {
    const targets = new Set([...text.matchAll(/"\$ref":"([^"]*)"/g)].map((m) => m[1]));
    const names = Object.keys(doc.components.schemas);
    expect([...targets].filter((t) => !names.some((name) => t === `#/components/schemas/${name}`))).toEqual(
      [],
    );
    expect(names.filter((name) => !targets.has(`#/components/schemas/${name}`))).toEqual([]);
  });

  it('make the document a fraction of its size with every reference written out', () => {
    const written = JSON.stringify(resolveInMemory(doc as unknown as JsonObject)).length;
    expect(text.length * 2).toBeLessThan(written);
  });
});
