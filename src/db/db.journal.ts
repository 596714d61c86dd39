/**
 * What the embedded engine found in its append journal when it opened, for the operator: the
 * server logs it, `tams-mgmt journal recover` prints it. Engine-neutral in shape (numbers and
 * table names), so that management code need not know the engine.
 */

/** One record of the journal, as far as it could be read. */
export interface JournalRecordNote {
  /** Byte offset of its first block in the file; absent when no block of it was found. */
  readonly offset?: number;
  /** Its number; absent when nothing readable says. */
  readonly lsn?: string;
  /** Rows per table it holds; absent when its first block is unreadable. */
  readonly rows?: Readonly<Record<string, number>>;
}

export interface JournalReport {
  /** The journal file. */
  readonly path: string;
  /** Whole records applied to the database (or, a dry run, to apply), and their rows per table. */
  readonly applied: { readonly records: number; readonly rows: Readonly<Record<string, number>> };
  /** Damaged records rebuilt from their parity block (applied, counted in `applied`). */
  readonly repaired: readonly JournalRecordNote[];
  /** Damaged records that could not be rebuilt: acknowledged data lost. */
  readonly lost: readonly JournalRecordNote[];
  /** The last record, cut short by the stop before it was acknowledged: dropped. */
  readonly torn?: JournalRecordNote & { readonly readable: number; readonly blocks: number };
  /** A recovery copies the file here before it changes anything. */
  readonly savedAs?: string;
  /** And writes the readable parts of the records it could not rebuild here. */
  readonly readableAs?: string;
}
