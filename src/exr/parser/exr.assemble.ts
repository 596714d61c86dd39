import type { RawHeader } from './exr.header.ts';
import { analyzeTable, planTables, type TablePlan, type TablesPlan } from './exr.offsets.ts';
import { describePart } from './exr.part.ts';
import type { ExrHeader, ExrIssue, ExrPart } from './exr.types.ts';

/** A header read and described, its offset tables located but not yet read. */
export interface Described {
  raw: RawHeader;
  parts: ExrPart[];
  issues: ExrIssue[];
  plan: TablesPlan;
  /** maxOffsetEntries: 0 asks for no entries, so a table read in part is no news then. */
  maxEntries: number;
}

export function describeHeader(raw: RawHeader, maxEntries: number, fileSize: number | undefined): Described {
  const parts: ExrPart[] = [];
  const issues: ExrIssue[] = [];
  for (const rawPart of raw.parts) {
    const described = describePart(rawPart, raw.version);
    parts.push(described.part);
    issues.push(...described.issues);
  }
  const plan = planTables(
    parts.map((p) => p.chunks.count),
    raw.headerEnd,
    maxEntries,
    fileSize,
  );
  return { raw, parts, issues, plan, maxEntries };
}

/**
 * Adds each part's offset table, read from `entries` (the bytes from a table's start, up to its
 * planned entries; fewer when the file or the bytes given end there).
 */
export function finishHeader(
  described: Described,
  entries: (table: TablePlan) => Uint8Array,
  fileSize: number | undefined,
): ExrHeader {
  const { raw, parts, issues, plan, maxEntries } = described;
  for (const part of parts) {
    const table = plan.tables[part.index];
    const add = (code: ExrIssue['code'], message: string, offset?: number) =>
      issues.push({ code, message, part: part.index, ...(offset === undefined ? {} : { offset }) });
    if (table === undefined) {
      if (part.chunks.count !== undefined) {
        add('OFFSET_TABLE_UNKNOWN', 'the offset table cannot be located: an earlier part has no chunk count');
      }
      continue;
    }
    const analyzed = analyzeTable(table, entries(table), plan.end, fileSize);
    part.chunks.offsetTable = analyzed;
    if (!analyzed.complete && maxEntries > 0) {
      add('OFFSET_TABLE_PARTIAL', `read ${analyzed.entriesRead} of ${table.count} offsets`, table.start);
    }
    if (analyzed.insideFile === false) {
      add(
        'OFFSET_TABLE_OUTSIDE_FILE',
        `the offset table ends at ${analyzed.end}, past the file`,
        table.start,
      );
    }
    if (analyzed.outOfRange > 0) {
      add('OFFSETS_OUT_OF_RANGE', `${analyzed.outOfRange} offsets cannot start a chunk`, table.start);
    }
  }
  const header: ExrHeader = { version: raw.version, headerEnd: raw.headerEnd, parts, issues };
  if (fileSize !== undefined) header.fileSize = fileSize;
  if (plan.end !== undefined) header.offsetTablesEnd = plan.end;
  return header;
}
