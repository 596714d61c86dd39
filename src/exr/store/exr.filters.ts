import type { ColumnGroup } from '../../db/db.types.ts';
import { col, or } from '../../db/predicate.ts';
import type { ExrFileFilters } from './exr.records.ts';
import { setMember } from './exr.sets.ts';

/**
 * The listing filters as predicate groups on the columns files and frames share (each one
 * column, so both engines push them down). Rows the tool wrote have no status: they are
 * inspected files.
 */
export function filterGroups(f: ExrFileFilters): (ColumnGroup | false)[] {
  const status = f.status ?? 'inspected';
  return [
    status === 'inspected' && or(col('status').eq('inspected'), col('status').isNull()),
    status === 'failed' && col('status').eq('failed'),
    f.pathPrefix !== undefined && col('file_path').startsWith(f.pathPrefix),
    f.compression !== undefined && col('compressions').contains(setMember(f.compression)),
    f.channel !== undefined && col('channel_names').contains(setMember(f.channel)),
    f.minSize !== undefined && col('size_bytes').ge(BigInt(f.minSize)),
    f.maxSize !== undefined && col('size_bytes').le(BigInt(f.maxSize)),
    f.parts !== undefined && col('multipart_count').eq(f.parts),
    f.deep !== undefined && col('is_deep').eq(f.deep),
    f.frameMin !== undefined && col('frame_number').ge(f.frameMin),
    f.frameMax !== undefined && col('frame_number').le(f.frameMax),
  ];
}
