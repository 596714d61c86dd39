/**
 * `npm run openapi:check [-- --file <document>]`: the TAMS part of tams-server's OpenAPI document
 * against the BBC TAMS 7.0 document. The document checked is the one the code generates now (the
 * committed openapi/tams-server.json is kept equal to it by test/openapi.files.test.ts), or the
 * JSON or YAML file given with --file. The 7.0 document is found as the tests find the spec
 * (TAMS_SPEC_DIR, ../shared/tams-spec, .spec/tams: tools/spec-location.ts). Prints every
 * difference, then the accepted departures with their reasons; exits 1 on any difference or
 * stale departure, 2 when it cannot run. The comparison: scripts/openapi.parity.ts.
 *
 * Both documents are read with every `$ref` resolved (scripts/openapi.refs.ts): in 7.0,
 * `#/components/...` inside the YAML file, `schemas/x.json` relative to it and `y.json` inside a
 * schema file relative to that file, JSON pointers followed, keywords beside a `$ref` (a
 * parameter schema's `default`) kept. Examples are neither resolved nor compared.
 *
 * What is compared, for every operation (path and method) of 7.0:
 * - it is in our document, with the same `operationId`, the same `tags`, the same effective
 *   `security` (its own, else the document's), and no `x-tams-extension` marker;
 * - parameters (path-level and operation-level merged, the operation's winning), keyed by name
 *   and place (`in`): each of 7.0's is there, with the same `required`, the same schema shape
 *   (below) and the same schema `default`; ours has none that 7.0 does not declare;
 * - request body: present exactly when 7.0 declares one, with the same `required`, the same
 *   media types, and the same schema shape for each;
 * - responses: the same status codes, no more, no fewer; for each, the same header names with
 *   the same schema shape; where 7.0 declares content, the same media types with the same schema
 *   shape; where it declares none, none, except that a 4xx/5xx response may declare
 *   `application/json` of the shape of 7.0's own error body (`schemas/error.json`) plus the
 *   required string `message` every tams-server error carries (DESIGN.md, "Error bodies").
 *
 * The shape of a schema (scripts/openapi.shapes.ts), compared to the bottom (7.0's schemas are
 * not recursive; a guard stops at depth 16): the JSON types (`type`, or what `enum`/`const`
 * imply), the `enum`/`const` values, the `required` property names, the property names (each
 * property's shape in turn), whether other properties are allowed (`additionalProperties`:
 * false, a schema, or open; `unevaluatedProperties: false` counts as false) and their shape,
 * array `items`, and the alternatives of `oneOf`/`anyOf`, matched whatever their order. `allOf`
 * parts are merged into one shape first (properties and required names united). Alternatives
 * that only name a type (`anyOf: [{type: string}, {type: null}]`) count as a list of types, and
 * alternatives that are single constants as an `enum`, so TypeBox unions and JSON Schema
 * shorthand compare equal; object keywords on a schema whose type is not object (array keywords
 * on a non-array) have no effect and are dropped. Not compared: titles, descriptions, examples,
 * `pattern`, `format`, numeric and length bounds, defaults inside bodies, and the order of
 * anything.
 *
 * Besides: every operation of ours that 7.0 does not have must carry `x-tams-extension: true`
 * and only tags declared with `x-tams-extension: true` (its extension's own), and each tag of
 * ours is either one of 7.0's or such an extension tag, never both.
 */
import { join, resolve } from 'node:path';
import { findSpec, OPENAPI_FILE, SPEC_HINT } from '../tools/spec-location.ts';
import { compareWithSpec } from './openapi.parity.ts';
import { type JsonObject, resolveDocument, resolveInMemory } from './openapi.refs.ts';

function fail(message: string): never {
  process.stderr.write(`openapi:check: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--file');
  const file = at === -1 ? undefined : args[at + 1];
  if ((at !== -1 && file === undefined) || args.length !== (at === -1 ? 0 : 2)) {
    fail('usage: npm run openapi:check [-- --file <OpenAPI document, JSON or YAML>]');
  }
  const spec = findSpec();
  if (!spec) fail(`the TAMS 7.0 spec was not found: ${SPEC_HINT}`);
  const specFile = join(spec.apiDir, OPENAPI_FILE);
  const theirs = resolveDocument(specFile);
  const errorSchema = resolveDocument(join(spec.apiDir, 'schemas', 'error.json'));
  const ours = file
    ? resolveDocument(resolve(file))
    : // Loaded only here: checking a file needs no server code.
      resolveInMemory((await (await import('./openapi.document.ts')).buildOpenApiDocument()) as JsonObject);
  const report = compareWithSpec(theirs, ours, errorSchema);

  const source = file ?? 'the document the server generates';
  process.stdout.write(`openapi:check: ${source} against ${specFile}\n`);
  for (const line of report.differences) process.stdout.write(`  differs: ${line}\n`);
  for (const departure of report.stale) {
    process.stdout.write(
      `  stale departure (no longer found; remove it from DEPARTURES in scripts/openapi.parity.ts): ${departure.differences.join('; ')}\n`,
    );
  }
  for (const departure of report.accepted) {
    process.stdout.write(
      `  accepted departure: ${departure.differences.join('; ')}\n    why: ${departure.reason}\n`,
    );
  }
  const failures = report.differences.length + report.stale.length;
  process.stdout.write(
    failures === 0
      ? `openapi:check: the TAMS 7.0 surface is intact (${report.accepted.length} documented departures)\n`
      : `openapi:check: ${report.differences.length} differences from TAMS 7.0, ${report.stale.length} stale departures\n`,
  );
  return failures === 0 ? 0 : 1;
}

process.exit(await main());
