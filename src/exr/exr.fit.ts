import type { ColumnType } from '../db/db.types.ts';
import type { ExrInspection } from './store/exr.records.ts';
import { ET, exrTables } from './store/exr.tables.ts';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The integer columns of each catalogue table, by name (exr.tables.ts). */
const INTEGER_COLUMNS = new Map(
  exrTables.map((t) => [
    t.name,
    new Map(t.columns.filter((c) => c.type === 'int32' || c.type === 'int64').map((c) => [c.name, c.type])),
  ]),
);

function fits(type: ColumnType, value: number | bigint): boolean {
  if (typeof value === 'bigint') {
    return type === 'int64'
      ? value >= -(2n ** 63n) && value < 2n ** 63n
      : value >= INT32_MIN && value <= INT32_MAX;
  }
  if (type === 'int64') return Number.isSafeInteger(value);
  return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}

export interface OutOfRange {
  code: 'VALUE_OUT_OF_RANGE';
  message: string;
  part?: number;
}

/**
 * Leaves out of an inspection's rows each number its column cannot hold, and says which. The
 * catalogue keeps exr-inspector's column types (int32 sizes: src/exr/store/exr.tables.ts), and a
 * valid header can hold more: a data window 2^32 pixels wide, tiles of 2^32-1 pixels. Such a
 * value stays exact where the file's attributes are recorded (their JSON); the column is left
 * null and the file carries a VALUE_OUT_OF_RANGE issue naming it. Checked against every integer
 * column of the tables, not a list of the ones known to overflow, so that no value the parser
 * makes can be refused by an insert (which failed the whole batch of the EXR follower).
 */
export function fitColumns(inspection: ExrInspection): OutOfRange[] {
  const found: OutOfRange[] = [];
  const check = (table: string, row: object, where: string, part?: number) => {
    const columns = INTEGER_COLUMNS.get(table);
    const record = row as Record<string, unknown>;
    for (const [name, type] of columns ?? []) {
      const value = record[name];
      if ((typeof value !== 'number' && typeof value !== 'bigint') || fits(type, value)) continue;
      delete record[name];
      found.push({
        code: 'VALUE_OUT_OF_RANGE',
        message: `${where}${name} ${value} is beyond the catalogue's ${type} column: left out there (the header's attributes keep the exact value)`,
        ...(part !== undefined && { part }),
      });
    }
  };
  check(ET.files, inspection.file, 'file ');
  for (const p of inspection.parts) check(ET.parts, p, `part ${p.part_index} `, p.part_index);
  for (const c of inspection.channels) check(ET.channels, c, `channel '${c.channel_name}' `, c.part_index);
  for (const a of inspection.attributes) check(ET.attributes, a, `attribute '${a.attr_name}' `, a.part_index);
  return found;
}
