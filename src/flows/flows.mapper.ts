import type { JsonValue } from '../db/db.types.ts';
import type { ApiVersion } from '../http/api.version.ts';
import { tagsDocument } from '../http/tags.version.ts';
import type { CollectionItem, FlowRecord } from '../store/store.types.ts';
import type { TimeRange } from '../time/index.ts';
import type { Flow } from './flows.schemas.ts';

/** A Flow document as the API returns it (flow.json). */
export type FlowDocument = Flow;

/** Properties the server manages: accepted in a PUT body (the spec's examples carry them) and ignored. */
export const SERVER_MANAGED = new Set([
  'created',
  'metadata_updated',
  'segments_updated',
  'metadata_version',
  'collected_by',
  'timerange',
]);

/** Properties of flow-core and the format-specific schemas that have columns of their own. */
const KNOWN = new Set([
  'id',
  'source_id',
  'format',
  'codec',
  'container',
  'label',
  'description',
  'created_by',
  'updated_by',
  'tags',
  'generation',
  'read_only',
  'avg_bit_rate',
  'max_bit_rate',
  'segment_duration',
  'flow_collection',
  'container_mapping',
  'essence_parameters',
]);

/**
 * The properties of a PUT body that are not columns of their own, kept verbatim. 8.2's `status`
 * and `profile_id` have columns; in a 7.0 body they are a 7.0 client's own, kept as given.
 */
export function extraProperties(
  body: Record<string, unknown>,
  version: ApiVersion = '7.0',
): Record<string, JsonValue> {
  const extra: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(body)) {
    if (KNOWN.has(key) || SERVER_MANAGED.has(key)) continue;
    if (version !== '7.0' && DEFINED_BY_8_2.has(key)) continue;
    extra[key] = value as JsonValue;
  }
  return extra;
}

/**
 * A collection as `version` shows it: an item without a role (`''`, decision L12 in
 * docs/api-versions.md) has `role: ""` in 7.0, which requires one, and no `role` in 8.2.
 */
export function collectionDocument(items: readonly CollectionItem[], version: ApiVersion = '7.0'): JsonValue {
  return items.map((item) => {
    const doc: Record<string, JsonValue> = { id: item.id };
    if (item.role !== '' || version === '7.0') doc.role = item.role;
    if (item.container_mapping !== undefined) doc.container_mapping = item.container_mapping;
    return doc;
  });
}

/** Collection items of a body (either version: a missing role is stored as no role, `''`). */
export function collectionItemsFrom(value: unknown): CollectionItem[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((raw) => {
    const item = raw as { id: string; role?: string; container_mapping?: JsonValue };
    const result: CollectionItem = { id: item.id, role: item.role ?? '' };
    if (item.container_mapping !== undefined) result.container_mapping = item.container_mapping;
    return result;
  });
}

export interface FlowDocumentOptions {
  /** The `timerange` to include (flows.timerange.ts works it out); left out when not given. */
  timerange?: TimeRange;
  /** The API version answering (default 7.0): 7.0 sees no list-valued tag. */
  version?: ApiVersion;
}

export function flowDocument(flow: FlowRecord, options: FlowDocumentOptions = {}): FlowDocument {
  const version = options.version ?? '7.0';
  const doc: Record<string, JsonValue> = { id: flow.id, source_id: flow.source_id, format: flow.format };
  const set = (key: string, value: JsonValue | undefined) => {
    if (value !== undefined) doc[key] = value;
  };
  set('codec', flow.codec);
  set('container', flow.container);
  set('label', flow.label);
  set('description', flow.description);
  set('created_by', flow.created_by);
  set('updated_by', flow.updated_by);
  const tags = tagsDocument(flow.tags, version);
  if (Object.keys(tags).length > 0) doc.tags = tags;
  set('metadata_version', flow.metadata_version);
  set('generation', flow.generation);
  doc.created = flow.created.toISOString();
  doc.metadata_updated = flow.metadata_updated.toISOString();
  set('segments_updated', flow.segments_updated?.toISOString());
  set('read_only', flow.read_only);
  set('avg_bit_rate', flow.avg_bit_rate);
  set('max_bit_rate', flow.max_bit_rate);
  set('segment_duration', flow.segment_duration);
  if (options.timerange) doc.timerange = options.timerange.toString();
  if (flow.flow_collection !== undefined)
    doc.flow_collection = collectionDocument(flow.flow_collection, version);
  if (flow.collected_by.length > 0) doc.collected_by = flow.collected_by;
  set('container_mapping', flow.container_mapping);
  set('essence_parameters', essenceDocument(flow.format, flow.essence_parameters, version));
  if (version !== '7.0') {
    set('status', flow.status);
    set('profile_id', flow.profile_id);
  }
  for (const [key, value] of Object.entries(flow.extra)) {
    if (!(key in doc) && (version === '7.0' || !DEFINED_BY_8_2.has(key))) doc[key] = value;
  }
  // Every stored Flow was validated on its way in (against flow.json, or 8.2's flow-put.json),
  // and the mapping keeps it valid for the version answering.
  return doc as unknown as FlowDocument;
}

/** Properties 8.2 gives a Flow that 7.0 did not: a 7.0 client's own of that name stay 7.0's. */
const DEFINED_BY_8_2 = new Set(['status', 'profile_id']);

const MULTI = 'urn:x-nmos:format:multi';
const VIDEO = 'urn:x-nmos:format:video';

/**
 * `essence_parameters` as `version` sees them (docs/api-versions.md, "TAMS 7.0 and 8.2"):
 * - 7.0: without 8.2's `vfr` and `init_segments`, which its video, audio and data parameters
 *   cannot hold (a multi Flow's are free-form in 7.0: shown as stored);
 * - 8.2: a video Flow without `frame_rate` is `vfr: true` (7.0's "unknown or variable": 8.2 has
 *   no unknown rate); a multi Flow's parameters are only `init_segments`, left out when that is
 *   not a boolean.
 */
function essenceDocument(
  format: string,
  params: JsonValue | undefined,
  version: ApiVersion,
): JsonValue | undefined {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return params;
  if (version === '7.0') {
    if (format === MULTI || !('vfr' in params || 'init_segments' in params)) return params;
    const { vfr: _vfr, init_segments: _init, ...seven } = params;
    return seven;
  }
  if (format === MULTI) {
    return typeof params.init_segments === 'boolean' ? { init_segments: params.init_segments } : undefined;
  }
  if (format !== VIDEO) return params;
  if (params.frame_rate === undefined) return params.vfr === true ? params : { ...params, vfr: true };
  if (params.vfr !== true) return params;
  const { vfr: _variable, ...fixed } = params;
  return fixed;
}
