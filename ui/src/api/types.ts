/**
 * The parts of the API's documents the UI reads: TAMS 8.2's (the UI reads the 8.2 mount, see
 * api/http.ts) and the server's extensions.
 */

/** 8.2 tag values: a string, or a list of strings (which 7.0 clients do not see). */
export type Tags = Record<string, string | string[]>;

/** A collection item: 8.2 makes `role` optional (7.0 always gives one, `""` for none). */
export interface CollectionItem {
  id: string;
  role?: string;
}

export interface Source {
  id: string;
  format: string;
  label?: string;
  description?: string;
  tags?: Tags;
  created?: string;
  updated?: string;
  source_collection?: CollectionItem[];
  collected_by?: string[];
}

export interface Flow {
  id: string;
  source_id: string;
  format: string;
  codec?: string;
  container?: string;
  label?: string;
  description?: string;
  tags?: Tags;
  created?: string;
  updated?: string;
  created_by?: string;
  read_only?: boolean;
  timerange?: string;
  segment_duration?: { numerator: number; denominator?: number };
  essence_parameters?: Record<string, unknown>;
  flow_collection?: CollectionItem[];
  collected_by?: string[];
  avg_bit_rate?: number;
  max_bit_rate?: number;
  /** 8.2: the ingest status a client keeps (flow-status.json); absent when none was set. */
  status?: FlowStatus;
  /** 8.2: the Flow Profile the Flow was made from, while it still matches it. */
  profile_id?: string;
}

export const FLOW_STATUSES = [
  'awaiting_content',
  'ingesting',
  'replication_in_progress',
  'closed_complete',
] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

/** A `get_urls` item as 8.2 gives it (verbose_storage adds the backend's fields). */
export interface GetUrl {
  url: string;
  label?: string;
  presigned?: boolean;
  controlled?: boolean;
  storage_id?: string;
  tags?: Tags;
}

export interface Segment {
  object_id: string;
  timerange: string;
  ts_offset?: string;
  last_duration?: string;
  /** 8.2, with include_object_timerange=true: the timerange of the media in the object. */
  object_timerange?: string;
  key_frame_count?: number;
  sample_offset?: number;
  sample_count?: number;
  get_urls?: GetUrl[];
}

/** GET /objects/{id} (8.2): the object's own timerange and key frames, and who uses it. */
export interface MediaObject {
  id: string;
  referenced_by_flows: string[];
  first_referenced_by_flow?: string;
  timerange?: string;
  key_frame_count?: number;
  get_urls?: GetUrl[];
}

/** A Flow Profile (8.2 profile.json): house technical metadata that Flows are made from. */
export interface Profile {
  id: string;
  label?: string;
  description?: string;
  created?: string;
  created_by?: string;
  tags?: Tags;
  flow_metadata: {
    format?: string;
    codec?: string;
    container?: string;
    essence_parameters?: Record<string, unknown>;
  } & Record<string, unknown>;
}

/** An item of GET /service/storage-backends (8.2: with the backend's `tags`). */
export interface StorageBackend {
  id: string;
  label?: string;
  store_type?: string;
  provider?: string;
  store_product?: string;
  region?: string;
  availability_zone?: string;
  default_storage?: boolean;
  tags?: Tags;
}

export interface Whoami {
  name: string | null;
  scopes: string[];
  scheme: 'basic' | 'token' | 'jwt' | 'none';
  /** Which scopes each route needs (TAMS_AUTH_SCOPE_MAP); absent from older servers: `methods`. */
  scope_map?: 'methods' | 'appnote-0016';
}

export interface SearchHit {
  kind: string;
  source_id?: string;
  flow_id?: string;
  text_flow_id?: string;
  timerange?: string;
  score: number;
  speaker?: string;
  snippet: { text: string; highlights: [number, number][] };
}

export interface SearchResult {
  hits: SearchHit[];
  total: number;
  complete: boolean;
}

/** An item the search index could not index, as its status gives it. */
export interface SearchFailure {
  kind: 'segment' | 'transcript' | 'other';
  flow_id?: string;
  timerange?: string;
  object_id?: string;
  transcript_id?: string;
  ref?: string;
  reason: string;
  at: string;
}

/** GET /search/status (src/search/search.schemas.ts, SearchStatus), as far as the UI reads it. */
export interface SearchIndexStatus {
  up_to_date: boolean;
  cues_outside: number;
  flows_with_cues_outside: {
    flow_id: string;
    label?: string;
    cues_outside: number;
    segments_with_cues_outside: number;
  }[];
  failed_items: number;
  recent_failures: SearchFailure[];
}

/** The `flow` of GET /search/status?flow_id= (src/search/index/search.flowstatus.ts). */
export interface FlowSearchStatus {
  flow_id: string;
  timed_text: boolean;
  segments: number;
  cues: number;
  cues_indexed: number;
  cues_outside: number;
  segments_with_cues_outside: number;
  most_outside?: {
    timerange: string;
    object_id: string;
    ts_offset?: string;
    cues: number;
    cues_outside: number;
    cue_times?: string;
  };
  transcripts: number;
  unembedded: number;
  failed: number;
  failures: {
    kind: 'segment' | 'transcript' | 'other';
    timerange?: string;
    object_id?: string;
    transcript_id?: string;
    ref?: string;
    reason: string;
    at: string;
  }[];
}

export interface ExrFile {
  id: string;
  status: 'inspected' | 'failed';
  error?: { code: string; message: string };
  path: string;
  size_bytes?: number;
  width?: number;
  height?: number;
  part_count?: number;
  deep?: boolean;
  tiled?: boolean;
  compressions: string[];
  channel_names: string[];
  pixel_types: string[];
  frame_number?: number;
  frame?: { timerange: string };
}

export interface DeletionRequest {
  id: string;
  flow_id: string;
  timerange_to_delete?: string;
  /** What a running request has still to delete. */
  timerange_remaining?: string;
  delete_flow?: boolean;
  status: string;
  created?: string;
  created_by?: string;
  updated?: string;
  expiry?: string;
  error?: { summary?: string };
}

/** A webhook as 8.2 lists it (webhook-get.json), whichever version registered it. */
export interface Webhook {
  id: string;
  url: string;
  api_key_name?: string;
  events: string[];
  flow_ids?: string[];
  source_ids?: string[];
  status: 'created' | 'started' | 'disabled' | 'error';
  error?: { summary?: string };
  tags?: Tags;
  /** The principal that registered it (the server's extension, with authentication on). */
  owner?: string;
}
