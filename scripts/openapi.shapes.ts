/**
 * The shape of a JSON schema, and the differences between two (openapi.parity.ts): the JSON
 * types, `enum`/`const` values, required and other property names, whether other properties are
 * allowed, array items, and `oneOf`/`anyOf` alternatives, to the bottom. `allOf` parts are merged
 * first, `unevaluatedProperties: false` closes an object as `additionalProperties: false` does,
 * object keywords on a schema that cannot be an object (array ones on a non-array) are dropped as
 * having no effect, alternatives that only name types count as a list of types and alternatives
 * that are single constants as an `enum`. Titles, descriptions, patterns, formats, bounds and
 * defaults are not part of a shape.
 */
import { isObject, type Json } from './openapi.refs.ts';

/** How deep schema shapes are compared (7.0's deepest is well under it). */
const MAX_DEPTH = 16;

export interface Shape {
  /** JSON types, sorted; empty: any. */
  types: string[];
  /** `enum`/`const` values as JSON text, sorted; undefined: unrestricted. */
  values?: string[];
  required: string[];
  properties: Map<string, Shape>;
  /** `additionalProperties`: false (closed), a shape, or undefined (open). */
  additional?: false | Shape;
  items?: Shape;
  /** `oneOf`/`anyOf` alternatives. */
  variants?: Shape[];
}

function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

function isBare(shape: Shape): boolean {
  return (
    shape.values === undefined &&
    shape.required.length === 0 &&
    shape.properties.size === 0 &&
    shape.additional === undefined &&
    shape.items === undefined &&
    shape.variants === undefined
  );
}

function isConstant(shape: Shape): boolean {
  return isBare({ ...shape, values: undefined }) && shape.values !== undefined;
}

function intersectTypes(a: string[], b: string[]): string[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Set<string>();
  for (const t of a) {
    if (b.includes(t)) out.add(t);
    else if (t === 'integer' && b.includes('number')) out.add('integer');
  }
  for (const t of b) if (t === 'integer' && a.includes('number')) out.add('integer');
  return sorted(out);
}

/** allOf: one shape holding both parts' constraints. */
function merge(a: Shape, b: Shape): Shape {
  const properties = new Map(a.properties);
  for (const [name, shape] of b.properties) {
    const mine = properties.get(name);
    properties.set(name, mine ? merge(mine, shape) : shape);
  }
  const values =
    a.values && b.values ? a.values.filter((v) => b.values?.includes(v)) : (a.values ?? b.values);
  const additional =
    a.additional === false || b.additional === false
      ? false
      : a.additional && b.additional
        ? merge(a.additional, b.additional)
        : (a.additional ?? b.additional);
  return {
    types: intersectTypes(a.types, b.types),
    values,
    required: sorted([...a.required, ...b.required]),
    properties,
    additional,
    items: a.items && b.items ? merge(a.items, b.items) : (a.items ?? b.items),
    variants: a.variants ?? b.variants,
  };
}

export function shapeOf(schema: Json | undefined, depth = 0): Shape {
  const shape: Shape = { types: [], required: [], properties: new Map() };
  if (!isObject(schema) || depth > MAX_DEPTH) return shape;
  const { type } = schema;
  if (typeof type === 'string') shape.types = [type];
  else if (Array.isArray(type)) shape.types = sorted(type.filter((t): t is string => typeof t === 'string'));
  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const ?? null] : [];
  if (values.length > 0) {
    shape.values = sorted(values.map((v) => JSON.stringify(v)));
    if (shape.types.length === 0) shape.types = sorted(values.map(jsonType));
  }
  if (Array.isArray(schema.required)) {
    shape.required = sorted(schema.required.filter((r): r is string => typeof r === 'string'));
  }
  if (isObject(schema.properties)) {
    for (const [name, sub] of Object.entries(schema.properties)) {
      shape.properties.set(name, shapeOf(sub, depth + 1));
    }
  }
  if (schema.additionalProperties === false) shape.additional = false;
  else if (isObject(schema.additionalProperties)) {
    shape.additional = shapeOf(schema.additionalProperties, depth + 1);
  }
  if (schema.items !== undefined) shape.items = shapeOf(schema.items, depth + 1);
  const alternatives = Array.isArray(schema.oneOf) ? schema.oneOf : schema.anyOf;
  if (Array.isArray(alternatives)) {
    const variants = alternatives.map((v) => shapeOf(v, depth));
    if (variants.every(isBare)) {
      shape.types = intersectTypes(shape.types, sorted(variants.flatMap((v) => v.types)));
    } else if (variants.every(isConstant)) {
      shape.types = intersectTypes(shape.types, sorted(variants.flatMap((v) => v.types)));
      shape.values = sorted(variants.flatMap((v) => v.values ?? []));
    } else {
      shape.variants = variants;
    }
  }
  let merged = shape;
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf) merged = merge(merged, shapeOf(part, depth));
  }
  // No properties beyond those of the schema and its allOf parts: closed, as additionalProperties.
  if (schema.unevaluatedProperties === false) merged.additional = false;
  return withoutInapplicable(merged);
}

/** Object keywords on a schema that cannot be an object (array keywords on one that cannot be an array) have no effect. */
function withoutInapplicable(shape: Shape): Shape {
  if (shape.types.length === 0) return shape;
  if (!shape.types.includes('object')) {
    shape.required = [];
    shape.properties = new Map();
    shape.additional = undefined;
  }
  if (!shape.types.includes('array')) shape.items = undefined;
  return shape;
}

const typeText = (shape: Shape) => (shape.types.length === 0 ? 'any' : shape.types.join('|'));

export function listDifference(
  at: string,
  what: string,
  theirs: string[],
  ours: string[],
  out: string[],
): void {
  const missing = theirs.filter((v) => !ours.includes(v));
  const added = ours.filter((v) => !theirs.includes(v));
  if (missing.length > 0) out.push(`${at}: ${what} ${missing.join(', ')} missing`);
  if (added.length > 0) out.push(`${at}: ${what} ${added.join(', ')} added`);
}

/** `spec` names the document compared with in the lines (`7.0 has ...`). */
export function compareShapes(theirs: Shape, ours: Shape, at: string, out: string[], spec = '7.0'): void {
  if (theirs.types.join('|') !== ours.types.join('|')) {
    out.push(`${at}: type ${typeText(ours)}, ${spec} has ${typeText(theirs)}`);
  }
  if (theirs.values !== undefined || ours.values !== undefined) {
    if (theirs.values === undefined) out.push(`${at}: values restricted to ${ours.values?.join(', ')}`);
    else if (ours.values === undefined)
      out.push(`${at}: values not restricted to ${theirs.values.join(', ')}`);
    else listDifference(at, 'value', theirs.values, ours.values, out);
  }
  listDifference(at, 'required property', theirs.required, ours.required, out);
  const theirNames = [...theirs.properties.keys()];
  const ourNames = [...ours.properties.keys()];
  listDifference(at, 'property', theirNames, ourNames, out);
  for (const [name, shape] of theirs.properties) {
    const mine = ours.properties.get(name);
    if (mine) compareShapes(shape, mine, `${at}.${name}`, out, spec);
  }
  const closure = (s: Shape) =>
    s.additional === false ? 'no other properties' : s.additional ? 'other properties of a schema' : 'any';
  if (closure(theirs) !== closure(ours)) {
    out.push(`${at}: additionalProperties: ${closure(ours)}, ${spec} has ${closure(theirs)}`);
  } else if (theirs.additional && ours.additional) {
    compareShapes(theirs.additional, ours.additional, `${at}.*`, out, spec);
  }
  if (theirs.items || ours.items) {
    if (!theirs.items) out.push(`${at}: items added`);
    else if (!ours.items) out.push(`${at}: items missing`);
    else compareShapes(theirs.items, ours.items, `${at}[]`, out, spec);
  }
  compareVariants(theirs.variants, ours.variants, at, out, spec);
}

function compareVariants(
  theirs: Shape[] | undefined,
  ours: Shape[] | undefined,
  at: string,
  out: string[],
  spec: string,
) {
  if (!theirs && !ours) return;
  if (!theirs || !ours) {
    out.push(
      `${at}: ${theirs ? `the ${theirs.length} alternatives of ${spec} missing` : 'alternatives added'}`,
    );
    return;
  }
  if (theirs.length !== ours.length) {
    out.push(`${at}: ${ours.length} alternatives, ${spec} has ${theirs.length}`);
  }
  const unmatched = [...ours.keys()];
  const left: number[] = [];
  for (const [i, shape] of theirs.entries()) {
    const match = unmatched.findIndex((j) => {
      const probe: string[] = [];
      const candidate = ours[j];
      if (candidate) compareShapes(shape, candidate, '', probe, spec);
      return probe.length === 0;
    });
    if (match === -1) left.push(i);
    else unmatched.splice(match, 1);
  }
  // Alternatives without an equal one: compared in order, to say what differs.
  for (const [k, i] of left.entries()) {
    const mine = unmatched[k];
    const theirShape = theirs[i];
    if (theirShape === undefined) continue;
    if (mine === undefined) out.push(`${at}: alternative ${i + 1} of ${spec} missing`);
    else {
      const ourShape = ours[mine];
      if (ourShape) compareShapes(theirShape, ourShape, `${at}<alternative ${i + 1}>`, out, spec);
    }
  }
}
