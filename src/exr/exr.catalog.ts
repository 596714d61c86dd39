import { utf8Bytes } from '../common/cells.ts';
import type { JsonValue } from '../db/db.types.ts';
import { fitColumns } from './exr.fit.ts';
import { type FileIdentity, fileId, normalizePath } from './exr.identity.ts';
import { encodeVector, metadataVector, VECTOR_LAYOUT } from './exr.vector.ts';
import type { ExrAttribute, ExrHeader, ExrPart } from './parser/exr.types.ts';
import type {
  ExrAttributeRecord,
  ExrChannelRecord,
  ExrFileRecord,
  ExrInspection,
  ExrPartRecord,
  FrameSource,
} from './store/exr.records.ts';
import { decodeSet, encodeSet } from './store/exr.sets.ts';

/** What one inspection knows besides the header. */
export interface CatalogContext {
  identity: FileIdentity;
  headerHash: string;
  size?: number;
  mtime?: string;
  frame?: { number: number; source: FrameSource };
  /** ISO 8601 UTC. */
  now: string;
}

/**
 * A value whose JSON has more bytes than this is kept as a note of its length (a row stays small,
 * and far within one cell, CELL_MAX_BYTES); its text is then not kept either.
 */
const MAX_VALUE_JSON = 65_536;

/** Attributes read for the parts' color_space and render_software columns, first found wins. */
const COLOR_SPACE = ['colorspace', 'colorSpace', 'ColorSpace', 'oiio:ColorSpace', 'color_space'];
const SOFTWARE = ['software', 'Software', 'renderer', 'generator', 'writer'];

/** The rows of a parsed file: the file, its parts, channels and attributes. */
export function catalogue(header: ExrHeader, ctx: CatalogContext): ExrInspection {
  const id = fileId(ctx.identity, ctx.headerHash);
  const path = ctx.identity.path;
  const parts = header.parts.map((p) => partRecord(p, id, path));
  const channels = header.parts.flatMap((p) =>
    p.summary.channels.map(
      (c, i): ExrChannelRecord => ({
        file_id: id,
        file_path: path,
        part_index: p.index,
        channel_index: i,
        channel_name: c.name,
        ...splitChannel(c.name),
        channel_type: String(c.pixelType),
        x_sampling: c.xSampling,
        y_sampling: c.ySampling,
        p_linear: c.pLinear !== 0,
      }),
    ),
  );
  const attributes = header.parts.flatMap((p) =>
    p.attributes.map((a, i) => attributeRecord(a, i, p, id, path)),
  );
  const summaries = header.parts.map((p) => p.summary);
  const first = summaries[0];
  const file: ExrFileRecord = {
    ...base(ctx, id),
    header_hash: ctx.headerHash,
    status: 'inspected',
    multipart_count: header.parts.length,
    is_deep: summaries.some((s) => s.deep),
    is_tiled: summaries.some((s) => s.tiled),
    ...(first?.width !== undefined && { width: first.width }),
    ...(first?.height !== undefined && { height: first.height }),
    channel_count: channels.length,
    compressions: asSet(
      summaries.flatMap((s) => (s.compression === undefined ? [] : [String(s.compression)])),
    ),
    channel_names: asSet(channels.map((c) => c.channel_name)),
    pixel_types: asSet(channels.map((c) => c.channel_type)),
    resolutions: asSet(
      summaries.flatMap((s) =>
        s.width === undefined || s.height === undefined ? [] : [`${s.width}x${s.height}`],
      ),
    ),
    version_field: header.version.field,
    header_end: header.headerEnd,
    issues: header.issues.map((i) => ({
      code: i.code,
      message: i.message,
      ...(i.part !== undefined && { part: i.part }),
    })),
    metadata_vector: encodeVector(metadataVector(header)),
    vector_layout: VECTOR_LAYOUT,
  };
  const inspection = { file, parts, channels, attributes };
  const unfit = fitColumns(inspection);
  if (unfit.length > 0) file.issues = [...(file.issues as JsonValue[]), ...unfit] as JsonValue;
  return inspection;
}

/**
 * A set column's values as the store hands them back (exr.sets.ts: no repeats, in its order),
 * so that a file just inspected reads the same as when it is listed.
 */
const asSet = (values: readonly string[]): string[] => decodeSet(encodeSet(values));

/**
 * JSON of a decoded value where floats that JSON cannot write (a float attribute of +Infinity,
 * -Infinity, NaN: JSON.stringify makes them null) are the strings "Infinity", "-Infinity" and
 * "NaN", so that no value is lost. Float fields are numbers or these strings, nothing else.
 */
export const valueJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

/** The row recording that a file could not be inspected (its bytes missing, or not EXR). */
export function failureRecord(
  ctx: Omit<CatalogContext, 'headerHash'>,
  error: { code: string; message: string },
): ExrFileRecord {
  return {
    ...base(ctx, fileId(ctx.identity, undefined)),
    status: 'failed',
    error_code: error.code,
    error_message: error.message,
    compressions: [],
    channel_names: [],
    pixel_types: [],
    resolutions: [],
  };
}

function base(ctx: Omit<CatalogContext, 'headerHash'>, id: string) {
  const { identity } = ctx;
  return {
    file_id: id,
    file_path: identity.path,
    file_path_normalized: normalizePath(identity.path),
    size_bytes: ctx.size,
    ...(ctx.mtime !== undefined && { mtime: ctx.mtime }),
    ...(ctx.frame !== undefined && { frame_number: ctx.frame.number, frame_source: ctx.frame.source }),
    inspection_timestamp: ctx.now,
    inspection_count: 1,
    last_inspected: ctx.now,
    identity_kind: identity.kind,
    ...(identity.kind === 'object' && {
      object_id: identity.objectId,
      ...(identity.storageId !== undefined && { storage_id: identity.storageId }),
    }),
  } satisfies Partial<ExrFileRecord>;
}

function partRecord(part: ExrPart, id: string, path: string): ExrPartRecord {
  const s = part.summary;
  const record: ExrPartRecord = {
    file_id: id,
    file_path: path,
    part_index: part.index,
    multi_view: s.multiView !== undefined,
    is_tiled: s.tiled,
    is_deep: s.deep,
    part_type: s.type,
    channel_count: s.channels.length,
    missing_required: part.missingRequired,
  };
  const set = <K extends keyof ExrPartRecord>(key: K, value: ExrPartRecord[K] | undefined) => {
    if (value !== undefined) record[key] = value;
  };
  set('width', s.width);
  set('height', s.height);
  set('display_width', s.displayWidth);
  set('display_height', s.displayHeight);
  set('data_x_offset', s.dataWindow?.xMin);
  set('data_y_offset', s.dataWindow?.yMin);
  set('part_name', s.name);
  set('view_name', s.view);
  set('data_window', s.dataWindow && JSON.stringify(s.dataWindow));
  set('display_window', s.displayWindow && JSON.stringify(s.displayWindow));
  set('line_order', s.lineOrder === undefined ? undefined : String(s.lineOrder));
  set('compression', s.compression === undefined ? undefined : String(s.compression));
  set('color_space', firstString(part.attributes, COLOR_SPACE));
  set('render_software', firstString(part.attributes, SOFTWARE));
  set('tile_width', s.tiles?.xSize);
  set('tile_height', s.tiles?.ySize);
  set('tile_level_mode', s.tiles?.levelMode);
  set('tile_rounding_mode', s.tiles?.roundingMode);
  set('pixel_aspect', Number.isFinite(s.pixelAspectRatio) ? s.pixelAspectRatio : undefined);
  set('chunk_count', s.chunkCount);
  return record;
}

function firstString(attributes: readonly ExrAttribute[], names: readonly string[]): string | undefined {
  for (const name of names) {
    const found = attributes.findLast((a) => a.name === name && a.type === 'string');
    if (found !== undefined && typeof found.value === 'string') return found.value;
  }
  return undefined;
}

/** `diffuse.R` is layer `diffuse`, component `R` (split at the last dot); `R` has no layer. */
export function splitChannel(name: string): { layer_name: string; component_name: string } {
  const dot = name.lastIndexOf('.');
  return dot <= 0
    ? { layer_name: '', component_name: name }
    : { layer_name: name.slice(0, dot), component_name: name.slice(dot + 1) };
}

function attributeRecord(
  a: ExrAttribute,
  index: number,
  part: ExrPart,
  id: string,
  path: string,
): ExrAttributeRecord {
  const record: ExrAttributeRecord = {
    file_id: id,
    file_path: path,
    part_index: part.index,
    attr_index: index,
    attr_name: a.name,
    attr_type: a.type,
    attr_size: a.size,
    attr_offset: a.offset,
  };
  const json = valueJson(a.value);
  const small = utf8Bytes(json) <= MAX_VALUE_JSON;
  record.value_json = small ? json : JSON.stringify({ truncated: true, chars: json.length });
  const value: unknown = a.value;
  if (typeof value === 'string' && small) record.value_text = value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    record.value_float = value;
    if (a.type === 'int' && Number.isSafeInteger(value)) record.value_int = BigInt(value);
  }
  return record;
}
