import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, bool, num, reqStr, str } from '../../store/rows.ts';
import type { ExrAttributeRecord, ExrChannelRecord, ExrInspection, ExrPartRecord } from './exr.records.ts';
import { ET } from './exr.tables.ts';

const LOOKUP = 64;
const ORDER = [{ column: 'file_id' }, { column: 'part_index' }] as const;

/** `exr_parts`, `exr_channels` and `exr_attributes`: what is under a file, written with it. */
export class ExrChildrenRepo {
  constructor(private readonly db: DbSession) {}

  /** The parts, channels and attributes of the inspections, one insert per table. */
  async insert(inspections: readonly ExrInspection[]): Promise<void> {
    const parts = inspections.flatMap((i) => i.parts);
    const channels = inspections.flatMap((i) => i.channels);
    const attributes = inspections.flatMap((i) => i.attributes);
    if (parts.length > 0) await this.db.insert(ET.parts, parts.map(partToRow));
    if (channels.length > 0) await this.db.insert(ET.channels, channels.map(channelToRow));
    if (attributes.length > 0) await this.db.insert(ET.attributes, attributes.map(attributeToRow));
  }

  async deleteFiles(fileIds: readonly string[]): Promise<void> {
    for (let i = 0; i < fileIds.length; i += LOOKUP) {
      const where = and(col('file_id').in(fileIds.slice(i, i + LOOKUP)));
      await Promise.all([ET.parts, ET.channels, ET.attributes].map((t) => this.db.delete(t, where)));
    }
  }

  async parts(fileIds: readonly string[]): Promise<ExrPartRecord[]> {
    return (await this.rows(ET.parts, fileIds, [...ORDER])).map(partFromRow);
  }

  async channels(fileIds: readonly string[]): Promise<ExrChannelRecord[]> {
    return (await this.rows(ET.channels, fileIds, [...ORDER, { column: 'channel_index' }])).map(
      channelFromRow,
    );
  }

  async attributes(fileId: string): Promise<ExrAttributeRecord[]> {
    return (await this.rows(ET.attributes, [fileId], [...ORDER, { column: 'attr_index' }])).map(
      attributeFromRow,
    );
  }

  private async rows(table: string, fileIds: readonly string[], orderBy: { column: string }[]) {
    const out: Row[] = [];
    for (let i = 0; i < fileIds.length; i += LOOKUP) {
      const where = and(col('file_id').in(fileIds.slice(i, i + LOOKUP)));
      out.push(...(await this.db.select(table, { where, orderBy })));
    }
    return out;
  }
}

const nullish = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function partToRow(p: ExrPartRecord): Row {
  return {
    ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, nullish(v)])),
    tile_depth: null,
    chunk_count: p.chunk_count === undefined ? null : BigInt(p.chunk_count),
    missing_required: p.missing_required,
  };
}

const PART_STRINGS = [
  'part_name',
  'view_name',
  'data_window',
  'display_window',
  'line_order',
  'compression',
  'color_space',
  'render_software',
  'tile_level_mode',
  'tile_rounding_mode',
] as const;
const PART_NUMBERS = [
  'width',
  'height',
  'display_width',
  'display_height',
  'data_x_offset',
  'data_y_offset',
  'tile_width',
  'tile_height',
  'pixel_aspect',
] as const;

function partFromRow(row: Row): ExrPartRecord {
  const p: ExrPartRecord = {
    file_id: reqStr(row, 'file_id'),
    file_path: str(row, 'file_path') ?? '',
    part_index: num(row, 'part_index') ?? 0,
    multi_view: bool(row, 'multi_view') ?? false,
    is_tiled: bool(row, 'is_tiled') ?? false,
    is_deep: bool(row, 'is_deep') ?? false,
    part_type: str(row, 'part_type') ?? 'unknown',
    channel_count: num(row, 'channel_count') ?? 0,
    missing_required: Array.isArray(row.missing_required) ? (row.missing_required as string[]) : [],
  };
  for (const c of PART_STRINGS) {
    const v = str(row, c);
    if (v !== undefined) p[c] = v;
  }
  for (const c of PART_NUMBERS) {
    const v = num(row, c);
    if (v !== undefined) p[c] = v;
  }
  const chunks = big(row, 'chunk_count');
  if (chunks !== undefined) p.chunk_count = Number(chunks);
  return p;
}

function channelToRow(c: ExrChannelRecord): Row {
  return { ...c };
}

function channelFromRow(row: Row): ExrChannelRecord {
  return {
    file_id: reqStr(row, 'file_id'),
    file_path: str(row, 'file_path') ?? '',
    part_index: num(row, 'part_index') ?? 0,
    channel_index: num(row, 'channel_index') ?? 0,
    channel_name: str(row, 'channel_name') ?? '',
    layer_name: str(row, 'layer_name') ?? '',
    component_name: str(row, 'component_name') ?? '',
    channel_type: str(row, 'channel_type') ?? '',
    x_sampling: num(row, 'x_sampling') ?? 1,
    y_sampling: num(row, 'y_sampling') ?? 1,
    p_linear: bool(row, 'p_linear') ?? false,
  };
}

function attributeToRow(a: ExrAttributeRecord): Row {
  return {
    ...a,
    value_json: a.value_json ?? null,
    value_text: a.value_text ?? null,
    value_int: a.value_int ?? null,
    value_float: a.value_float ?? null,
    attr_offset: BigInt(a.attr_offset),
  };
}

function attributeFromRow(row: Row): ExrAttributeRecord {
  const a: ExrAttributeRecord = {
    file_id: reqStr(row, 'file_id'),
    file_path: str(row, 'file_path') ?? '',
    part_index: num(row, 'part_index') ?? 0,
    attr_index: num(row, 'attr_index') ?? 0,
    attr_name: str(row, 'attr_name') ?? '',
    attr_type: str(row, 'attr_type') ?? '',
    attr_size: num(row, 'attr_size') ?? 0,
    attr_offset: num(row, 'attr_offset') ?? 0,
  };
  const json = str(row, 'value_json');
  if (json !== undefined) a.value_json = json;
  const text = str(row, 'value_text');
  if (text !== undefined) a.value_text = text;
  const int = big(row, 'value_int');
  if (int !== undefined) a.value_int = int;
  const float = num(row, 'value_float');
  if (float !== undefined) a.value_float = float;
  return a;
}
