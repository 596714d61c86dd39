import type { FileDetail, FileDoc } from './exr.schemas.ts';
import type {
  ExrAttributeRecord,
  ExrChannelRecord,
  ExrFileRecord,
  ExrFrameRecord,
  ExrPartRecord,
} from './store/exr.records.ts';

type PartDoc = FileDoc['parts'][number];
type FrameDoc = NonNullable<FileDoc['frame']>;

/** The API's view of a file: its row, and its parts with their channels (attributes: detail). */
export function fileDoc(
  f: ExrFileRecord,
  parts: readonly ExrPartRecord[],
  channels: readonly ExrChannelRecord[],
  frame?: ExrFrameRecord,
): FileDoc {
  const doc: FileDoc = {
    id: f.file_id,
    status: f.status,
    path: f.file_path,
    compressions: f.compressions,
    channel_names: f.channel_names,
    pixel_types: f.pixel_types,
    resolutions: f.resolutions,
    inspection_count: f.inspection_count,
    first_inspected: f.inspection_timestamp,
    last_inspected: f.last_inspected,
    parts: parts.map((p) =>
      partDoc(
        p,
        channels.filter((c) => c.part_index === p.part_index),
      ),
    ),
  };
  if (f.error_code !== undefined) doc.error = { code: f.error_code, message: f.error_message ?? '' };
  const optional: [keyof FileDoc, unknown][] = [
    ['object_id', f.object_id],
    ['storage_id', f.storage_id],
    ['size_bytes', f.size_bytes],
    ['mtime', f.mtime],
    ['header_hash', f.header_hash],
    ['part_count', f.multipart_count],
    ['deep', f.is_deep],
    ['tiled', f.is_tiled],
    ['width', f.width],
    ['height', f.height],
    ['channel_count', f.channel_count],
    ['frame_number', f.frame_number],
    ['frame_source', f.frame_source],
    ['removed', f.removed?.toISOString()],
  ];
  for (const [key, value] of optional) if (value !== undefined) Object.assign(doc, { [key]: value });
  if (frame !== undefined) doc.frame = frameDoc(frame);
  return doc;
}

export function frameDoc(f: ExrFrameRecord): FrameDoc {
  return {
    flow_id: f.flow_id,
    object_id: f.object_id,
    timerange: f.timerange,
    ...(f.frame_number !== undefined && { frame_number: f.frame_number }),
    ...(f.frame_source !== undefined && { frame_source: f.frame_source }),
  };
}

/** The whole of a file: every part with its channels and attributes, issues, where it is used. */
export function fileDetail(
  f: ExrFileRecord,
  parts: readonly ExrPartRecord[],
  channels: readonly ExrChannelRecord[],
  attributes: readonly ExrAttributeRecord[],
  frames: readonly ExrFrameRecord[],
): FileDetail {
  const doc = fileDoc(f, parts, channels);
  for (const part of doc.parts) {
    part.attributes = attributes
      .filter((a) => a.part_index === part.index)
      .map((a) => ({
        name: a.attr_name,
        type: a.attr_type,
        size: a.attr_size,
        offset: a.attr_offset,
        value: parseValue(a.value_json),
      }));
  }
  return {
    ...doc,
    ...(f.version_field !== undefined && { version_field: f.version_field }),
    ...(f.header_end !== undefined && { header_end: f.header_end }),
    issues: Array.isArray(f.issues) ? f.issues : [],
    ...(f.vector_layout !== undefined && { vector_layout: f.vector_layout }),
    frames: frames.map(frameDoc),
  };
}

function parseValue(json: string | undefined): unknown {
  if (json === undefined) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

function partDoc(p: ExrPartRecord, channels: readonly ExrChannelRecord[]): PartDoc {
  const doc: PartDoc = {
    index: p.part_index,
    type: p.part_type,
    multi_view: p.multi_view,
    tiled: p.is_tiled,
    deep: p.is_deep,
    missing_required: p.missing_required,
    channels: channels.map((c) => ({
      name: c.channel_name,
      layer: c.layer_name,
      component: c.component_name,
      pixel_type: c.channel_type,
      x_sampling: c.x_sampling,
      y_sampling: c.y_sampling,
      p_linear: c.p_linear,
    })),
  };
  const optional: [keyof PartDoc, unknown][] = [
    ['name', p.part_name],
    ['view', p.view_name],
    ['width', p.width],
    ['height', p.height],
    ['display_width', p.display_width],
    ['display_height', p.display_height],
    ['data_window', box(p.data_window)],
    ['display_window', box(p.display_window)],
    ['compression', p.compression],
    ['line_order', p.line_order],
    ['pixel_aspect_ratio', p.pixel_aspect],
    ['chunk_count', p.chunk_count],
    ['color_space', p.color_space],
    ['software', p.render_software],
  ];
  for (const [key, value] of optional) if (value !== undefined) Object.assign(doc, { [key]: value });
  if (p.tile_width !== undefined && p.tile_height !== undefined) {
    doc.tiles = {
      width: p.tile_width,
      height: p.tile_height,
      ...(p.tile_level_mode !== undefined && { level_mode: p.tile_level_mode }),
      ...(p.tile_rounding_mode !== undefined && { rounding_mode: p.tile_rounding_mode }),
    };
  }
  return doc;
}

function box(json: string | undefined): PartDoc['data_window'] {
  const value = parseValue(json);
  return value !== null && typeof value === 'object' ? (value as PartDoc['data_window']) : undefined;
}
