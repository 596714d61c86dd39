/**
 * The served OpenAPI document carries the TAMS 7.0 document's own examples on the request bodies
 * and responses of the same operations (src/http/openapi.examples.ts), so Swagger UI shows a real
 * Flow rather than values it makes up from 497 patterns; src/http/openapi.examples.json, which
 * holds them, is what `npm run openapi:examples` takes from the spec; and each example is valid
 * against the schema the document gives beside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../scripts/openapi.document.ts';
import { EXAMPLES_FILE, type MediaExamples, specExamples } from '../scripts/openapi.examples.ts';
import { type JsonObject, resolveInMemory } from '../scripts/openapi.refs.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { SPEC_DIR, specExample } from './helpers/spec-schemas.ts';

type Media = { schema?: unknown; example?: unknown; examples?: Record<string, { value: unknown }> };
interface Operation {
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
type Paths = Record<string, Record<string, Operation>>;

const committed = JSON.parse(readFileSync(join(REPO_ROOT, EXAMPLES_FILE), 'utf8')) as ReturnType<
  typeof specExamples
>['examples'];

let server: TestServer;
let doc: JsonObject;
let paths: Paths;
beforeAll(async () => {
  server = await startServer();
  const res = await server.get<JsonObject>('/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
  paths = doc.paths as unknown as Paths;
});
afterAll(async () => {
  await server.close();
});

/** Every media type of the document that carries an example: where, its schema, its values. */
function examplesIn(doc: { paths: Paths }): { at: string; schema: unknown; values: unknown[] }[] {
  const found: { at: string; schema: unknown; values: unknown[] }[] = [];
  const add = (at: string, content: Record<string, Media> | undefined) => {
    for (const [type, media] of Object.entries(content ?? {})) {
      const values = [
        ...(media.example === undefined ? [] : [media.example]),
        ...Object.values(media.examples ?? {}).map((e) => e.value),
      ];
      if (values.length > 0) found.push({ at: `${at} ${type}`, schema: media.schema, values });
    }
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      add(`${method.toUpperCase()} ${path} request body`, op.requestBody?.content);
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        add(`${method.toUpperCase()} ${path} ${status}`, response.content);
      }
    }
  }
  return found;
}

describe("the spec's examples in the OpenAPI document", () => {
  it(`are what \`npm run openapi:examples\` takes from the spec (${EXAMPLES_FILE})`, () => {
    const { examples, rejected } = specExamples(SPEC_DIR);
    expect(JSON.stringify(committed) === JSON.stringify(examples), 'run `npm run openapi:examples`').toBe(
      true,
    );
    // The two Flows whose `created` has no time zone, which 7.0's own flow.json rejects.
    expect(rejected).toEqual([
      'GET /flows/{flowId} response 200: ttml',
      'GET /flows/{flowId} response 200: multi',
    ]);
  });

  it('are on the request bodies and responses of their operations', () => {
    const expected: string[] = [];
    for (const [key, op] of Object.entries(committed.operations)) {
      const [method = '', path = ''] = key.split(' ');
      const served = paths[path]?.[method.toLowerCase()];
      const check = (at: string, media: Media | undefined, examples: MediaExamples) => {
        expected.push(at);
        expect(media, at).toMatchObject(examples);
      };
      for (const [type, examples] of Object.entries(op.requestBody ?? {})) {
        check(`${key} request body ${type}`, served?.requestBody?.content[type], examples);
      }
      for (const [status, content] of Object.entries(op.responses ?? {})) {
        for (const [type, examples] of Object.entries(content)) {
          check(`${key} ${status} ${type}`, served?.responses[status]?.content?.[type], examples);
        }
      }
    }
    expect(examplesIn({ paths }).map((e) => e.at)).toEqual(expect.arrayContaining(expected));
    expect(expected.length).toBeGreaterThan(30);
    // What Swagger UI shows for a Flow's PUT: the spec's own Flows.
    const put = paths['/flows/{flowId}']?.put?.requestBody?.content['application/json']?.examples;
    expect(Object.values(put ?? {}).map((e) => e.value)).toEqual([
      specExample('flow-put.json'),
      specExample('flow-put-multi.json'),
    ]);
  });

  it('are each valid against the schema beside it', () => {
    const ajv = new Ajv2020({ strict: false });
    ajvFormats.default(ajv);
    const resolved = resolveInMemory(doc) as unknown as { paths: Paths };
    const invalid: string[] = [];
    let checked = 0;
    for (const { at, schema, values } of examplesIn(resolved)) {
      const validate = ajv.compile(schema as object);
      for (const value of values) {
        checked++;
        if (!validate(value)) invalid.push(`${at}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(invalid).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });
});
