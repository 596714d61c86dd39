import type { TableDef } from '../db/db.types.ts';

/**
 * The store's tables. Adding a column here adds it to existing tables at the next start
 * (schema evolution in db/manager.ts); tables are never dropped implicitly.
 *
 * Relations are plain tables (tags, collection membership) rather than nested JSON so that every
 * filter the API offers is a predicate the engines can push down.
 */
export const T = {
  settings: 'service_settings',
  sources: 'sources',
  sourceTags: 'source_tags',
  flows: 'flows',
  flowTags: 'flow_tags',
  collections: 'flow_collections',
} as const;

export const storeTables: TableDef[] = [
  {
    name: T.settings,
    columns: [
      { name: 'key', type: 'string', nullable: false },
      { name: 'value', type: 'json' },
    ],
  },
  {
    name: T.sources,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'format', type: 'string', nullable: false },
      { name: 'label', type: 'string' },
      { name: 'description', type: 'string' },
      { name: 'created_by', type: 'string' },
      { name: 'updated_by', type: 'string' },
      { name: 'created', type: 'timestamp' },
      { name: 'updated', type: 'timestamp' },
    ],
  },
  {
    name: T.sourceTags,
    columns: [
      { name: 'source_id', type: 'string', nullable: false },
      { name: 'name', type: 'string', nullable: false },
      { name: 'value', type: 'string', nullable: false },
    ],
  },
  {
    name: T.flows,
    columns: [
      { name: 'id', type: 'string', nullable: false },
      { name: 'source_id', type: 'string', nullable: false },
      { name: 'format', type: 'string', nullable: false },
      { name: 'codec', type: 'string' },
      { name: 'container', type: 'string' },
      { name: 'label', type: 'string' },
      { name: 'description', type: 'string' },
      { name: 'created_by', type: 'string' },
      { name: 'updated_by', type: 'string' },
      { name: 'created', type: 'timestamp' },
      { name: 'metadata_updated', type: 'timestamp' },
      { name: 'segments_updated', type: 'timestamp' },
      { name: 'metadata_version', type: 'string' },
      { name: 'read_only', type: 'boolean' },
      { name: 'generation', type: 'int64' },
      { name: 'avg_bit_rate', type: 'int64' },
      { name: 'max_bit_rate', type: 'int64' },
      // Projections of essence_parameters kept as columns because /flows filters on them.
      { name: 'frame_width', type: 'int64' },
      { name: 'frame_height', type: 'int64' },
      { name: 'essence_parameters', type: 'json' },
      { name: 'segment_duration', type: 'json' },
      { name: 'container_mapping', type: 'json' },
      // Properties the spec leaves open (flow-core has no additionalProperties: false), kept verbatim.
      { name: 'extra', type: 'json' },
      // The Flow's timerange: the envelope of its segments, maintained by segment writes.
      // All null when the Flow has no segments. Nanoseconds, never strings (DESIGN.md).
      { name: 'tr_start', type: 'int64' },
      { name: 'tr_end', type: 'int64' },
      { name: 'tr_start_incl', type: 'boolean' },
      { name: 'tr_end_incl', type: 'boolean' },
    ],
  },
  {
    name: T.flowTags,
    columns: [
      { name: 'flow_id', type: 'string', nullable: false },
      { name: 'name', type: 'string', nullable: false },
      { name: 'value', type: 'string', nullable: false },
    ],
  },
  {
    name: T.collections,
    columns: [
      { name: 'collector_id', type: 'string', nullable: false },
      { name: 'member_id', type: 'string', nullable: false },
      { name: 'position', type: 'int32', nullable: false },
      { name: 'role', type: 'string', nullable: false },
      { name: 'container_mapping', type: 'json' },
    ],
  },
];
