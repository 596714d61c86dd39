/**
 * OpenAPI documents with every `$ref` resolved, for the 7.0 parity check (openapi.parity.ts):
 * `#/components/...` inside a file, `schemas/x.json` relative to the YAML file, `y.json` inside
 * a schema file relative to that file; JSON pointers after `#` are followed, and keywords beside
 * a `$ref` (such as a parameter schema's `default`) are kept over the target's. Examples
 * (`example`, `examples`) are left as they are. A reference cycle is an error (7.0 has none).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readDocument(file: string): Json {
  const text = readFileSync(file, 'utf8');
  return (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as Json;
}

function pointerGet(doc: Json, pointer: string, where: string): Json {
  let node: Json | undefined = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined;
    if (node === undefined) throw new Error(`$ref ${where}: nothing at ${pointer}`);
  }
  return node;
}

/**
 * An OpenAPI document (YAML or JSON) with every `$ref` resolved, across files (relative to the
 * file holding the reference). `load` reads a file: by default from disk.
 */
export function resolveDocument(file: string, load: (file: string) => Json = readDocument): JsonObject {
  const files = new Map<string, Json>();
  const read = (path: string) => {
    let doc = files.get(path);
    if (doc === undefined) {
      doc = load(path);
      files.set(path, doc);
    }
    return doc;
  };
  const visit = (node: Json, base: string, stack: readonly string[]): Json => {
    if (Array.isArray(node)) return node.map((item) => visit(item, base, stack));
    if (!isObject(node)) return node;
    const out: JsonObject = {};
    const ref = node.$ref;
    if (typeof ref === 'string') {
      const hash = ref.indexOf('#');
      const target = hash === -1 ? ref : ref.slice(0, hash);
      const pointer = hash === -1 ? '' : ref.slice(hash + 1);
      const targetFile = target === '' ? base : resolve(dirname(base), target);
      const key = `${targetFile}#${pointer}`;
      if (stack.includes(key)) throw new Error(`$ref cycle: ${[...stack, key].join(' -> ')}`);
      const resolved = visit(pointerGet(read(targetFile), pointer, ref), targetFile, [...stack, key]);
      if (!isObject(resolved)) return resolved;
      Object.assign(out, resolved);
    }
    for (const [name, value] of Object.entries(node)) {
      if (name === '$ref') continue;
      out[name] = name === 'example' || name === 'examples' ? value : visit(value, base, stack);
    }
    return out;
  };
  const root = resolve(file);
  const doc = visit(read(root), root, []);
  if (!isObject(doc)) throw new Error(`${file}: not an OpenAPI document`);
  return doc;
}

/** A document already in memory with its `$ref`s resolved (internal ones only: it has no file). */
export function resolveInMemory(doc: JsonObject): JsonObject {
  const name = resolve('in-memory-openapi.json');
  return resolveDocument(name, (file) => {
    if (file !== name) throw new Error(`$ref to ${file}: a document in memory can only refer to itself`);
    return doc;
  });
}
