/** The parts of the API's documents the UI reads (TAMS 7.0 and the server's extensions). */

export type Tags = Record<string, string | string[]>;

export interface Source {
  id: string;
  format: string;
  label?: string;
  description?: string;
  tags?: Tags;
  created?: string;
  updated?: string;
  source_collection?: { id: string; role?: string }[];
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
  flow_collection?: { id: string; role?: string }[];
  avg_bit_rate?: number;
  max_bit_rate?: number;
}

export interface Segment {
  object_id: string;
  timerange: string;
}

export interface Whoami {
  name: string | null;
  scopes: string[];
  scheme: 'basic' | 'token' | 'jwt' | 'none';
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
  delete_flow?: boolean;
  status: string;
  created?: string;
  created_by?: string;
  updated?: string;
  expiry?: string;
  error?: { summary?: string };
}

export interface Webhook {
  id?: string;
  url: string;
  api_key_name?: string;
  events: string[];
  flow_ids?: string[];
  source_ids?: string[];
  status?: string;
  error?: { summary?: string };
  owner?: string;
  delivery_suspended?: string;
}
