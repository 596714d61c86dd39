import type { JsonValue } from '../../db/db.types.ts';

/**
 * The rows of the EXR tables as the store hands them out (exr.tables.ts says what each column
 * is). Sets (`compressions`, ...) are arrays here and `|a|b|` in the tables.
 */

export type ExrStatus = 'inspected' | 'failed';
export type FrameSource = 'name' | 'timeline';

/** What the listings filter on, on a file's row and copied on its frames' rows. */
export interface ExrFileFacts {
  file_id: string;
  file_path: string;
  status: ExrStatus;
  size_bytes?: number;
  multipart_count?: number;
  is_deep?: boolean;
  width?: number;
  height?: number;
  compressions: string[];
  channel_names: string[];
  pixel_types: string[];
  resolutions: string[];
}

export interface ExrFileRecord extends ExrFileFacts {
  file_path_normalized: string;
  header_hash?: string;
  mtime?: string;
  frame_number?: number;
  frame_source?: FrameSource;
  inspection_timestamp: string;
  inspection_count: number;
  last_inspected: string;
  identity_kind?: 'object' | 'path';
  object_id?: string;
  storage_id?: string;
  error_code?: string;
  error_message?: string;
  is_tiled?: boolean;
  channel_count?: number;
  version_field?: number;
  header_end?: number;
  issues?: JsonValue;
  metadata_vector?: string;
  vector_layout?: string;
  removed?: Date;
}

export interface ExrPartRecord {
  file_id: string;
  file_path: string;
  part_index: number;
  width?: number;
  height?: number;
  display_width?: number;
  display_height?: number;
  data_x_offset?: number;
  data_y_offset?: number;
  part_name?: string;
  view_name?: string;
  multi_view: boolean;
  data_window?: string;
  display_window?: string;
  line_order?: string;
  compression?: string;
  color_space?: string;
  render_software?: string;
  is_tiled: boolean;
  tile_width?: number;
  tile_height?: number;
  is_deep: boolean;
  pixel_aspect?: number;
  part_type: string;
  tile_level_mode?: string;
  tile_rounding_mode?: string;
  chunk_count?: number;
  channel_count: number;
  missing_required: string[];
}

export interface ExrChannelRecord {
  file_id: string;
  file_path: string;
  part_index: number;
  channel_index: number;
  channel_name: string;
  layer_name: string;
  component_name: string;
  channel_type: string;
  x_sampling: number;
  y_sampling: number;
  p_linear: boolean;
}

export interface ExrAttributeRecord {
  file_id: string;
  file_path: string;
  part_index: number;
  attr_index: number;
  attr_name: string;
  attr_type: string;
  value_json?: string;
  value_text?: string;
  value_int?: bigint;
  value_float?: number;
  attr_size: number;
  attr_offset: number;
}

/** A file with everything under it, as one inspection makes it. */
export interface ExrInspection {
  file: ExrFileRecord;
  parts: ExrPartRecord[];
  channels: ExrChannelRecord[];
  attributes: ExrAttributeRecord[];
}

/** A segment of an EXR image Flow and the file of its object. */
export interface ExrFrameRecord extends Partial<ExrFileFacts> {
  flow_id: string;
  object_id: string;
  seg_start: bigint;
  timerange: string;
  frame_number?: number;
  frame_source?: FrameSource;
  registered: Date;
}

/** The filters of the file listings (every one optional; all given must hold). */
export interface ExrFileFilters {
  pathPrefix?: string;
  compression?: string;
  minSize?: number;
  maxSize?: number;
  channel?: string;
  parts?: number;
  deep?: boolean;
  frameMin?: number;
  frameMax?: number;
  /** Default inspected. */
  status?: ExrStatus | 'all';
  /** Files no Flow uses any more are left out unless this is true (listings without a Flow). */
  includeRemoved?: boolean;
}
