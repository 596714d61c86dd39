import type { JsonValue } from '../db/db.types.ts';
import type { TimeRange } from '../time/index.ts';

/** A tag's value: a string, or (TAMS 8.x, ADR 0040) a list of strings, possibly empty. */
export type TagValue = string | string[];

export type Tags = Record<string, TagValue>;

export interface CollectionItem {
  id: string;
  role: string;
  container_mapping?: JsonValue;
}

/** A Flow as the store keeps it; services turn it into the API document. */
export interface FlowRecord {
  id: string;
  source_id: string;
  format: string;
  codec?: string;
  container?: string;
  label?: string;
  description?: string;
  created_by?: string;
  updated_by?: string;
  created: Date;
  metadata_updated: Date;
  segments_updated?: Date;
  metadata_version: string;
  read_only?: boolean;
  generation?: number;
  avg_bit_rate?: number;
  max_bit_rate?: number;
  essence_parameters?: JsonValue;
  segment_duration?: JsonValue;
  container_mapping?: JsonValue;
  /** Properties outside the spec's list, kept verbatim. */
  extra: Record<string, JsonValue>;
  tags: Tags;
  /** The Flow's own collection, in the order the client gave. */
  flow_collection?: CollectionItem[];
  /** Flows that collect this one (derived from their collections). */
  collected_by: string[];
  /** Envelope of the Flow's segments; empty when it has none. */
  timerange: TimeRange;
}

export interface SourceRecord {
  id: string;
  format: string;
  label?: string;
  description?: string;
  created_by?: string;
  updated_by?: string;
  created: Date;
  updated: Date;
  tags: Tags;
  /** Derived from the collections of this Source's Flows. */
  source_collection: CollectionItem[];
  /** Derived: Sources whose Flows collect this Source's Flows. */
  collected_by: string[];
}

/** Filters shared by /flows and /sources listings. */
export interface TagFilters {
  /**
   * tag.{name}: the tag holds one of these values: a string tag equal to one of them, or a list
   * tag with one of them as an element (exact matches only).
   */
  equals: Record<string, readonly string[]>;
  /** tag_exists.{name}=true|false. */
  exists: Record<string, boolean>;
  /**
   * Only string-valued tags count: a list-valued tag is as if absent (TAMS 7.0's view, which has
   * no lists: docs/api-versions.md). Otherwise every tag counts.
   */
  stringsOnly?: boolean;
}

export interface Page<T> {
  items: T[];
  /** Cursor of the next page; undefined on the last page. */
  next?: string;
}
