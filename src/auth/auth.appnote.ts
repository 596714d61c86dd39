/**
 * AppNote 0016's coarse-grained scopes (TAMS 8.2, docs/appnotes/0016-authorisation-in-tams-
 * workflows.md), the other mapping TAMS_AUTH_SCOPE_MAP offers: for each TAMS path of its table,
 * the scopes any one of which admits a request, `admin` on every row. It departs from the
 * methods' scopes (its ⚠️ rows): DELETE of a Source's or Flow's property (tags, label,
 * description, flow_collection, bit rates) and of an object instance need `write`; a webhook's
 * PUT and DELETE need `read`; `/`, `/service` and `/service/storage-backends` are read with any
 * scope; listing deletion requests is for `admin`, reading one for `delete`.
 */
import type { Scope } from './auth.model.ts';

/** Alternatives: a request passes when its credentials hold every scope of one of them. */
export type ScopeAlternatives = readonly (readonly Scope[])[];

export const SCOPE_MAPS = ['methods', 'appnote-0016'] as const;
export type ScopeMap = (typeof SCOPE_MAPS)[number];

const R: Scope[] = ['read'];
const W: Scope[] = ['write'];
const D: Scope[] = ['delete'];
const ANY: Scope[] = ['read', 'write', 'delete'];

type Row = [key: string, allowed: Scope[]];

/** A Source's or Flow's property: read it, PUT and DELETE it with write. */
const property = (path: string): Row[] => [
  [`GET ${path}`, R],
  [`PUT ${path}`, W],
  [`DELETE ${path}`, W],
];

/** By `<method> <path in its mount>` (GET stands for HEAD too); admin is added to each. */
const TABLE = new Map<string, Scope[]>([
  ['GET /', ANY],
  ['GET /service', ANY],
  ['POST /service', []],
  ['GET /service/storage-backends', ANY],
  ['GET /service/webhooks', R],
  ['POST /service/webhooks', W],
  ['GET /service/webhooks/:webhookId', R],
  ['PUT /service/webhooks/:webhookId', R],
  ['DELETE /service/webhooks/:webhookId', R],
  ['GET /sources', R],
  ['GET /sources/:sourceId', R],
  ['GET /sources/:sourceId/tags', R],
  ...property('/sources/:sourceId/tags/:name'),
  ...property('/sources/:sourceId/description'),
  ...property('/sources/:sourceId/label'),
  ['GET /flows', R],
  ['GET /flows/:flowId', R],
  ['PUT /flows/:flowId', W],
  ['DELETE /flows/:flowId', D],
  ['GET /flows/:flowId/tags', R],
  ...property('/flows/:flowId/tags/:name'),
  ...property('/flows/:flowId/description'),
  ...property('/flows/:flowId/label'),
  ['GET /flows/:flowId/read_only', R],
  ['PUT /flows/:flowId/read_only', W],
  ...property('/flows/:flowId/flow_collection'),
  ...property('/flows/:flowId/max_bit_rate'),
  ...property('/flows/:flowId/avg_bit_rate'),
  ['GET /flows/:flowId/segments', R],
  ['POST /flows/:flowId/segments', W],
  ['DELETE /flows/:flowId/segments', D],
  ['POST /flows/:flowId/storage', W],
  ['GET /objects/:objectId', R],
  ['POST /objects/:objectId/instances', W],
  ['DELETE /objects/:objectId/instances', W],
  ['GET /flow-delete-requests', []],
  ['GET /flow-delete-requests/:requestId', D],
]);

/**
 * The AppNote's alternatives for `method` on `path` (within its mount), or undefined where its
 * table has no row (the extensions, and TAMS paths it does not list): the methods' scopes apply.
 */
export function appNoteScopes(method: string, path: string): ScopeAlternatives | undefined {
  const allowed = TABLE.get(`${method === 'HEAD' ? 'GET' : method} ${path}`);
  if (allowed === undefined) return undefined;
  return [...allowed.map((scope) => [scope]), ['admin']];
}
