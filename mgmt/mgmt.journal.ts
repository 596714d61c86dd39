import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../src/config.ts';
import type { JournalRecordNote, JournalReport } from '../src/deps.store.ts';
import type { MgmtIo } from './mgmt.io.ts';
import { openJournalRecovery } from './mgmt.open.ts';

/**
 * `journal recover`: the embedded engine's append journal opened whatever it holds. A start
 * refuses a journal with damaged records of acknowledged writes; this copies the file aside,
 * applies every whole record and every record its parity block rebuilds, and says what it could
 * not (exit status 1 then). `--dry-run` says the same and changes nothing.
 */
export async function journalRecoverCommand(
  config: Config,
  io: MgmtIo,
  options: { dryRun: boolean; json: boolean },
): Promise<number> {
  const file = join(config.TAMS_DATA_DIR, 'tams.duckdb.journal');
  const report = existsSync(file) ? await openJournalRecovery(config, options.dryRun) : undefined;
  if (options.json) io.out(`${JSON.stringify(report ?? null, null, 2)}\n`);
  else if (!report) io.out(`No append journal at ${file}: nothing to recover.\n`);
  else describe(report, io, options.dryRun);
  return report && report.lost.length > 0 ? 1 : 0;
}

function describe(report: JournalReport, io: MgmtIo, dryRun: boolean): void {
  const { applied, repaired, lost, torn } = report;
  const lines = [`Append journal ${report.path}:`];
  lines.push(
    `  ${dryRun ? 'to apply' : 'applied'}: ${applied.records} records (${rows(applied.rows)})`,
    ...repaired.map((r) => `  rebuilt from its parity block: ${record(r)}`),
    ...lost.map((r) => `  LOST, could not be rebuilt: ${record(r)}`),
  );
  if (torn)
    lines.push(
      `  dropped: ${record(torn)}, cut short when the server stopped (${torn.readable} of ${torn.blocks} blocks on disk): never acknowledged`,
    );
  if (report.savedAs) lines.push(`  the file as it was: ${report.savedAs}`);
  if (report.readableAs) lines.push(`  what is readable of the records lost: ${report.readableAs}`);
  lines.push(
    dryRun
      ? 'Dry run: nothing was applied or changed.'
      : 'The store opens again. Run `tams-mgmt verify` to check it; register again what was lost, if anything.',
  );
  io.out(`${lines.join('\n')}\n`);
}

function record(r: JournalRecordNote): string {
  const which = r.lsn === undefined ? 'a record' : `record ${r.lsn}`;
  const where = r.offset === undefined ? '' : ` at byte ${r.offset}`;
  return `${which}${where} (${r.rows ? rows(r.rows) : 'rows unknown'})`;
}

function rows(byTable: Readonly<Record<string, number>>): string {
  const parts = Object.entries(byTable).map(([name, n]) => `${n} ${name}`);
  return parts.length === 0 ? 'no rows' : parts.join(', ');
}
