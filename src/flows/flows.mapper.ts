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

/** The properties of a PUT body that are not columns of their own, kept verbatim. */
export function extraProperties(body: Record<string, unknown>): Record<string, JsonValue> {
  const extra: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!KNOWN.has(key) && !SERVER_MANAGED.has(key)) extra[key] = value as JsonValue;
  }
  return extra;
}

export function collectionDocument(items: readonly CollectionItem[]): JsonValue {
  return items.map((item) => {
    const doc: Record<string, JsonValue> = { id: item.id, role: item.role };
    if (item.container_mapping !== undefined) doc.container_mapping = item.container_mapping;
    return doc;
  });
}

export function collectionItemsFrom(value: unknown): CollectionItem[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((raw) => {
    const item = raw as { id: string; role: string; container_mapping?: JsonValue };
    const result: CollectionItem = { id: item.id, role: item.role };
    if (item.container_mapping !== undefined) result.container_mapping = item.container_mapping;
    return result;
  });
}

export interface FlowDocumentOptions {
  /** Include `timerange`, limited to this range when given. */
  timerange?: { within: TimeRange };
  /** The API version answering (default 7.0): 7.0 sees no list-valued tag. */
  version?: ApiVersion;
}

export function flowDocument(flow: FlowRecord, options: FlowDocumentOptions = {}): FlowDocument {
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
  const tags = tagsDocument(flow.tags, options.version ?? '7.0');
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
  if (options.timerange) doc.timerange = flow.timerange.intersect(options.timerange.within).toString();
  if (flow.flow_collection !== undefined) doc.flow_collection = collectionDocument(flow.flow_collection);
  if (flow.collected_by.length > 0) doc.collected_by = flow.collected_by;
  set('container_mapping', flow.container_mapping);
  set('essence_parameters', flow.essence_parameters);
  for (const [key, value] of Object.entries(flow.extra)) {
    if (!(key in doc)) doc[key] = value;
  }
  // Every stored Flow was validated against flow.json on its way in, and the mapping keeps it so.
  return doc as unknown as FlowDocument;
}
