import type { TableDef } from '../../db/db.types.ts';

/**
 * EXR metadata (src/exr/): the OpenEXR headers of image media, one row per file, part, channel
 * and attribute, and where each file sits in the Flows that use it.
 *
 * The four catalogue tables carry the column names and types of exr-inspector
 * (github.com/ssotoa70/exr_inspector: `files`, `parts`, `channels`, `attributes`, written by its
 * vast_db_persistence.py), so a query written for that tool's tables runs on these once the
 * table name is changed, and rows copied between them keep their meaning. Its times are ISO 8601
 * strings, and they stay strings here. Three of its columns have types these engines do not
 * store (float32, and fixed-size float32 lists): `pixel_aspect_ratio` is `pixel_aspect`
 * (float64), and the 384-float `metadata_embedding` is `metadata_vector`, the same floats as
 * base64 text (src/exr/exr.vector.ts gives the layout); the 128-float `channel_fingerprint` is
 * not kept. Declaring none of the three under the tool's names keeps a table the tool created
 * openable: the VAST engine leaves columns of foreign types out of what it describes, and the
 * table manager ignores columns it does not declare.
 *
 * The names are prefixed (`exr_`) because they share the store's schema with the TAMS tables.
 * Columns after the tool's are this server's own (rows the tool wrote read null there).
 */
export const ET = {
  files: 'exr_files',
  parts: 'exr_parts',
  channels: 'exr_channels',
  attributes: 'exr_attributes',
  frames: 'exr_frames',
  state: 'exr_state',
} as const;

export const exrTables: TableDef[] = [
  {
    name: ET.files,
    lookups: ['file_id', 'object_id'],
    columns: [
      // exr-inspector's columns.
      // sha256(identity + header hash), 32 hex digits (src/exr/exr.identity.ts).
      { name: 'file_id', type: 'string', nullable: false },
      { name: 'file_path', type: 'string', nullable: false },
      { name: 'file_path_normalized', type: 'string', nullable: false },
      // SHA-256 of the header's bytes (magic to the end of the last part's attributes); null when
      // the file could not be parsed.
      { name: 'header_hash', type: 'string' },
      { name: 'size_bytes', type: 'int64' },
      // The object's last modification in its backend (ISO 8601 UTC), when the backend says.
      { name: 'mtime', type: 'string' },
      { name: 'multipart_count', type: 'int32' },
      { name: 'is_deep', type: 'boolean' },
      // From the file's name, else from its position in the first Flow it was registered on
      // (src/exr/exr.frames.ts).
      { name: 'frame_number', type: 'int32' },
      // First and latest inspection (ISO 8601 UTC) and how many there were.
      { name: 'inspection_timestamp', type: 'string', nullable: false },
      { name: 'inspection_count', type: 'int32', nullable: false },
      { name: 'last_inspected', type: 'string', nullable: false },
      // This server's columns.
      // What the file is: `object` (a TAMS media object) or `path` (bytes posted to /exr/inspect).
      { name: 'identity_kind', type: 'string' },
      { name: 'object_id', type: 'string' },
      { name: 'storage_id', type: 'string' },
      // inspected | failed (the tool writes inspected files only: null reads as inspected).
      { name: 'status', type: 'string' },
      // Why a file failed: an ExrParseError code (or MISSING, NO_STORAGE), and its message.
      { name: 'error_code', type: 'string' },
      { name: 'error_message', type: 'string' },
      { name: 'is_tiled', type: 'boolean' },
      // Of the first part's data window.
      { name: 'width', type: 'int32' },
      { name: 'height', type: 'int32' },
      { name: 'channel_count', type: 'int32' },
      // Sets over every part, as `|A|B|` (exr.sets.ts): what the list filters look into.
      { name: 'compressions', type: 'string' },
      { name: 'channel_names', type: 'string' },
      { name: 'pixel_types', type: 'string' },
      { name: 'resolutions', type: 'string' },
      // name | timeline: where frame_number came from.
      { name: 'frame_source', type: 'string' },
      { name: 'version_field', type: 'int32' },
      { name: 'header_end', type: 'int64' },
      // What the parser found odd without refusing the file ([{code, message, part?}]).
      { name: 'issues', type: 'json' },
      // The metadata vector (exr.vector.ts) and its layout's name (rows of another layout, or
      // none, are left out of similarity).
      { name: 'metadata_vector', type: 'string' },
      { name: 'vector_layout', type: 'string' },
      // Set when no Flow uses the object any more: the file leaves the listings, its rows stay.
      { name: 'removed', type: 'timestamp' },
    ],
  },
  {
    name: ET.parts,
    lookups: ['file_id'],
    columns: [
      { name: 'file_id', type: 'string', nullable: false },
      { name: 'file_path', type: 'string' },
      { name: 'part_index', type: 'int32', nullable: false },
      { name: 'width', type: 'int32' },
      { name: 'height', type: 'int32' },
      { name: 'display_width', type: 'int32' },
      { name: 'display_height', type: 'int32' },
      { name: 'data_x_offset', type: 'int32' },
      { name: 'data_y_offset', type: 'int32' },
      { name: 'part_name', type: 'string' },
      { name: 'view_name', type: 'string' },
      { name: 'multi_view', type: 'boolean' },
      // {"xMin","yMin","xMax","yMax"} as JSON text.
      { name: 'data_window', type: 'string' },
      { name: 'display_window', type: 'string' },
      { name: 'line_order', type: 'string' },
      { name: 'compression', type: 'string' },
      // From a `colorspace`-like string attribute, and the `software`-like one.
      { name: 'color_space', type: 'string' },
      { name: 'render_software', type: 'string' },
      { name: 'is_tiled', type: 'boolean' },
      { name: 'tile_width', type: 'int32' },
      { name: 'tile_height', type: 'int32' },
      // Always null: OpenEXR tiles have no depth (the tool's column, kept for its queries).
      { name: 'tile_depth', type: 'int32' },
      { name: 'is_deep', type: 'boolean' },
      // This server's columns.
      { name: 'pixel_aspect', type: 'float64' },
      // scanlineimage | tiledimage | deepscanline | deeptile | unknown
      { name: 'part_type', type: 'string' },
      { name: 'tile_level_mode', type: 'string' },
      { name: 'tile_rounding_mode', type: 'string' },
      { name: 'chunk_count', type: 'int64' },
      { name: 'channel_count', type: 'int32' },
      { name: 'missing_required', type: 'json' },
    ],
  },
  {
    name: ET.channels,
    lookups: ['file_id'],
    columns: [
      { name: 'file_id', type: 'string', nullable: false },
      { name: 'file_path', type: 'string' },
      { name: 'part_index', type: 'int32', nullable: false },
      { name: 'channel_name', type: 'string', nullable: false },
      // `diffuse` and `R` of `diffuse.R` (split at the last dot); '' and the name for `R`.
      { name: 'layer_name', type: 'string' },
      { name: 'component_name', type: 'string' },
      // HALF | FLOAT | UINT (an unknown type's number as text).
      { name: 'channel_type', type: 'string' },
      { name: 'x_sampling', type: 'int32' },
      { name: 'y_sampling', type: 'int32' },
      // This server's columns: the position in the part's channel list, and pLinear.
      { name: 'channel_index', type: 'int32' },
      { name: 'p_linear', type: 'boolean' },
    ],
  },
  {
    name: ET.attributes,
    lookups: ['file_id'],
    columns: [
      { name: 'file_id', type: 'string', nullable: false },
      { name: 'file_path', type: 'string' },
      { name: 'part_index', type: 'int32', nullable: false },
      { name: 'attr_name', type: 'string', nullable: false },
      // The type name in the file (`string`, `box2i`, `chlist`, ...), not OpenImageIO's.
      { name: 'attr_type', type: 'string', nullable: false },
      // The decoded value as JSON; the typed copies for scalar values.
      { name: 'value_json', type: 'string' },
      { name: 'value_text', type: 'string' },
      { name: 'value_int', type: 'int64' },
      { name: 'value_float', type: 'float64' },
      // This server's columns: position in the part's header, size and offset in the file.
      { name: 'attr_index', type: 'int32' },
      { name: 'attr_size', type: 'int32' },
      { name: 'attr_offset', type: 'int64' },
    ],
  },
  {
    // Where files sit in Flows: one row per segment of an EXR image Flow, kept by the follower of
    // the event outbox (src/exr/follow/exr.follow.ts). The file's filter columns are copied here so that
    // a Flow's frames are listed and filtered with one query on either engine.
    name: ET.frames,
    lookups: ['flow_id', 'object_id'],
    columns: [
      { name: 'flow_id', type: 'string', nullable: false },
      { name: 'object_id', type: 'string', nullable: false },
      // The segment: its start identifies it in its Flow (segments never overlap).
      { name: 'seg_start', type: 'int64', nullable: false },
      { name: 'timerange', type: 'string', nullable: false },
      { name: 'frame_number', type: 'int32' },
      { name: 'frame_source', type: 'string' },
      { name: 'registered', type: 'timestamp', nullable: false },
      // Copies of the object's file (updated when it is inspected again).
      { name: 'file_id', type: 'string' },
      { name: 'file_path', type: 'string' },
      { name: 'status', type: 'string' },
      { name: 'size_bytes', type: 'int64' },
      { name: 'multipart_count', type: 'int32' },
      { name: 'is_deep', type: 'boolean' },
      { name: 'width', type: 'int32' },
      { name: 'height', type: 'int32' },
      { name: 'compressions', type: 'string' },
      { name: 'channel_names', type: 'string' },
      { name: 'pixel_types', type: 'string' },
      { name: 'resolutions', type: 'string' },
    ],
  },
  {
    // The follower's progress, a row per key, updated in place.
    name: ET.state,
    columns: [
      { name: 'key', type: 'string', nullable: false },
      { name: 'value', type: 'json' },
    ],
  },
];
