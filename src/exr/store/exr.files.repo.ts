import type { DbSession, JsonValue, Predicate, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, bool, date, num, reqStr, str } from '../../store/rows.ts';
import { filterGroups } from './exr.filters.ts';
import { hexKeys, windowPage } from './exr.page.ts';
import type { ExrFileFilters, ExrFileRecord, ExrStatus } from './exr.records.ts';
import { decodeSet, encodeSet } from './exr.sets.ts';
import { ET } from './exr.tables.ts';

/** Ids per `in` comparison: short lists are bound value by value, which DuckDB's index serves. */
const LOOKUP = 64;

/** `exr_files`: one row per inspected (or failed) file. */
export class ExrFilesRepo {
  constructor(private readonly db: DbSession) {}

  async insert(files: readonly ExrFileRecord[]): Promise<void> {
    if (files.length > 0) await this.db.insert(ET.files, files.map(fileToRow));
  }

  async get(fileId: string): Promise<ExrFileRecord | null> {
    const [row] = await this.db.select(ET.files, { where: and(col('file_id').eq(fileId)), limit: 1 });
    return row === undefined ? null : fileFromRow(row);
  }

  async byIds(ids: readonly string[]): Promise<Map<string, ExrFileRecord>> {
    return this.byColumn('file_id', ids, (f) => f.file_id).then(
      (found) => new Map([...found].map(([k, v]) => [k, v[0] as ExrFileRecord])),
    );
  }

  /** Every row of each object (its current file, and a failure or an older header if any). */
  async byObjects(objectIds: readonly string[]): Promise<Map<string, ExrFileRecord[]>> {
    return this.byColumn('object_id', objectIds, (f) => f.object_id ?? '');
  }

  async byPath(path: string): Promise<ExrFileRecord[]> {
    const rows = await this.db.select(ET.files, { where: and(col('file_path').eq(path)) });
    return rows.map(fileFromRow);
  }

  async byNormalizedPath(path: string): Promise<ExrFileRecord[]> {
    const rows = await this.db.select(ET.files, { where: and(col('file_path_normalized').eq(path)) });
    return rows.map(fileFromRow);
  }

  /** Rows of these identities (objects or paths) with other ids than `keep`. */
  async sameIdentity(file: ExrFileRecord): Promise<ExrFileRecord[]> {
    const where =
      file.object_id !== undefined
        ? and(col('object_id').eq(file.object_id))
        : and(col('file_path_normalized').eq(file.file_path_normalized), col('object_id').isNull());
    const rows = await this.db.select(ET.files, { where });
    return rows.map(fileFromRow).filter((f) => f.file_id !== file.file_id);
  }

  /**
   * A new inspection of a file already recorded (same identity, same header): its count and time,
   * and what may differ under an identical header (the size, the modification time).
   */
  async reinspected(
    fileId: string,
    seen: { count: number; at: string; size_bytes?: number; mtime?: string },
  ): Promise<void> {
    await this.db.update(ET.files, and(col('file_id').eq(fileId)), {
      inspection_count: seen.count,
      last_inspected: seen.at,
      size_bytes: seen.size_bytes === undefined ? null : BigInt(seen.size_bytes),
      mtime: seen.mtime ?? null,
    });
  }

  async deleteIds(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += LOOKUP) {
      await this.db.delete(ET.files, and(col('file_id').in(ids.slice(i, i + LOOKUP))));
    }
  }

  /** Marks the files of these objects removed (no Flow uses them), or live again with null. */
  async setRemoved(objectIds: readonly string[], at: Date | null): Promise<void> {
    for (let i = 0; i < objectIds.length; i += LOOKUP) {
      await this.db.update(
        ET.files,
        and(
          col('object_id').in(objectIds.slice(i, i + LOOKUP)),
          at === null ? col('removed').isNotNull() : col('removed').isNull(),
        ),
        { removed: at },
      );
    }
  }

  /** A page of files in id order. */
  async page(
    filters: ExrFileFilters,
    after: string | undefined,
    limit: number,
  ): Promise<{ items: ExrFileRecord[]; next?: string }> {
    const where = [...filterGroups(filters), !filters.includeRemoved && col('removed').isNull()];
    const page = await windowPage(this.db, ET.files, hexKeys('file_id', 100_000, limit), where, after, limit);
    return {
      items: page.rows.map(fileFromRow),
      ...(typeof page.next === 'string' && { next: page.next }),
    };
  }

  /** Streams the `columns` of files not removed, failures included (statistics, similarity). */
  async scanLive(columns: readonly string[], onBatch: (rows: Row[]) => void): Promise<void> {
    await this.db.scan(ET.files, { where: and(col('removed').isNull()), columns }, onBatch);
  }

  async count(where?: Predicate): Promise<number> {
    return this.db.count(ET.files, where);
  }

  private async byColumn(
    column: string,
    values: readonly string[],
    keyOf: (f: ExrFileRecord) => string,
  ): Promise<Map<string, ExrFileRecord[]>> {
    const out = new Map<string, ExrFileRecord[]>();
    const unique = [...new Set(values)];
    for (let i = 0; i < unique.length; i += LOOKUP) {
      const rows = await this.db.select(ET.files, {
        where: and(col(column).in(unique.slice(i, i + LOOKUP))),
      });
      for (const row of rows) {
        const file = fileFromRow(row);
        const list = out.get(keyOf(file)) ?? [];
        list.push(file);
        out.set(keyOf(file), list);
      }
    }
    return out;
  }
}

const SET_COLUMNS = ['compressions', 'channel_names', 'pixel_types', 'resolutions'] as const;
const STRINGS = [
  'file_path',
  'file_path_normalized',
  'header_hash',
  'mtime',
  'inspection_timestamp',
  'last_inspected',
  'identity_kind',
  'object_id',
  'storage_id',
  'status',
  'error_code',
  'error_message',
  'frame_source',
  'metadata_vector',
  'vector_layout',
] as const;
const INT32 = [
  'multipart_count',
  'frame_number',
  'inspection_count',
  'width',
  'height',
  'channel_count',
] as const;

export function fileToRow(f: ExrFileRecord): Row {
  const row: Row = {
    file_id: f.file_id,
    size_bytes: f.size_bytes === undefined ? null : BigInt(f.size_bytes),
    header_end: f.header_end === undefined ? null : BigInt(f.header_end),
    is_deep: f.is_deep ?? null,
    is_tiled: f.is_tiled ?? null,
    version_field: f.version_field ?? null,
    issues: f.issues ?? null,
    removed: f.removed ?? null,
  };
  for (const c of STRINGS) row[c] = f[c] ?? null;
  for (const c of INT32) row[c] = f[c] ?? null;
  for (const c of SET_COLUMNS) row[c] = encodeSet(f[c]);
  return row;
}

export function fileFromRow(row: Row): ExrFileRecord {
  const f: ExrFileRecord = {
    file_id: reqStr(row, 'file_id'),
    file_path: str(row, 'file_path') ?? '',
    file_path_normalized: str(row, 'file_path_normalized') ?? '',
    status: (str(row, 'status') as ExrStatus | undefined) ?? 'inspected',
    inspection_timestamp: str(row, 'inspection_timestamp') ?? '',
    inspection_count: num(row, 'inspection_count') ?? 1,
    last_inspected: str(row, 'last_inspected') ?? '',
    compressions: decodeSet(str(row, 'compressions')),
    channel_names: decodeSet(str(row, 'channel_names')),
    pixel_types: decodeSet(str(row, 'pixel_types')),
    resolutions: decodeSet(str(row, 'resolutions')),
  };
  for (const c of STRINGS) {
    const v = str(row, c);
    if (v !== undefined && !(c in f)) (f as unknown as Record<string, string>)[c] = v;
  }
  for (const c of INT32) {
    const v = num(row, c);
    if (v !== undefined && c !== 'inspection_count') f[c] = v;
  }
  const size = big(row, 'size_bytes');
  if (size !== undefined) f.size_bytes = Number(size);
  const end = big(row, 'header_end');
  if (end !== undefined) f.header_end = Number(end);
  const deep = bool(row, 'is_deep');
  if (deep !== undefined) f.is_deep = deep;
  const tiled = bool(row, 'is_tiled');
  if (tiled !== undefined) f.is_tiled = tiled;
  const version = num(row, 'version_field');
  if (version !== undefined) f.version_field = version;
  if (row.issues !== undefined && row.issues !== null) f.issues = row.issues as JsonValue;
  const removed = date(row, 'removed');
  if (removed !== undefined) f.removed = removed;
  return f;
}
