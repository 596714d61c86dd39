import type { ColumnGroup, DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, bool, date, num, reqStr, str } from '../../store/rows.ts';
import { filterGroups } from './exr.filters.ts';
import { timelineKeys, windowPage } from './exr.page.ts';
import type { ExrFileFacts, ExrFileFilters, ExrFrameRecord, ExrStatus, FrameSource } from './exr.records.ts';
import { decodeSet, encodeSet } from './exr.sets.ts';
import { ET } from './exr.tables.ts';

const LOOKUP = 64;

/** `exr_frames`: the segments of EXR image Flows and the files of their objects. */
export class ExrFramesRepo {
  constructor(private readonly db: DbSession) {}

  /** Adds frames, replacing any row of the same segment (an event applied twice changes nothing). */
  async put(frames: readonly ExrFrameRecord[]): Promise<void> {
    if (frames.length === 0) return;
    const byFlow = new Map<string, bigint[]>();
    for (const f of frames) byFlow.set(f.flow_id, [...(byFlow.get(f.flow_id) ?? []), f.seg_start]);
    for (const [flowId, starts] of byFlow) await this.deleteStarts(flowId, starts);
    await this.db.insert(ET.frames, frames.map(frameToRow));
  }

  async deleteStarts(flowId: string, starts: readonly bigint[]): Promise<void> {
    for (let i = 0; i < starts.length; i += LOOKUP) {
      await this.db.delete(
        ET.frames,
        and(col('flow_id').eq(flowId), col('seg_start').in(starts.slice(i, i + LOOKUP))),
      );
    }
  }

  /** Frames of a Flow whose segments start within [from, to] (null: unbounded). */
  async ofFlow(flowId: string, from: bigint | null, to: bigint | null): Promise<ExrFrameRecord[]> {
    const rows = await this.db.select(ET.frames, {
      where: and(
        col('flow_id').eq(flowId),
        from !== null && col('seg_start').ge(from),
        to !== null && col('seg_start').le(to),
      ),
      columns: ['flow_id', 'object_id', 'seg_start', 'timerange', 'registered'],
    });
    return rows.map(frameFromRow);
  }

  /** Removes every frame of a Flow; returns the objects they were of. */
  async deleteFlow(flowId: string): Promise<string[]> {
    const gone = await this.ofFlow(flowId, null, null);
    await this.db.delete(ET.frames, and(col('flow_id').eq(flowId)));
    return [...new Set(gone.map((f) => f.object_id))];
  }

  /** Of these objects, those some frame still uses. */
  async framed(objectIds: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < objectIds.length; i += LOOKUP) {
      const rows = await this.db.select(ET.frames, {
        where: and(col('object_id').in(objectIds.slice(i, i + LOOKUP))),
        columns: ['object_id'],
      });
      for (const row of rows) out.add(reqStr(row, 'object_id'));
    }
    return out;
  }

  /** Frames of an object, in any Flow (a file's document lists where it is used). */
  async ofObject(objectId: string, limit: number): Promise<ExrFrameRecord[]> {
    const rows = await this.db.select(ET.frames, {
      where: and(col('object_id').eq(objectId)),
      orderBy: [{ column: 'flow_id' }, { column: 'seg_start' }],
      limit,
    });
    return rows.map(frameFromRow);
  }

  /** The object's file changed (inspected again): its frames take its new facts. */
  async setFacts(objectId: string, facts: ExrFileFacts): Promise<void> {
    await this.db.update(ET.frames, and(col('object_id').eq(objectId)), factsToRow(facts));
  }

  /**
   * A page of a Flow's frames in timeline order; `first`/`last`: the ends of the Flow's timeline,
   * which bound the windows the pages are read in.
   */
  async page(
    flowId: string,
    filters: ExrFileFilters,
    timeline: { first: bigint; last: bigint },
    after: bigint | undefined,
    limit: number,
  ): Promise<{ items: ExrFrameRecord[]; next?: bigint }> {
    const where: ColumnGroup[] = [col('flow_id').eq(flowId)];
    for (const g of filterGroups(filters)) if (g) where.push(g);
    const keys = timelineKeys('seg_start', timeline.first, timeline.last);
    const page = await windowPage(this.db, ET.frames, keys, where, after, limit);
    return {
      items: page.rows.map(frameFromRow),
      ...(typeof page.next === 'bigint' && { next: page.next }),
    };
  }

  /** Streams the `columns` of a Flow's frames (statistics). */
  async scanFlow(flowId: string, columns: readonly string[], onBatch: (rows: Row[]) => void): Promise<void> {
    await this.db.scan(ET.frames, { where: and(col('flow_id').eq(flowId)), columns }, onBatch);
  }
}

function factsToRow(f: ExrFileFacts): Row {
  return {
    file_id: f.file_id,
    file_path: f.file_path,
    status: f.status,
    size_bytes: f.size_bytes === undefined ? null : BigInt(f.size_bytes),
    multipart_count: f.multipart_count ?? null,
    is_deep: f.is_deep ?? null,
    width: f.width ?? null,
    height: f.height ?? null,
    compressions: encodeSet(f.compressions),
    channel_names: encodeSet(f.channel_names),
    pixel_types: encodeSet(f.pixel_types),
    resolutions: encodeSet(f.resolutions),
  };
}

function frameToRow(f: ExrFrameRecord): Row {
  const facts: Row =
    f.file_id === undefined
      ? {}
      : factsToRow({
          file_id: f.file_id,
          file_path: f.file_path ?? '',
          status: f.status ?? 'inspected',
          size_bytes: f.size_bytes,
          multipart_count: f.multipart_count,
          is_deep: f.is_deep,
          width: f.width,
          height: f.height,
          compressions: f.compressions ?? [],
          channel_names: f.channel_names ?? [],
          pixel_types: f.pixel_types ?? [],
          resolutions: f.resolutions ?? [],
        });
  return {
    flow_id: f.flow_id,
    object_id: f.object_id,
    seg_start: f.seg_start,
    timerange: f.timerange,
    frame_number: f.frame_number ?? null,
    frame_source: f.frame_source ?? null,
    registered: f.registered,
    ...facts,
  };
}

function frameFromRow(row: Row): ExrFrameRecord {
  const f: ExrFrameRecord = {
    flow_id: reqStr(row, 'flow_id'),
    object_id: reqStr(row, 'object_id'),
    seg_start: big(row, 'seg_start') ?? 0n,
    timerange: str(row, 'timerange') ?? '',
    registered: date(row, 'registered') ?? new Date(0),
  };
  const frame = num(row, 'frame_number');
  if (frame !== undefined) f.frame_number = frame;
  const source = str(row, 'frame_source');
  if (source === 'name' || source === 'timeline') f.frame_source = source as FrameSource;
  const fileId = str(row, 'file_id');
  if (fileId !== undefined) f.file_id = fileId;
  const status = str(row, 'status');
  if (status !== undefined) f.status = status as ExrStatus;
  const path = str(row, 'file_path');
  if (path !== undefined) f.file_path = path;
  const size = big(row, 'size_bytes');
  if (size !== undefined) f.size_bytes = Number(size);
  const parts = num(row, 'multipart_count');
  if (parts !== undefined) f.multipart_count = parts;
  const deep = bool(row, 'is_deep');
  if (deep !== undefined) f.is_deep = deep;
  const width = num(row, 'width');
  if (width !== undefined) f.width = width;
  const height = num(row, 'height');
  if (height !== undefined) f.height = height;
  for (const c of ['compressions', 'channel_names', 'pixel_types', 'resolutions'] as const) {
    const v = str(row, c);
    if (v !== undefined) f[c] = decodeSet(v);
  }
  return f;
}
