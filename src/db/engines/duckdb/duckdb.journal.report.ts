import type { JournalRecordNote, JournalReport } from '../../db.journal.ts';
import type { JournalRecord } from './duckdb.journal.format.ts';
import type { DamagedRecord, JournalScan } from './duckdb.journal.scan.ts';

/** What the operator reads about a journal: the start's refusal, the recovery's report. */

/** Rows per table of `records`. */
export function rowsOf(records: readonly JournalRecord[]): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const r of records) for (const [name, t] of r.tables) rows[name] = (rows[name] ?? 0) + t.rows;
  return rows;
}

/** "3 rows of segments, 3 of object_refs" (or "no rows"). */
export function rowsText(rows: Readonly<Record<string, number>>): string {
  const parts = Object.entries(rows).map(([name, n], i) =>
    i === 0 ? `${n} rows of ${name}` : `${n} of ${name}`,
  );
  return parts.length === 0 ? 'no rows' : parts.join(', ');
}

function note(d: DamagedRecord): JournalRecordNote {
  const rows = d.tables && Object.fromEntries(d.tables.map((t) => [t.name, t.rows]));
  return {
    ...(d.offset !== undefined && { offset: d.offset }),
    ...(d.lsn !== undefined && { lsn: String(d.lsn) }),
    ...(rows && { rows }),
  };
}

function damagedText(d: DamagedRecord): string {
  const which = d.lsn === undefined ? 'a record' : `record ${d.lsn}`;
  const where = d.offset === undefined ? 'of which no block was found' : `at byte ${d.offset}`;
  const blocks = d.blocks
    ? `${d.blocks.total - d.blocks.readable} of ${d.blocks.total} blocks unreadable`
    : '';
  const fate = d.repaired ? 'can be rebuilt from its parity block' : 'cannot be rebuilt';
  const rows = d.tables
    ? rowsText(Object.fromEntries(d.tables.map((t) => [t.name, t.rows])))
    : 'rows unknown';
  return `${which} ${where} (${[blocks, fate, rows].filter((p) => p !== '').join('; ')})`;
}

/**
 * The start's refusal: the file, where each damaged record is and what it holds, the intact
 * records after it (which a start passing the damage would have dropped), and what to run.
 */
export function damageMessage(path: string, scan: JournalScan): string {
  const damaged = scan.damaged.map(damagedText).join('; ');
  const beyond =
    scan.beyond.length === 0
      ? ''
      : ` After it, ${scan.beyond.length} intact records (${rowsText(rowsOf(scan.beyond))}) wait to be applied.`;
  return (
    `the append journal ${path} holds damaged records of acknowledged writes: ${damaged}.${beyond} ` +
    'Nothing was applied or changed. Run `tams-mgmt journal recover` with the server stopped: it copies ' +
    'the file aside, applies every intact record, rebuilds what it can and reports what it could not ' +
    '(docs/append-journal.md).'
  );
}

/** The report of an open that applied `applied` (a recovery's, or a start's that dropped a torn record). */
export function journalReport(
  path: string,
  scan: JournalScan,
  applied: readonly JournalRecord[],
  saved: { savedAs?: string; readableAs?: string } = {},
): JournalReport {
  const torn = scan.torn;
  return {
    path,
    applied: { records: applied.length, rows: rowsOf(applied) },
    repaired: scan.damaged.filter((d) => d.repaired).map(note),
    lost: scan.damaged.filter((d) => !d.repaired).map(note),
    ...(torn && {
      torn: { offset: torn.offset, lsn: String(torn.lsn), readable: torn.readable, blocks: torn.total },
    }),
    ...saved,
  };
}

/** The readable parts of the records that could not be rebuilt, as text for the operator. */
export function readableText(scan: JournalScan): string {
  const lines: string[] = [];
  for (const d of scan.damaged) {
    if (d.repaired) continue;
    lines.push(`# ${damagedText(d)}`);
    for (const part of d.fragments) lines.push(part.toString('utf8').replace(/\0+$/, ''));
    lines.push('');
  }
  return lines.join('\n');
}
