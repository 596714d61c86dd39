/**
 * A TAMS spec's own JSON schemas (the `api/` folder of bbc/tams at a tag: the OpenAPI file, its
 * schema files and examples), compiled with Ajv, as the oracle of tests: `specOracle(apiDir)`.
 * test/helpers/spec-schemas.ts binds it to the 7.0 spec, test/helpers/spec82-schemas.ts to the
 * 8.2 spec; the spec gate (spec-gate.ts) leaves out the tests of a spec this machine lacks.
 *
 * Names:
 * - a schema file, `'flow.json'` (or `'flow'`); suffix `[]` for an array of it (`'flow.json[]'`),
 *   which is how the OpenAPI file declares list responses;
 * - `'components/uuid'`, `'components/contentformat'`, `'components/mimetype'`;
 * - `'webhooks/<event type>'`, e.g. `'webhooks/flows/created'`: the event payload schemas.
 *
 * The 7.0 spec's `flows/segments_deleted` payload says `event_type: const flows/segments_added`
 * (a 7.0 typo, fixed in 8.0). `webhooks/flows/segments_deleted` uses the corrected const, which
 * is what the server sends; `webhooks-7.0/flows/segments_deleted` is the verbatim schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parse } from 'yaml';

type JsonObject = { [key: string]: unknown };

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

interface OpenApi {
  components: { schemas: Record<string, JsonObject> };
  webhooks: Record<
    string,
    { post: { requestBody: { content: { 'application/json': { schema: JsonObject } } } } }
  >;
}

/**
 * Rewrites the OpenAPI file's references so Ajv can resolve them: `schemas/x.json` to the schema
 * registered as `x.json`, and `#/components/schemas/y` inlined (it only makes sense in the YAML).
 */
function rewriteRefs(node: unknown, components: Record<string, JsonObject>): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, components));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const component = /^#\/components\/schemas\/(.+)$/.exec(value)?.[1];
      if (component !== undefined) {
        const target = components[component];
        if (!target) throw new Error(`unknown component ${value}`);
        Object.assign(out, target);
        continue;
      }
      out.$ref = value.replace(/^schemas\//, '');
      continue;
    }
    out[key] = rewriteRefs(value, components);
  }
  return out;
}

export interface SpecOracle {
  /** The spec's `api/` folder, with a trailing separator. */
  dir: string;
  specSchemaNames(): string[];
  specExampleNames(): string[];
  /** A fresh copy of one of the spec's example documents, e.g. `specExample('flow-put.json')`. */
  specExample(file: string): unknown;
  /** A predicate that says whether `doc` is valid against the named spec schema. */
  specValidator(name: string): (doc: unknown) => boolean;
  /** Ajv's errors for `doc` against the named spec schema; empty when it is valid. */
  specErrors(name: string, doc: unknown): ErrorObject[];
  /** Throws a readable error unless `doc` is valid against the named spec schema. */
  assertSpecValid(name: string, doc: unknown): void;
}

/** The oracle of the spec whose `api/` folder is `dir` (with a trailing separator). */
export function specOracle(dir: string): SpecOracle {
  const specSchemaNames = () =>
    readdirSync(`${dir}schemas`)
      .filter((f) => f.endsWith('.json'))
      .sort();

  const specExampleNames = () =>
    readdirSync(`${dir}examples`)
      .filter((f) => f.endsWith('.json'))
      .sort();

  let openApi: OpenApi | undefined;
  const loadOpenApi = (): OpenApi => {
    openApi ??= parse(readFileSync(`${dir}TimeAddressableMediaStore.yaml`, 'utf8')) as OpenApi;
    return openApi;
  };

  let ajv: Ajv2020 | undefined;
  const specAjv = (): Ajv2020 => {
    if (ajv) return ajv;
    // 2020-12, the dialect of OpenAPI 3.1: the schemas use `unevaluatedProperties`. Not strict: the
    // spec has keywords strict mode objects to (e.g. `additionalProperties` on an array schema).
    const instance = new Ajv2020({ strict: false, allErrors: true });
    ajvFormats.default(instance);
    for (const file of specSchemaNames()) {
      instance.addSchema(readJson(`${dir}schemas/${file}`) as JsonObject, file);
    }
    ajv = instance;
    return instance;
  };

  const resolveSchema = (name: string): JsonObject => {
    if (name.endsWith('[]')) return { type: 'array', items: resolveSchema(name.slice(0, -2)) };
    const { components, webhooks } = loadOpenApi();
    if (name.startsWith('components/')) {
      const component = components.schemas[name.slice('components/'.length)];
      if (!component) throw new Error(`unknown spec component ${name}`);
      return component;
    }
    const verbatim = name.startsWith('webhooks-7.0/');
    if (verbatim || name.startsWith('webhooks/')) {
      const eventType = name.slice(name.indexOf('/') + 1);
      const hook = webhooks[eventType];
      if (!hook) throw new Error(`unknown spec webhook ${name}`);
      const schema = rewriteRefs(
        hook.post.requestBody.content['application/json'].schema,
        components.schemas,
      ) as {
        properties: { event_type: JsonObject };
      };
      if (!verbatim) schema.properties.event_type = { ...schema.properties.event_type, const: eventType };
      return schema as unknown as JsonObject;
    }
    const file = name.endsWith('.json') ? name : `${name}.json`;
    if (!specSchemaNames().includes(file)) throw new Error(`unknown spec schema ${name}`);
    return { $ref: file };
  };

  const validators = new Map<string, ValidateFunction>();
  const compiled = (name: string): ValidateFunction => {
    let validate = validators.get(name);
    if (!validate) {
      validate = specAjv().compile(resolveSchema(name));
      validators.set(name, validate);
    }
    return validate;
  };

  const specErrors = (name: string, doc: unknown): ErrorObject[] => {
    const validate = compiled(name);
    return validate(doc) ? [] : [...(validate.errors ?? [])];
  };

  return {
    dir,
    specSchemaNames,
    specExampleNames,
    specExample: (file) => readJson(`${dir}examples/${file}`),
    specValidator: (name) => {
      const validate = compiled(name);
      return (doc) => validate(doc) === true;
    },
    specErrors,
    assertSpecValid: (name, doc) => {
      const errors = specErrors(name, doc);
      if (errors.length === 0) return;
      const lines = errors.map(
        (e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
      );
      throw new Error(
        `document is not a valid ${name}:\n${lines.join('\n')}\n${JSON.stringify(doc, null, 2)}`,
      );
    },
  };
}
