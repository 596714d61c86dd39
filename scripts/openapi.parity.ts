/**
 * The parity checks' comparison (`npm run openapi:check [-- --version 8.2]`:
 * scripts/openapi-check.ts, whose header says exactly what is compared;
 * test/openapi.parity.test.ts): both documents resolved (openapi.refs.ts), schemas compared by
 * shape (openapi.shapes.ts), every operation of the spec (7.0's, or 8.2's) against ours, and the
 * extension markers of the rest. Differences that are deliberate and documented are listed in
 * DEPARTURES (7.0) and DEPARTURES_8_2, each with its reason and the exact lines the comparison
 * prints for it: they are reported as accepted, not failed, and one that no longer occurs is
 * itself a failure (so the list cannot go stale).
 */
import { isObject, type Json, type JsonObject } from './openapi.refs.ts';
import { compareShapes, listDifference, type Shape, shapeOf, sorted } from './openapi.shapes.ts';

const METHODS = ['get', 'head', 'put', 'post', 'delete', 'patch', 'options', 'trace'] as const;
/** The marker of operations and tags beyond TAMS 7.0. */
export const EXTENSION_MARKER = 'x-tams-extension';

export interface Departure {
  /** The exact lines compareWithSpec reports for it. */
  differences: string[];
  /** Why it is so, and where that is documented. */
  reason: string;
}

/** tams-server's deliberate, documented departures from the 7.0 document. */
export const DEPARTURES: Departure[] = [
  {
    differences: ['DELETE /flows/{flowId}/label: response 403 added'],
    reason:
      "A read-only Flow's label must not change either (ADR 0005): 7.0 lists 403 for PUT of the label but not for DELETE; the server refuses both (src/flows/flows.properties.routes.ts).",
  },
  {
    differences: [
      'GET /: response 200 (application/json): type array, 7.0 has any',
      'GET /: response 200 (application/json): items added',
    ],
    reason:
      "7.0 gives the root listing's schema as an example only (no type); the server declares what that example shows and what it answers, an array of strings.",
  },
  {
    differences: [
      'GET /service/webhooks: response 200 (application/json)[]: property owner, delivery_suspended added',
    ],
    reason:
      'Webhook ownership (docs/authentication.md, "Webhooks"): who registered a webhook, and why its deliveries are suspended; 7.0\'s webhook.json allows other properties.',
  },
];

/** tams-server's deliberate, documented departures from the 8.2 document (the /tams/v8.2 mount's). */
export const DEPARTURES_8_2: Departure[] = [
  {
    differences: [
      'GET /: response 200 (application/json): type array, 8.2 has any',
      'GET /: response 200 (application/json): items added',
    ],
    reason:
      "8.2, as 7.0, gives the root listing's schema as an example only (no type); the server declares what that example shows and what it answers, an array of strings.",
  },
  {
    differences: ['GET /service/webhooks: response 400 added', 'HEAD /service/webhooks: response 400 added'],
    reason:
      "8.2 lists no 400 for the webhook listing, but its query can be wrong: a `page` key this listing did not issue, or an empty value in a `tag.{name}` list. The server refuses those with 400 and the TAMS error body, as 8.2's other paged listings do (src/webhooks/webhooks.v8.routes.ts).",
  },
  {
    differences: [
      'GET /service/storage-backends: response 400 added',
      'HEAD /service/storage-backends: response 400 added',
      'GET /flow-delete-requests: response 400 added',
      'HEAD /flow-delete-requests: response 400 added',
    ],
    reason:
      "8.2 lists no 400 for the storage backend and deletion request listings, but their `page` key can be one they did not give (or, for the backends, a `tag.{name}` list with an empty value). The server refuses those with 400 and the TAMS error body, as 8.2's other paged listings do (src/service/service.routes.ts, src/deletion/deletion.routes.ts).",
  },
  {
    differences: [
      'GET /service/webhooks: response 200 (application/json)[]: property owner added',
      'POST /service/webhooks: response 201 (application/json): property owner added',
      'GET /service/webhooks/{webhookId}: response 200 (application/json): property owner added',
      'PUT /service/webhooks/{webhookId}: response 201 (application/json): property owner added',
    ],
    reason:
      "Webhook ownership (docs/authentication.md, \"Webhooks\"), as in 7.0: who registered a webhook; 8.2's webhook-get.json allows other properties. Why deliveries are suspended is 8.2's own `status: error` and `error`, not 7.0's `delivery_suspended`.",
  },
  {
    differences: ['HEAD /service/profiles: parameter format (query): value "urn:x-nmos:format:multi" added'],
    reason:
      "8.2's HEAD of the Profile listing leaves the multi format out of its `format` filter, its GET (content-format.json) does not: a HEAD answers the headers its GET would (Fastify derives it from the GET), so both take `multi`, which no Profile has (an empty listing). docs/api-versions.md.",
  },
];

export interface ParityReport {
  /** Differences not in the departures list: each one fails the check. */
  differences: string[];
  /** Differences found that are listed departures. */
  accepted: Departure[];
  /** Listed departures that no longer occur (also a failure: the list must be kept true). */
  stale: Departure[];
  /** Operations of the spec the document does not have yet (ParityOptions.partial): no failure. */
  notImplemented: string[];
  /** How many operations (path and method) the spec has. */
  specOperations: number;
}

interface Operation {
  key: string;
  op: JsonObject;
  /** Path-level and operation-level parameters, by `in:name`. */
  params: Map<string, JsonObject>;
}

function operations(doc: JsonObject): Map<string, Operation> {
  const out = new Map<string, Operation>();
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const params = new Map<string, JsonObject>();
      for (const list of [item.parameters, op.parameters]) {
        if (!Array.isArray(list)) continue;
        for (const p of list) if (isObject(p)) params.set(`${String(p.in)}:${String(p.name)}`, p);
      }
      const key = `${method.toUpperCase()} ${path}`;
      out.set(key, { key, op, params });
    }
  }
  return out;
}

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);
const entries = (value: Json | undefined): [string, Json][] => (isObject(value) ? Object.entries(value) : []);

function compareParameters(theirs: Operation, ours: Operation, out: string[], label: string): void {
  for (const [id, param] of theirs.params) {
    const [place, name] = [String(param.in), String(param.name)];
    const at = `${theirs.key}: parameter ${name} (${place})`;
    const mine = ours.params.get(id);
    if (!mine) {
      out.push(`${at} missing`);
      continue;
    }
    if ((param.required ?? false) !== (mine.required ?? false)) {
      out.push(
        `${at}: required ${String(mine.required ?? false)}, ${label} has ${String(param.required ?? false)}`,
      );
    }
    const theirSchema = isObject(param.schema) ? param.schema : {};
    const ourSchema = isObject(mine.schema) ? mine.schema : {};
    compareShapes(shapeOf(theirSchema), shapeOf(ourSchema), at, out, label);
    if (!same(theirSchema.default, ourSchema.default)) {
      out.push(
        `${at}: default ${JSON.stringify(ourSchema.default) ?? 'none'}, ${label} has ${JSON.stringify(theirSchema.default) ?? 'none'}`,
      );
    }
  }
  for (const [id, param] of ours.params) {
    if (!theirs.params.has(id))
      out.push(`${theirs.key}: parameter ${String(param.name)} (${String(param.in)}) added`);
  }
}

function compareContent(
  theirs: Json | undefined,
  ours: Json | undefined,
  at: string,
  out: string[],
  label: string,
  errorBody?: Shape,
): void {
  const theirTypes = entries(theirs);
  const ourTypes = entries(ours);
  if (theirTypes.length === 0 && errorBody) {
    // The spec declares no content for this error response: ours may document the error body.
    for (const [type, media] of ourTypes) {
      if (type !== 'application/json') out.push(`${at}: content ${type} added`);
      else
        compareShapes(
          errorBody,
          shapeOf(isObject(media) ? media.schema : undefined),
          `${at} (error body)`,
          out,
          label,
        );
    }
    return;
  }
  listDifference(
    at,
    'content',
    theirTypes.map(([t]) => t),
    ourTypes.map(([t]) => t),
    out,
  );
  for (const [type, media] of theirTypes) {
    const mine = isObject(ours) ? ours[type] : undefined;
    if (mine === undefined) continue;
    const schema = (m: Json | undefined) => (isObject(m) ? m.schema : undefined);
    compareShapes(shapeOf(schema(media)), shapeOf(schema(mine)), `${at} (${type})`, out, label);
  }
}

function compareRequestBody(theirs: Operation, ours: Operation, out: string[], label: string): void {
  const [a, b] = [theirs.op.requestBody, ours.op.requestBody];
  const at = `${theirs.key}: request body`;
  if (!isObject(a) || !isObject(b)) {
    if (isObject(a)) out.push(`${at} missing`);
    if (isObject(b)) out.push(`${at} added`);
    return;
  }
  if ((a.required ?? false) !== (b.required ?? false)) {
    out.push(`${at}: required ${String(b.required ?? false)}, ${label} has ${String(a.required ?? false)}`);
  }
  compareContent(a.content, b.content, at, out, label);
}

function compareResponses(
  theirs: Operation,
  ours: Operation,
  errorBody: Shape,
  out: string[],
  label: string,
): void {
  const theirResponses = isObject(theirs.op.responses) ? theirs.op.responses : {};
  const ourResponses = isObject(ours.op.responses) ? ours.op.responses : {};
  for (const status of Object.keys(theirResponses)) {
    if (!(status in ourResponses)) out.push(`${theirs.key}: response ${status} missing`);
  }
  for (const status of Object.keys(ourResponses)) {
    if (!(status in theirResponses)) out.push(`${theirs.key}: response ${status} added`);
  }
  for (const [status, response] of Object.entries(theirResponses)) {
    const mine = ourResponses[status];
    if (!isObject(response) || !isObject(mine)) continue;
    const at = `${theirs.key}: response ${status}`;
    const theirHeaders = entries(response.headers);
    const ourHeaders = entries(mine.headers);
    listDifference(
      at,
      'header',
      theirHeaders.map(([h]) => h),
      ourHeaders.map(([h]) => h),
      out,
    );
    for (const [name, header] of theirHeaders) {
      const ourHeader = isObject(mine.headers) ? mine.headers[name] : undefined;
      if (!isObject(header) || !isObject(ourHeader)) continue;
      compareShapes(shapeOf(header.schema), shapeOf(ourHeader.schema), `${at}: header ${name}`, out, label);
    }
    const isError = Number(status) >= 400;
    compareContent(response.content, mine.content, at, out, label, isError ? errorBody : undefined);
  }
}

function tagNames(doc: JsonObject): { all: Set<string>; extensions: Set<string> } {
  const all = new Set<string>();
  const extensions = new Set<string>();
  for (const tag of Array.isArray(doc.tags) ? doc.tags : []) {
    if (!isObject(tag) || typeof tag.name !== 'string') continue;
    all.add(tag.name);
    if (tag[EXTENSION_MARKER] === true) extensions.add(tag.name);
  }
  return { all, extensions };
}

const tagsOf = (op: JsonObject) => (Array.isArray(op.tags) ? op.tags.map(String) : []);

/** The error body a tams-server error response may document: the spec's error.json plus `message`. */
export function errorBodyShape(specErrorSchema: Json): Shape {
  const shape = shapeOf(specErrorSchema);
  shape.properties.set('message', { types: ['string'], required: [], properties: new Map() });
  shape.required = sorted([...shape.required, 'message']);
  return shape;
}

export interface ParityOptions {
  /** How the lines name the spec's document: `7.0` (the default), `8.2`. */
  label?: string;
  /**
   * A document still growing towards the spec (8.2's, whose operations land over several
   * changes): an operation of the spec it lacks is listed in `notImplemented` rather than
   * reported as a difference. Every operation it has is compared in full.
   */
  partial?: boolean;
}

/**
 * Every difference between the spec's document (7.0's unless `options` says) and ours (both
 * resolved: resolveDocument), as lines `<METHOD> <path>: <what>`, split into failures, accepted
 * departures and stale departures.
 */
export function compareWithSpec(
  spec: JsonObject,
  ours: JsonObject,
  specErrorSchema: Json,
  departures: Departure[] = DEPARTURES,
  options: ParityOptions = {},
): ParityReport {
  const label = options.label ?? '7.0';
  const out: string[] = [];
  const notImplemented: string[] = [];
  const errorBody = errorBodyShape(specErrorSchema);
  const theirOps = operations(spec);
  const ourOps = operations(ours);
  const specSecurity = spec.security;
  for (const [key, theirs] of theirOps) {
    const mine = ourOps.get(key);
    if (!mine) {
      if (options.partial) notImplemented.push(key);
      else out.push(`${key}: operation missing`);
      continue;
    }
    if (!same(theirs.op.operationId, mine.op.operationId)) {
      out.push(
        `${key}: operationId ${String(mine.op.operationId)}, ${label} has ${String(theirs.op.operationId)}`,
      );
    }
    if (!same(tagsOf(theirs.op), tagsOf(mine.op))) {
      out.push(`${key}: tags ${tagsOf(mine.op).join(', ')}, ${label} has ${tagsOf(theirs.op).join(', ')}`);
    }
    if (!same(theirs.op.security ?? specSecurity, mine.op.security ?? ours.security)) {
      out.push(`${key}: security differs from ${label}'s`);
    }
    if (mine.op[EXTENSION_MARKER] !== undefined) out.push(`${key}: marked ${EXTENSION_MARKER}`);
    compareParameters(theirs, mine, out, label);
    compareRequestBody(theirs, mine, out, label);
    compareResponses(theirs, mine, errorBody, out, label);
  }
  const specTags = tagNames(spec).all;
  const { all: ourTags, extensions } = tagNames(ours);
  for (const tag of ourTags) {
    if (!specTags.has(tag) && !extensions.has(tag)) {
      out.push(`tag ${tag}: neither ${label}'s nor marked ${EXTENSION_MARKER}`);
    }
    if (specTags.has(tag) && extensions.has(tag))
      out.push(`tag ${tag}: ${label}'s, but marked ${EXTENSION_MARKER}`);
  }
  for (const [key, mine] of ourOps) {
    if (theirOps.has(key)) continue;
    if (mine.op[EXTENSION_MARKER] !== true)
      out.push(`${key}: not in ${label}, and not marked ${EXTENSION_MARKER}`);
    const tags = tagsOf(mine.op);
    if (tags.length === 0 || tags.some((t) => !extensions.has(t))) {
      out.push(
        `${key}: not in ${label}, and tagged ${tags.join(', ') || 'nothing'} rather than an extension's tag`,
      );
    }
  }
  const found = new Set(out);
  const listed = new Set(departures.flatMap((d) => d.differences));
  const occurs = (d: Departure) => d.differences.every((line) => found.has(line));
  return {
    differences: out.filter((line) => !listed.has(line)),
    accepted: departures.filter(occurs),
    stale: departures.filter((d) => !occurs(d)),
    notImplemented,
    specOperations: theirOps.size,
  };
}
