/**
 * `npm run openapi:check [-- --version 8.2] [--file <document>]`: the TAMS part of tams-server's
 * OpenAPI document against the BBC TAMS 7.0 document; with `--version 8.2`, the /tams/v8.2
 * mount's document against the BBC TAMS 8.2 document (its twin: below). The document checked is the one the code generates now (the
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
 *
 * The 8.2 twin (`--version 8.2`) compares the document served at /tams/v8.2/openapi.json
 * (openapi/v8.2/, kept equal to what the code generates the same way) with the 8.2 document
 * (TAMS_SPEC_8_2_DIR or ../shared/tams-spec-8.2: tools/spec-location.ts) in the same way, its
 * departures in DEPARTURES_8_2, with one difference: 8.2's operations land over several changes,
 * so an operation of 8.2 the document does not have yet is not a failure but is named in a list
 * of its own, "not implemented yet", with the count of those implemented. Every operation it has
 * is compared in full, and fails the check on any difference.
 */
import { join, resolve } from 'node:path';
import { findSpec, findSpec82, OPENAPI_FILE, SPEC_8_2_HINT, SPEC_HINT } from '../tools/spec-location.ts';
import { compareWithSpec, DEPARTURES_8_2, type ParityReport } from './openapi.parity.ts';
import { type JsonObject, resolveDocument, resolveInMemory } from './openapi.refs.ts';

const USAGE = 'usage: npm run openapi:check [-- --version 7.0|8.2] [--file <OpenAPI document, JSON or YAML>]';

function fail(message: string): never {
  process.stderr.write(`openapi:check: ${message}\n`);
  process.exit(2);
}

/** `--name value` pairs of the command line; undefined when it is not that. */
function options(args: string[]): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if ((name !== '--file' && name !== '--version') || value === undefined || out.has(name)) return undefined;
    out.set(name, value);
  }
  return out;
}

/** Prints what the check found that every version shares; returns how many lines fail it. */
function printReport(report: ParityReport, departures: string): number {
  for (const line of report.differences) process.stdout.write(`  differs: ${line}\n`);
  for (const departure of report.stale) {
    process.stdout.write(
      `  stale departure (no longer found; remove it from ${departures} in scripts/openapi.parity.ts): ${departure.differences.join('; ')}\n`,
    );
  }
  for (const departure of report.accepted) {
    process.stdout.write(
      `  accepted departure: ${departure.differences.join('; ')}\n    why: ${departure.reason}\n`,
    );
  }
  return report.differences.length + report.stale.length;
}

async function check70(file: string | undefined): Promise<number> {
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
  const failures = printReport(report, 'DEPARTURES');
  process.stdout.write(
    failures === 0
      ? `openapi:check: the TAMS 7.0 surface is intact (${report.accepted.length} documented departures)\n`
      : `openapi:check: ${report.differences.length} differences from TAMS 7.0, ${report.stale.length} stale departures\n`,
  );
  return failures === 0 ? 0 : 1;
}

async function check82(file: string | undefined): Promise<number> {
  const spec = findSpec82();
  if (!spec) fail(`the TAMS 8.2 spec was not found: ${SPEC_8_2_HINT}`);
  const specFile = join(spec.apiDir, OPENAPI_FILE);
  const theirs = resolveDocument(specFile);
  const errorSchema = resolveDocument(join(spec.apiDir, 'schemas', 'error.json'));
  let ours: JsonObject;
  let source = file;
  if (file) ours = resolveDocument(resolve(file));
  else {
    const documents = await import('./openapi.document.ts');
    const entry = documents.versionDocument('8.2');
    const generated = (await documents.buildOpenApiDocuments()).get(entry.name) as JsonObject;
    ours = resolveInMemory(generated);
    source = `the document the server generates for ${entry.served}`;
  }
  const report = compareWithSpec(theirs, ours, errorSchema, DEPARTURES_8_2, { label: '8.2', partial: true });

  process.stdout.write(`openapi:check: ${source} against ${specFile}\n`);
  const failures = printReport(report, 'DEPARTURES_8_2');
  const total = report.specOperations;
  const implemented = total - report.notImplemented.length;
  if (report.notImplemented.length > 0) {
    process.stdout.write(
      `  not implemented yet (${report.notImplemented.length} of ${total} operations of 8.2):\n`,
    );
    for (const key of report.notImplemented) process.stdout.write(`    ${key}\n`);
  }
  process.stdout.write(
    failures === 0
      ? `openapi:check: the TAMS 8.2 operations implemented are intact (${implemented} of ${total}; ${report.notImplemented.length} not implemented yet; ${report.accepted.length} documented departures)\n`
      : `openapi:check: ${report.differences.length} differences from TAMS 8.2, ${report.stale.length} stale departures (${implemented} of ${total} operations implemented)\n`,
  );
  return failures === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const parsed = options(process.argv.slice(2));
  if (!parsed) fail(USAGE);
  const version = parsed.get('--version') ?? '7.0';
  if (version === '7.0') return check70(parsed.get('--file'));
  if (version === '8.2') return check82(parsed.get('--file'));
  fail(`no check for TAMS ${version}; ${USAGE}`);
}

process.exit(await main());
