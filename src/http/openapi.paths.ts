/**
 * What turns @fastify/swagger's output into tams-server's OpenAPI documents (every one of them:
 * the root's and each API mount's): HEAD operations named and documented as the TAMS specs do
 * them, the spec's path parameter names, optional bodies, the extension markers, the spec's
 * examples, named components, and one canonical order (openapi.order.ts), so that
 * `npm run openapi` writes the same bytes every time.
 */
import { referenceComponents } from './openapi.components.ts';
import { attachExamples, type OperationExamples } from './openapi.examples.ts';
import { canonicalDocument } from './openapi.order.ts';
import { EXTENSION_MARKER, EXTENSION_TAGS } from './openapi.tags.ts';

interface Response {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}

interface Operation {
  operationId?: string;
  tags?: string[];
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean };
  responses?: Record<string, Response>;
  [key: string]: unknown;
}

interface PathItem {
  get?: Operation;
  head?: Operation;
  [method: string]: Operation | undefined;
}

/** The operations of every path, whatever the method. */
function operationsOf(paths: Record<string, PathItem> | undefined): Operation[] {
  return Object.values(paths ?? {}).flatMap((item) =>
    Object.values(item).filter((op): op is Operation => op !== undefined),
  );
}

/** Path parameters whose spec names the router cannot use (it takes `-` as a literal). */
const PARAMETER_NAMES: Record<string, string> = { requestId: 'request-id' };

function renamePathParameters(paths: Record<string, PathItem> | undefined): void {
  if (!paths) return;
  for (const [path, item] of Object.entries(paths)) {
    let renamed = path;
    for (const [ours, theirs] of Object.entries(PARAMETER_NAMES)) {
      renamed = renamed.replace(`{${ours}}`, `{${theirs}}`);
      for (const op of Object.values(item)) {
        for (const p of op?.parameters ?? []) if (p.in === 'path' && p.name === ours) p.name = theirs;
      }
    }
    if (renamed !== path) {
      delete paths[path];
      paths[renamed] = item;
    }
  }
}

/** The spec names HEAD operations `HEAD_<name>` after their GET twin `GET_<name>`. */
function nameHeadOperations(paths: Record<string, PathItem> | undefined): void {
  for (const item of Object.values(paths ?? {})) {
    const getId = item.get?.operationId;
    if (item.head && getId?.startsWith('GET_')) item.head.operationId = `HEAD_${getId.slice(4)}`;
  }
}

/**
 * A HEAD answer has no body: its successful responses are documented as the spec documents
 * every HEAD's (`trait_resource_info_head_200`, `trait_resource_listing_head_200`): the GET's
 * media type with `schema: {type: string}`, rather than the GET's body schema.
 */
function headResponses(paths: Record<string, PathItem> | undefined): void {
  for (const item of Object.values(paths ?? {})) {
    for (const [status, response] of Object.entries(item.head?.responses ?? {})) {
      if (!status.startsWith('2') || !response.content) continue;
      for (const media of Object.keys(response.content))
        response.content[media] = { schema: { type: 'string' } };
    }
  }
}

/**
 * A response schema repeats the response's description (a route gives it on the schema, where
 * @fastify/swagger reads it and leaves it): said once, on the response, the document is smaller
 * and says the same. An empty one says nothing.
 */
function describeResponsesOnce(paths: Record<string, PathItem> | undefined): void {
  for (const op of operationsOf(paths)) {
    for (const response of Object.values(op.responses ?? {})) {
      for (const media of Object.values(response.content ?? {})) {
        const schema = media.schema as { description?: unknown } | undefined;
        if (schema?.description === '' || schema?.description === response.description)
          delete schema?.description;
      }
    }
  }
}

/**
 * Route schema key of a body the route also takes absent (fastify-swagger marks every body
 * `required`): spread into the schema, it becomes `requestBody.required: false`.
 */
export const OPTIONAL_BODY = { 'x-tams-optional-body': true } as const;

function optionalBodies(paths: Record<string, PathItem> | undefined): void {
  for (const op of operationsOf(paths)) {
    if (op['x-tams-optional-body'] !== true) continue;
    delete op['x-tams-optional-body'];
    if (op.requestBody) op.requestBody.required = false;
  }
}

const EXTENSION_TAG_NAMES = new Set(EXTENSION_TAGS.map((t) => t.name));

function markExtensions(paths: Record<string, PathItem> | undefined): void {
  for (const op of operationsOf(paths)) {
    if (op.tags?.some((t) => EXTENSION_TAG_NAMES.has(t))) op[EXTENSION_MARKER] = true;
  }
}

/**
 * The extension tags the document's operations use, declared (marked) after its own tags where
 * it lacks them: a mount's document declares its spec's tags, and the extensions every mount
 * serves (HLS, say) bring theirs.
 */
function declareExtensionTags(doc: { tags?: { name: string }[]; paths?: Record<string, PathItem> }): void {
  const declared = new Set((doc.tags ?? []).map((t) => t.name));
  const used = new Set(operationsOf(doc.paths).flatMap((op) => op.tags ?? []));
  const missing = EXTENSION_TAGS.filter((t) => used.has(t.name) && !declared.has(t.name));
  if (missing.length === 0) return;
  doc.tags = [...(doc.tags ?? []), ...missing.map((t) => ({ ...t, [EXTENSION_MARKER]: true }))];
}

/**
 * The document @fastify/swagger generated (changed in place), finished: `components` names the
 * schemas the document holds as components, `examples` the spec's examples by operation.
 */
export function finishDocument<T extends object>(
  doc: T,
  components: readonly string[],
  examples: Record<string, OperationExamples>,
): T {
  const paths = (doc as { paths?: Record<string, PathItem> }).paths;
  nameHeadOperations(paths);
  renamePathParameters(paths);
  headResponses(paths);
  optionalBodies(paths);
  markExtensions(paths);
  declareExtensionTags(doc as Parameters<typeof declareExtensionTags>[0]);
  describeResponsesOnce(paths);
  attachExamples(paths, examples);
  // Last: it rewrites the paths (a `$ref` in place of each named schema).
  referenceComponents(doc as Record<string, unknown>, components);
  return canonicalDocument(doc);
}
