/**
 * The TAMS 7.0 document's own examples, per operation, as the server attaches them to its OpenAPI
 * document (src/http/openapi.examples.ts): for every operation of 7.0, each request body and
 * response media type's `example` or `examples` (a schema's top-level `example` counts as the
 * media type's, as GET / writes it), with the example files they refer to (`examples/x.json`)
 * read in. An example that the spec's own schema for that body rejects is left out and reported
 * (7.0 has two: Flows whose `created` lacks a time zone, DIGEST.md §13), so every example a user
 * sees is one the server accepts or could answer. `npm run openapi:examples` writes the result to
 * src/http/openapi.examples.json; test/openapi.examples.test.ts checks that file against the spec.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parse } from 'yaml';
import { OPENAPI_FILE } from '../tools/spec-location.ts';
import { isObject, type Json, type JsonObject, resolveDocument } from './openapi.refs.ts';

/** Where the server reads them, relative to the repository root. */
export const EXAMPLES_FILE = 'src/http/openapi.examples.json';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** One media type's examples, in the form OpenAPI gives them. */
export type MediaExamples = { example: Json } | { examples: Record<string, JsonObject> };

export interface OperationExamples {
  requestBody?: Record<string, MediaExamples>;
  responses?: Record<string, Record<string, MediaExamples>>;
}

export interface SpecExamples {
  /** What they are and where they come from: kept in the file for whoever opens it. */
  source: string;
  /** By `<METHOD> <path>`, as the spec writes the path. */
  operations: Record<string, OperationExamples>;
}

/** `{ $ref: 'examples/x.json' }` read from the file, relative to the OpenAPI file. */
function readIn(value: Json, base: string): Json {
  if (isObject(value) && typeof value.$ref === 'string' && Object.keys(value).length === 1) {
    return JSON.parse(readFileSync(resolve(dirname(base), value.$ref), 'utf8')) as Json;
  }
  return value;
}

const entriesOf = (node: Json | undefined): [string, Json][] => (isObject(node) ? Object.entries(node) : []);

function get(node: Json | undefined, ...keys: string[]): Json | undefined {
  let at = node;
  for (const key of keys) at = isObject(at) ? at[key] : undefined;
  return at;
}

/**
 * Every example of the 7.0 OpenAPI document in `apiDir` (its `api/` folder), and the ones left
 * out because the spec's own schema rejects them (as `<METHOD> <path> <where>: <name>`).
 */
export function specExamples(apiDir: string): { examples: SpecExamples; rejected: string[] } {
  const file = join(apiDir, OPENAPI_FILE);
  const raw = parse(readFileSync(file, 'utf8')) as JsonObject;
  const resolved = resolveDocument(file);
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajvFormats.default(ajv);
  const rejected: string[] = [];
  const operations: Record<string, OperationExamples> = {};

  /** The examples of one media type object, those its schema accepts. */
  const mediaExamples = (at: string, media: Json, schema: Json | undefined): MediaExamples | undefined => {
    if (!isObject(media)) return undefined;
    const accepts = isObject(schema) ? ajv.compile(schema) : () => true;
    const keep = (name: string, value: Json) => {
      if (accepts(value)) return true;
      rejected.push(`${at}: ${name}`);
      return false;
    };
    if (isObject(media.examples)) {
      const examples: Record<string, JsonObject> = {};
      for (const [name, example] of Object.entries(media.examples)) {
        if (!isObject(example)) continue;
        const value = readIn(example.value ?? null, file);
        if (keep(name, value)) examples[name] = { ...example, value };
      }
      return Object.keys(examples).length > 0 ? { examples } : undefined;
    }
    const example = media.example ?? get(media, 'schema', 'example');
    if (example === undefined) return undefined;
    const value = readIn(example, file);
    return keep('example', value) ? { example: value } : undefined;
  };

  const paths = isObject(raw.paths) ? raw.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = get(item, method);
      if (!isObject(op)) continue;
      const key = `${method.toUpperCase()} ${path}`;
      const found: OperationExamples = {};
      const requestBody: Record<string, MediaExamples> = {};
      for (const [type, media] of entriesOf(get(op, 'requestBody', 'content'))) {
        const schema = get(resolved, 'paths', path, method, 'requestBody', 'content', type, 'schema');
        const examples = mediaExamples(`${key} request body`, media, schema);
        if (examples) requestBody[type] = examples;
      }
      if (Object.keys(requestBody).length > 0) found.requestBody = requestBody;
      const responses: Record<string, Record<string, MediaExamples>> = {};
      for (const [status, response] of entriesOf(get(op, 'responses'))) {
        const content: Record<string, MediaExamples> = {};
        for (const [type, media] of entriesOf(get(response, 'content'))) {
          const at = ['paths', path, method, 'responses', status, 'content', type, 'schema'];
          const examples = mediaExamples(`${key} response ${status}`, media, get(resolved, ...at));
          if (examples) content[type] = examples;
        }
        if (Object.keys(content).length > 0) responses[status] = content;
      }
      if (Object.keys(responses).length > 0) found.responses = responses;
      if (found.requestBody || found.responses) operations[key] = found;
    }
  }
  return {
    examples: {
      source:
        'The examples of the TAMS 7.0 OpenAPI document (bbc/tams at tag 7.0, api/TimeAddressableMediaStore.yaml and api/examples/, Apache License 2.0), by operation. Generated by `npm run openapi:examples`: do not edit.',
      operations,
    },
    rejected,
  };
}
