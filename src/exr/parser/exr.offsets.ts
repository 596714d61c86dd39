import type { ExrOffsetTable } from './exr.types.ts';

/** Where one part's offset table is and how many of its entries to read. */
export interface TablePlan {
  start: number;
  count: number;
  /** Entries to read: bounded by the entry budget and, when known, by the file's end. */
  read: number;
}

export interface TablesPlan {
  /** Per part; undefined from the first part whose count is unknown on (they cannot be located). */
  tables: (TablePlan | undefined)[];
  /** After the last table, when every count is known. */
  end?: number;
}

/**
 * The tables follow the header back to back, one per part in part order, 8 bytes an entry; the
 * entries read are spent first-come from `maxEntries`, the rest only counted.
 */
export function planTables(
  counts: (number | undefined)[],
  headerEnd: number,
  maxEntries: number,
  fileSize: number | undefined,
): TablesPlan {
  const tables: (TablePlan | undefined)[] = [];
  let start: number | undefined = headerEnd;
  let budget = maxEntries;
  for (const count of counts) {
    if (start === undefined || count === undefined) {
      start = undefined;
      tables.push(undefined);
      continue;
    }
    const inFile = fileSize === undefined ? count : Math.max(0, Math.floor((fileSize - start) / 8));
    const read = Math.min(count, budget, inFile);
    budget -= read;
    tables.push({ start, count, read });
    start += 8 * count;
  }
  return start === undefined ? { tables } : { tables, end: start };
}

/** Byte ranges holding the entries to read, adjacent tables' ranges merged: [start, end). */
export function tableRanges(plan: TablesPlan): [number, number][] {
  const ranges: [number, number][] = [];
  for (const table of plan.tables) {
    if (table === undefined || table.read === 0) continue;
    const end = table.start + 8 * table.read;
    const last = ranges.at(-1);
    if (last !== undefined && last[1] === table.start) last[1] = end;
    else ranges.push([table.start, end]);
  }
  return ranges;
}

const u64 = (view: DataView, at: number) =>
  view.getUint32(at + 4, true) * 0x1_0000_0000 + view.getUint32(at, true);

/**
 * One table's entries (`bytes` holds them from table.start; fewer when the file ended) checked:
 * their order, and whether each can start a chunk (after every table, before the file's end).
 */
export function analyzeTable(
  table: TablePlan,
  bytes: Uint8Array,
  tablesEnd: number | undefined,
  fileSize: number | undefined,
): ExrOffsetTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entriesRead = Math.min(table.read, Math.floor(bytes.length / 8));
  const first: number[] = [];
  let ascending = true;
  let descending = true;
  let outOfRange = 0;
  let previous: number | undefined;
  for (let i = 0; i < entriesRead; i++) {
    const entry = u64(view, 8 * i);
    if (i < 4) first.push(entry);
    if (previous !== undefined) {
      if (entry < previous) ascending = false;
      if (entry > previous) descending = false;
    }
    if ((tablesEnd !== undefined && entry < tablesEnd) || (fileSize !== undefined && entry >= fileSize)) {
      outOfRange += 1;
    }
    previous = entry;
  }
  const end = table.start + 8 * table.count;
  const out: ExrOffsetTable = {
    start: table.start,
    end,
    entriesRead,
    complete: entriesRead === table.count,
    first,
    order: ascending ? 'ascending' : descending ? 'descending' : 'unordered',
    monotonic: ascending,
    outOfRange,
  };
  if (previous !== undefined) out.lastRead = previous;
  if (fileSize !== undefined) out.insideFile = end <= fileSize;
  return out;
}
