/**
 * Named component schemas in the OpenAPI document, without touching what the server validates.
 *
 * Routes keep their inline TypeBox schemas: Ajv and fast-json-stringify compile exactly what they
 * compiled before. The shared schemas are listed once by name (src/app.openapi.ts) and handed to
 * @fastify/swagger as `components.schemas`, which converts them as it converts route schemas; then
 * every schema of an operation that is one of them becomes a `$ref` to it, and so does every
 * schema inside a component that is another one (a Flow's video branch is `FlowVideo`). "Is one of
 * them" means equal once its own annotations are set aside (a Uuid described as "Flow identifier"
 * is still the uuid): those annotations stay beside the `$ref`, as OpenAPI 3.1 allows, so nothing
 * said about a property is lost. Anything that differs in substance stays inline.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Keywords that say something about a schema's use without changing what it accepts. */
const ANNOTATIONS = ['description', 'default', 'example', 'examples'];
/** Where example values sit: never schemas, whatever they look like. */
const EXAMPLE_KEYS = new Set(['example', 'examples']);

export const COMPONENTS_PATH = '#/components/schemas/';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON text with object keys sorted: equal for equal schemas whatever their key order. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (!isObject(value)) return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k] as Json)}`).join(',')}}`;
}

/** The substance of a schema: everything but its own top-level annotations. */
function substance(schema: JsonObject): string {
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) if (!ANNOTATIONS.includes(key)) rest[key] = value;
  return canonical(rest);
}

/** A `$ref` to `name`, with the annotations of `schema` that the component does not already say. */
function reference(name: string, schema: JsonObject, component: JsonObject): JsonObject {
  const ref: JsonObject = { $ref: `${COMPONENTS_PATH}${name}` };
  for (const key of ANNOTATIONS) {
    const value = schema[key];
    if (value === undefined || value === '') continue;
    if (component[key] === undefined || canonical(value) !== canonical(component[key] as Json))
      ref[key] = value;
  }
  return ref;
}

const OBJECT_KEYS = new Set(['type', 'properties', 'required', 'title', 'description']);

/** An object schema constrained by its properties and required names alone (open to others). */
function isPlainObject(schema: Json | undefined): schema is JsonObject & { properties: JsonObject } {
  return (
    isObject(schema) &&
    schema.type === 'object' &&
    isObject(schema.properties) &&
    Object.keys(schema).every((key) => OBJECT_KEYS.has(key))
  );
}

const requiredOf = (schema: JsonObject): string[] =>
  Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];

/**
 * `schema` written as `allOf` of `base` (by reference) and what it adds, when that accepts the
 * same documents: both plain open objects, each of the base's properties in `schema` with the same
 * schema, and each of its required names required by `schema` too. Open objects constrain only
 * the properties they name, so the two parts together ask exactly what the one did. This is how
 * TAMS 7.0 writes each Flow format (`allOf` of flow-core.json and its own properties).
 */
function asExtension(schema: JsonObject, base: JsonObject, baseName: string): JsonObject | undefined {
  if (!isPlainObject(schema) || !isPlainObject(base)) return undefined;
  const baseRequired = requiredOf(base);
  const required = requiredOf(schema);
  if (!baseRequired.every((name) => required.includes(name))) return undefined;
  const own: JsonObject = {};
  for (const [name, property] of Object.entries(base.properties)) {
    const mine = schema.properties[name];
    if (mine === undefined || canonical(mine) !== canonical(property)) return undefined;
  }
  for (const [name, property] of Object.entries(schema.properties)) {
    if (!(name in base.properties)) own[name] = property;
  }
  const added: JsonObject = { type: 'object' };
  const addedRequired = required.filter((name) => !baseRequired.includes(name));
  if (addedRequired.length > 0) added.required = addedRequired;
  added.properties = own;
  const out: JsonObject = {};
  for (const key of ['type', 'title', 'description']) if (schema[key] !== undefined) out[key] = schema[key];
  out.allOf = [{ $ref: `${COMPONENTS_PATH}${baseName}` }, added];
  return out;
}

/** The named component with the most properties that `schema` extends (asExtension), if any. */
function extension(
  name: string,
  schemas: JsonObject,
  names: readonly string[],
): { base: string; schema: JsonObject } | undefined {
  const schema = schemas[name];
  if (!isObject(schema)) return undefined;
  let best: { base: string; schema: JsonObject; size: number } | undefined;
  for (const other of names) {
    const base = schemas[other];
    if (other === name || !isObject(base)) continue;
    const extended = asExtension(schema, base, other);
    const size = isObject(base.properties) ? Object.keys(base.properties).length : 0;
    if (extended && size > (best?.size ?? 0)) best = { base: other, schema: extended, size };
  }
  return best;
}

/**
 * Replaces, in the document's paths and in the named components themselves, every schema that is
 * one of `names` (components the document already holds, converted by @fastify/swagger) with a
 * `$ref` to it, and writes a component that adds properties to another as `allOf` of it
 * (asExtension). The document is changed in place. Names earlier in the list win over later ones
 * of the same substance.
 */
export function referenceComponents(doc: Record<string, unknown>, names: readonly string[]): void {
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  const bySubstance = new Map<string, string>();
  for (const name of names) {
    const schema = schemas[name];
    if (!isObject(schema)) throw new Error(`OpenAPI component ${name} is not in the document`);
    const key = substance(schema);
    if (!bySubstance.has(key)) bySubstance.set(key, name);
  }

  const visit = (node: Json, self?: string): Json => {
    if (Array.isArray(node)) return node.map((item) => visit(item));
    if (!isObject(node)) return node;
    const name = bySubstance.get(substance(node));
    const component = name === undefined ? undefined : schemas[name];
    if (name !== undefined && name !== self && isObject(component)) {
      return reference(name, node, component);
    }
    return visitChildren(node);
  };
  // Inside `properties` a key is a property name, so `example` there is a schema like any other.
  const visitChildren = (node: JsonObject, properties = false): JsonObject => {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (!properties && EXAMPLE_KEYS.has(key)) out[key] = value;
      else if (key === 'properties' && isObject(value)) out[key] = visitChildren(value, true);
      else out[key] = visit(value);
    }
    return out;
  };

  if (isObject(doc.paths)) doc.paths = visitChildren(doc.paths);
  // Decided on the components as they came, before any of them is rewritten.
  const extensions = new Map(names.map((name) => [name, extension(name, schemas, names)]));
  for (const name of names) {
    const extended = extensions.get(name);
    const schema = extended?.schema ?? schemas[name];
    // The component itself is not replaced by a reference to itself; its parts may be others.
    if (isObject(schema)) schemas[name] = visit(schema, name);
  }
}
