/**
 * The 7.0 parity check (`npm run openapi:check`, scripts/openapi.parity.ts): it passes on the
 * committed document, and it fails when the document loses or changes what 7.0 declares: an
 * operation removed, a parameter renamed, and the other kinds of difference it looks for.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithSpec, DEPARTURES } from '../scripts/openapi.parity.ts';
import { type Json, type JsonObject, resolveDocument, resolveInMemory } from '../scripts/openapi.refs.ts';
import { SPEC_DIR } from './helpers/spec-schemas.ts';

const spec = resolveDocument(`${SPEC_DIR}TimeAddressableMediaStore.yaml`);
const errorSchema = resolveDocument(`${SPEC_DIR}schemas/error.json`);
const committed = JSON.parse(
  readFileSync(new URL('../openapi/tams-server.json', import.meta.url), 'utf8'),
) as JsonObject;

/** The parity report of a copy of the committed document, changed by `mutate` first. */
function check(mutate: (doc: DocView) => void = () => {}) {
  const copy = structuredClone(committed) as DocView;
  mutate(copy);
  return compareWithSpec(spec, resolveInMemory(copy as JsonObject), errorSchema);
}

interface OperationView {
  parameters?: { name: string; in: string; schema?: Record<string, Json> }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, Json> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, Json> }> }>;
  tags?: string[];
  'x-tams-extension'?: boolean;
  [key: string]: unknown;
}
type DocView = { paths: Record<string, Record<string, OperationView>>; [key: string]: unknown };

function op(doc: DocView, method: string, path: string): OperationView {
  const found = doc.paths[path]?.[method];
  if (!found) throw new Error(`no ${method} ${path} in the committed document`);
  return found;
}

describe('the 7.0 parity check', () => {
  it('passes on the committed document, with the documented departures alone', () => {
    const report = check();
    expect(report.differences).toEqual([]);
    expect(report.stale).toEqual([]);
    expect(report.accepted).toEqual(DEPARTURES);
  });

  it('fails when an operation of 7.0 is removed', () => {
    const report = check((doc) => {
      delete doc.paths['/flows/{flowId}/segments']?.delete;
    });
    expect(report.differences).toEqual(['DELETE /flows/{flowId}/segments: operation missing']);
  });

  it('fails when a whole path of 7.0 is removed', () => {
    const report = check((doc) => {
      delete doc.paths['/flow-delete-requests'];
    });
    expect(report.differences).toEqual([
      'GET /flow-delete-requests: operation missing',
      'HEAD /flow-delete-requests: operation missing',
    ]);
  });

  it('fails when a parameter is renamed', () => {
    const report = check((doc) => {
      const param = op(doc, 'get', '/flows').parameters?.find((p) => p.name === 'source_id');
      if (param) param.name = 'sourceId';
    });
    expect(report.differences).toEqual([
      'GET /flows: parameter source_id (query) missing',
      'GET /flows: parameter sourceId (query) added',
    ]);
  });

  it('fails when a path parameter is renamed with its path', () => {
    const report = check((doc) => {
      const item = doc.paths['/objects/{objectId}'];
      if (!item) throw new Error('no /objects/{objectId}');
      for (const operation of Object.values(item)) {
        for (const p of operation.parameters ?? []) if (p.name === 'objectId') p.name = 'id';
      }
      delete doc.paths['/objects/{objectId}'];
      doc.paths['/objects/{id}'] = item;
    });
    expect(report.differences).toEqual(
      expect.arrayContaining([
        'GET /objects/{objectId}: operation missing',
        'HEAD /objects/{objectId}: operation missing',
        'GET /objects/{id}: not in 7.0, and not marked x-tams-extension',
      ]),
    );
  });

  it("fails on a parameter's place, type, default or requirement changed, and on one added", () => {
    const report = check((doc) => {
      const params = op(doc, 'get', '/flows/{flowId}/segments').parameters ?? [];
      const byName = (name: string) => params.find((p) => p.name === name);
      const reverse = byName('reverse_order');
      if (reverse?.schema) reverse.schema.default = true;
      const limit = byName('limit');
      if (limit?.schema) limit.schema.type = 'string';
      const page = byName('page');
      if (page) page.in = 'header';
      params.push({ name: 'sort', in: 'query', schema: { type: 'string' } });
      const timerange = byName('timerange');
      if (timerange) Object.assign(timerange, { required: true });
    });
    expect(report.differences).toEqual([
      'GET /flows/{flowId}/segments: parameter timerange (query): required true, 7.0 has false',
      'GET /flows/{flowId}/segments: parameter reverse_order (query): default true, 7.0 has false',
      'GET /flows/{flowId}/segments: parameter page (query) missing',
      'GET /flows/{flowId}/segments: parameter limit (query): type string, 7.0 has integer',
      'GET /flows/{flowId}/segments: parameter page (header) added',
      'GET /flows/{flowId}/segments: parameter sort (query) added',
    ]);
  });

  it('fails on a response status removed or added, and on a request body changed deep down', () => {
    const report = check((doc) => {
      const put = op(doc, 'put', '/flows/{flowId}');
      delete put.responses['403'];
      put.responses['409'] = {};
      // The request body is a Flow, whose video branch is the named component FlowVideo: changed
      // there, it changes in every operation that takes or answers a Flow.
      const schemas = (doc.components as { schemas: Record<string, { allOf?: unknown[] }> }).schemas;
      const own = schemas.FlowVideo?.allOf?.[1] as
        | { properties?: Record<string, { required?: string[] }> }
        | undefined;
      const essence = own?.properties?.essence_parameters;
      if (essence) essence.required = ['frame_width'];
    });
    const missing = '<alternative 1>.essence_parameters: required property frame_height missing';
    expect(report.differences).toEqual([
      `GET /flows: response 200 (application/json)[]${missing}`,
      `GET /flows/{flowId}: response 200 (application/json)${missing}`,
      `PUT /flows/{flowId}: request body (application/json)${missing}`,
      'PUT /flows/{flowId}: response 403 missing',
      'PUT /flows/{flowId}: response 409 added',
      `PUT /flows/{flowId}: response 201 (application/json)${missing}`,
    ]);
  });

  it('fails on an extension without its marker or its own tag, and on a 7.0 operation marked as one', () => {
    const report = check((doc) => {
      const search = op(doc, 'get', '/search');
      delete search['x-tams-extension'];
      op(doc, 'get', '/health').tags = ['Service'];
      op(doc, 'get', '/sources')['x-tams-extension'] = true;
    });
    expect(report.differences).toEqual([
      'GET /sources: marked x-tams-extension',
      "GET /health: not in 7.0, and tagged Service rather than an extension's tag",
      'GET /search: not in 7.0, and not marked x-tams-extension',
    ]);
  });

  it('reports a listed departure that no longer occurs as stale', () => {
    const report = check((doc) => {
      delete op(doc, 'delete', '/flows/{flowId}/label').responses['403'];
    });
    expect(report.differences).toEqual([]);
    expect(report.stale.map((d) => d.differences)).toEqual([
      ['DELETE /flows/{flowId}/label: response 403 added'],
    ]);
  });
});

describe("resolving the spec's $refs", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tams-openapi-refs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('follows references across files, relative to the file holding them, keeping sibling keywords', () => {
    writeFileSync(
      join(dir, 'api.yaml'),
      [
        'paths:',
        '  /x:',
        '    get:',
        '      parameters:',
        "        - $ref: '#/components/parameters/range'",
        'components:',
        '  parameters:',
        '    range:',
        '      name: range',
        '      in: query',
        '      schema:',
        '        default: _',
        "        $ref: 'schemas/range.json'",
      ].join('\n'),
    );
    const schemas = join(dir, 'schemas');
    mkdirSync(schemas);
    writeFileSync(
      join(schemas, 'range.json'),
      JSON.stringify({ allOf: [{ $ref: 'base.json#/definitions/s' }] }),
    );
    writeFileSync(join(schemas, 'base.json'), JSON.stringify({ definitions: { s: { type: 'string' } } }));
    const doc = resolveDocument(join(dir, 'api.yaml'));
    expect((doc.paths as JsonObject)['/x']).toEqual({
      get: {
        parameters: [{ name: 'range', in: 'query', schema: { allOf: [{ type: 'string' }], default: '_' } }],
      },
    });
  });

  it('refuses a reference cycle', () => {
    writeFileSync(join(dir, 'loop.json'), JSON.stringify({ a: { $ref: '#/b' }, b: { $ref: '#/a' } }));
    expect(() => resolveDocument(join(dir, 'loop.json'))).toThrow(/\$ref cycle/);
  });
});
