import { appendFile } from 'node:fs/promises';
import { BIGINT, BLOB, blobValue, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { DbError } from '../../db.errors.ts';
import type { JournalReport } from '../../db.journal.ts';
import { quote } from '../sql/sql.compile.ts';
import type { Catalog } from './duckdb.catalog.ts';
import type { DuckConn } from './duckdb.connection.ts';
import { jsonInsert } from './duckdb.insert.ts';
import { journalMarker, recoverable, saveAside } from './duckdb.journal.open.ts';
import { damageMessage, journalReport } from './duckdb.journal.report.ts';
import {
  encodeRecord,
  frameRecord,
  JOURNAL_TABLE,
  JournalFile,
  type JournalRecord,
  joinArrayBytes,
} from './duckdb.journal.ts';

/**
 * Appends committed through a journal of the engine's own, applied to DuckDB in batches.
 *
 * Why: a DuckDB transaction costs about 2.6 ms whatever it holds (BEGIN, a statement per table,
 * COMMIT) and ~10 us per row, and the engine runs one at a time. Single-segment registrations
 * come in groups of at most as many as there are clients (64 in the bench), so DuckDB's fixed
 * cost, paid per group on the thread serving HTTP, set the pace (docs/benchmarks-history.md). A transaction
 * that only appended rows is instead committed by writing its rows to the journal file and
 * syncing it (one write and one fdatasync on the calling thread, ~0.2-0.5 ms of disk), and DuckDB
 * takes the rows of many such transactions later in one transaction of its own.
 *
 * Nothing can tell the difference: every other use of a table the journal holds rows for (a
 * read, a change, a transaction reading or changing it, DDL, analytics, closing) first applies
 * what the journal holds, so it sees every write acknowledged before it started, as it would
 * have; uses of the other tables cannot see whether those rows are in DuckDB yet. DuckDB records
 * the last record it holds (the `JOURNAL_TABLE` row, written in the same transaction), so after
 * a crash the records beyond it are applied at the next open, and none twice.
 */

/** How long committed records wait, at most, for a read or another write to apply them (default). */
const APPLY_DELAY_MS = 200;
/** Records holding this many rows, or this many bytes of them, are applied at once, whatever the delay. */
const APPLY_ROWS = 20_000;
const APPLY_BYTES = 16 * 2 ** 20;
/**
 * The most one apply transaction takes (at least one record), and the backlog at which a commit
 * applies before it returns: a run of appends that never lets a timer run (a loop of writes with
 * nothing but the journal's synchronous file writes between them) or a file a crash left must not
 * become one DuckDB transaction the size of the backlog (8.4 GB of 10M segments ran DuckDB out of
 * memory), nor a backlog held in memory without end.
 */
const BACKLOG_ROWS = 8 * APPLY_ROWS;
const BACKLOG_BYTES = 4 * APPLY_BYTES;
/** Applies of at most this many rows run on the calling thread (see syncFor). */
const SYNC_ROWS = 20_000;
/** Records the last journal record DuckDB holds, in the transaction that applies it. */
const MARK_SQL = `UPDATE ${quote(JOURNAL_TABLE)} SET lsn = $1`;

export interface AppendsOptions {
  /** The journal file; undefined in memory (no durability to give: the records stay in memory). */
  readonly path?: string;
  /** Runs `fn` holding the engine's writes, as a transaction would. */
  readonly holdingWrites: <T>(fn: () => Promise<T>) => Promise<T>;
  /** How long committed records wait, at most, before they are applied (default APPLY_DELAY_MS). */
  readonly delayMs?: number;
  /** Told after each batch DuckDB committed, with the tables it added rows to. */
  readonly applied?: (tables: ReadonlySet<string>) => void;
  /**
   * A file with damaged records of acknowledged writes is refused (DbError `journal_damaged`)
   * unless this is set: the recovery (`tams-mgmt journal recover`) copies it aside, then applies
   * every whole record and every record its parity block rebuilds.
   */
  readonly recover?: boolean;
  /** Told what the open found, when it found anything in the file (records, a torn record, damage). */
  readonly report?: (report: JournalReport) => void;
}

/** What the journal has done, for tests and diagnostics. */
export interface AppendsStats {
  /** Records committed and not yet applied. */
  readonly pending: number;
  /** Their rows. */
  readonly rows: number;
  /** Batches applied to DuckDB. */
  readonly applies: number;
  /** Records DuckDB refused on their own, set aside in `<journal>.rejected`. */
  readonly rejected: number;
}

export class AppendJournal {
  private readonly records: JournalRecord[] = [];
  /** Tables with rows in `records`, with how many records hold some. */
  private readonly tables = new Map<string, number>();
  /** The first records, applied by the open transaction (applyOpen) and kept until it ends. */
  private inFlight = 0;
  private rows = 0;
  /** Bytes of the records' rows. */
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private applies = 0;
  private rejected = 0;
  private closed = false;

  private constructor(
    private readonly writer: DuckConn,
    private readonly catalog: Catalog,
    private readonly file: JournalFile | undefined,
    private readonly options: AppendsOptions,
    private nextLsn: bigint,
  ) {}

  /**
   * Opens the journal of the database `writer` is connected to: the records a crash left in the
   * file and DuckDB does not hold yet are applied first, then the file is emptied. A last record
   * cut short by the stop (never acknowledged) is dropped and reported; damaged records of
   * acknowledged writes stop the open (see AppendsOptions.recover), before anything is applied.
   */
  static async open(writer: DuckConn, catalog: Catalog, options: AppendsOptions): Promise<AppendJournal> {
    const path = options.path;
    if (path === undefined) return new AppendJournal(writer, catalog, undefined, options, 1n);
    const marker = await journalMarker(writer, true);
    const { file, scan } = await JournalFile.open(path, marker);
    let saved: { savedAs?: string; readableAs?: string } = {};
    try {
      if (scan.damaged.length > 0 && !options.recover)
        throw new DbError('journal_damaged', damageMessage(path, scan));
      if (options.recover && (scan.damaged.length > 0 || scan.torn || scan.beyond.length > 0))
        saved = await saveAside(path, scan);
    } catch (error) {
      file.close(true);
      throw error;
    }
    const journal = new AppendJournal(writer, catalog, file, options, scan.maxLsn + 1n);
    const records = options.recover ? recoverable(scan) : scan.records;
    for (const r of records) journal.push(r);
    await journal.apply();
    // The LSNs of records dropped or lost are not looked for again (see scanJournal).
    if (scan.maxLsn > marker && scan.maxLsn > (records.at(-1)?.lsn ?? marker))
      await writer.locked((conn) => conn.query(MARK_SQL, [scan.maxLsn], [BIGINT]));
    file.clear();
    if (records.length > 0 || scan.torn || scan.damaged.length > 0)
      options.report?.(journalReport(path, scan, records, saved));
    return journal;
  }

  /** What opening `path` would apply and find, changing nothing (`tams-mgmt journal recover --dry-run`). */
  static async inspect(writer: DuckConn, path: string): Promise<JournalReport> {
    const marker = await journalMarker(writer, false);
    const { file, scan } = await JournalFile.open(path, marker);
    file.close(true);
    return journalReport(path, scan, recoverable(scan));
  }

  /**
   * Whether records wait to be applied with rows for one of `tables` (undefined: any table), so
   * that a use of those tables holding the engine's writes must apply them first (those applied
   * inside the open transaction are its own already; see `holds` for reads outside the writes).
   */
  touches(tables: readonly string[] | undefined): boolean {
    return this.records.length > this.inFlight && this.hasRowsFor(tables);
  }

  /**
   * Whether a read outside the engine's writes (on another connection) must wait for them before
   * it reads one of `tables` (undefined: any): records with rows for one wait to be applied, or
   * were applied inside a transaction still open (applyOpen), whose rows no other connection
   * sees until it commits (and which, should it roll back, are applied again after it).
   */
  holds(tables: readonly string[] | undefined): boolean {
    return this.records.length > 0 && this.hasRowsFor(tables);
  }

  /** Whether the records hold rows for one of `tables` (undefined: any). */
  private hasRowsFor(tables: readonly string[] | undefined): boolean {
    if (tables === undefined) return true;
    for (const t of tables) if (this.tables.has(t)) return true;
    return false;
  }

  /** The records DuckDB does not hold yet with rows for one of `tables` (undefined: any). */
  pending(tables: readonly string[] | undefined): readonly JournalRecord[] {
    if (tables === undefined) return this.records.slice();
    return this.records.filter((r) => tables.some((t) => r.tables.has(t)));
  }

  /** Whether the records waiting pass the backlog a commit may leave (BACKLOG_ROWS, BACKLOG_BYTES). */
  get overdue(): boolean {
    return this.rows >= BACKLOG_ROWS || this.bytes >= BACKLOG_BYTES;
  }

  stats(): AppendsStats {
    return { pending: this.records.length, rows: this.rows, applies: this.applies, rejected: this.rejected };
  }

  /**
   * Commits one transaction's rows (per table, `jsonRows` of the table's JSON insert): durable
   * when this returns, and from then on seen by every read (which applies them first). Call
   * holding the engine's writes.
   */
  commit(tables: ReadonlyMap<string, { text: string; rows: number }>): void {
    const record = encodeRecord(this.nextLsn, tables);
    this.file?.append(frameRecord(record));
    // Only once written: a failed append's record is gone, and the next one takes its number and
    // place (a run's records are numbered one by one, which scanJournal checks).
    this.nextLsn++;
    this.push(record);
    this.schedule();
  }

  /** Adds a committed record to those waiting to be applied. */
  private push(record: JournalRecord): void {
    this.records.push(record);
    for (const [name, t] of record.tables) {
      this.tables.set(name, (this.tables.get(name) ?? 0) + 1);
      this.rows += t.rows;
      this.bytes += t.bytes.length;
    }
  }

  /**
   * Applies every committed record to DuckDB, in transactions of their own on the writer
   * connection, each of at most BACKLOG_ROWS rows and BACKLOG_BYTES (or one record). Call holding
   * the engine's writes, with no transaction open on the writer. A batch DuckDB refuses is applied
   * record by record, and a record it refuses on its own is set aside (`<journal>.rejected`)
   * rather than left to fail every read after it.
   */
  async apply(): Promise<void> {
    if (this.inFlight > 0)
      throw new Error('append journal: apply() inside a transaction that applied records');
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Nothing commits meanwhile (the caller holds the writes): the loop ends.
    while (this.records.length > 0) await this.applyFirst(this.nextBatch());
  }

  /** How many of the first records one apply transaction takes (see BACKLOG_ROWS). */
  private nextBatch(): number {
    let rows = 0;
    let bytes = 0;
    let count = 0;
    for (const record of this.records) {
      for (const t of record.tables.values()) {
        rows += t.rows;
        bytes += t.bytes.length;
      }
      if (count > 0 && (rows > BACKLOG_ROWS || bytes > BACKLOG_BYTES)) break;
      count++;
    }
    return count;
  }

  /** Applies the first `count` records in one transaction (record by record where DuckDB refuses it). */
  private async applyFirst(count: number): Promise<void> {
    const batch = this.records.slice(0, count);
    try {
      await this.applyRecords(batch);
    } catch (error) {
      // A failure of the database (its disk full, closed) fails the records alone as well.
      if (count === 1 || !this.refused(error)) throw error;
      let done = 0;
      try {
        for (const record of batch) {
          try {
            await this.applyRecords([record]);
          } catch (alone) {
            if (!this.refused(alone)) throw alone;
            await this.setAside(record, alone);
          }
          done++;
        }
      } finally {
        // Those DuckDB committed (or that were set aside) before a failure are done: left here,
        // they would be applied again, and read twice meanwhile.
        if (done < count && done > 0) {
          this.dropApplied(done);
          this.applies++;
        }
      }
    }
    this.dropApplied(count);
    this.applies++;
  }

  /**
   * Applies the records not yet applied inside the transaction open on `conn` (the caller's, on
   * the writer, holding the engine's writes): they become part of it, and `settle` says how it
   * ended.
   */
  async applyOpen(conn: DuckConn): Promise<void> {
    const batch = this.records.slice(this.inFlight);
    if (batch.length === 0) return;
    await this.insertRecords(conn, batch, this.syncFor(batch));
    this.inFlight = this.records.length;
  }

  /** The transaction that applyOpen applied records in has committed (true) or rolled back. */
  settle(committed: boolean): void {
    const count = this.inFlight;
    this.inFlight = 0;
    if (!committed || count === 0) return;
    this.dropApplied(count);
    this.applies++;
  }

  /**
   * Forgets the first `count` records, which DuckDB now holds, and tells `applied` their tables.
   * (Not `applied?.(this.drop(count))`: without a listener, optional chaining would skip the drop.)
   */
  private dropApplied(count: number): void {
    const tables = this.drop(count);
    this.options.applied?.(tables);
  }

  /** Forgets the first `count` records, which DuckDB now holds; returns their tables. */
  private drop(count: number): Set<string> {
    const applied = new Set<string>();
    for (const r of this.records.splice(0, count)) {
      for (const [name, { rows, bytes }] of r.tables) {
        applied.add(name);
        this.rows -= rows;
        this.bytes -= bytes.length;
        const n = (this.tables.get(name) ?? 1) - 1;
        if (n === 0) this.tables.delete(name);
        else this.tables.set(name, n);
      }
    }
    if (this.records.length === 0) this.file?.reset();
    return applied;
  }

  /** Closes the file (call after `apply`); a file still holding records is applied at the next open. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.file?.close();
  }

  private schedule(): void {
    if (this.rows >= APPLY_ROWS || this.bytes >= APPLY_BYTES) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.applyInBackground(), 0);
    } else {
      this.timer ??= setTimeout(() => this.applyInBackground(), this.options.delayMs ?? APPLY_DELAY_MS);
    }
    // A server with nothing else to do still applies, but a process that only waits for this
    // (a tool that wrote and is about to close) does not stay alive for it.
    this.timer.unref();
  }

  private applyInBackground(): void {
    this.timer = undefined;
    if (this.closed) return;
    // A failure leaves the records where they are: the next read or write applies them again and
    // gets the error if it persists.
    void this.options.holdingWrites(() => this.apply()).catch(() => undefined);
  }

  /** Applies `records` in a transaction of their own. */
  private async applyRecords(records: readonly JournalRecord[]): Promise<void> {
    const sync = this.syncFor(records);
    await this.writer.locked(async (conn) => {
      await run(conn, 'BEGIN TRANSACTION', sync);
      try {
        await this.insertRecords(conn, records, sync);
        await run(conn, 'COMMIT', sync);
      } catch (error) {
        await conn.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Whether to run the statements on the calling thread (DuckConn.runSync): an asynchronous
   * statement waits for a turn of the event loop to hand its result back, several milliseconds
   * each under load, and an apply would pay that per statement while the writes wait; a large
   * batch runs asynchronously so that the loop is never held long.
   */
  private syncFor(records: readonly JournalRecord[]): boolean {
    let rows = 0;
    for (const r of records) for (const t of r.tables.values()) rows += t.rows;
    return rows <= SYNC_ROWS;
  }

  /** Inserts the records' rows, a statement per table, and records the last one as held. */
  private async insertRecords(
    conn: DuckConn,
    records: readonly JournalRecord[],
    sync: boolean,
  ): Promise<void> {
    const byTable = new Map<string, Buffer[]>();
    for (const r of records) {
      for (const [table, { bytes }] of r.tables) {
        const arrays = byTable.get(table);
        if (arrays) arrays.push(bytes);
        else byTable.set(table, [bytes]);
      }
    }
    for (const [name, arrays] of byTable) {
      const { blobSql } = jsonInsert(await this.catalog.table(conn, name));
      await run(conn, blobSql, sync, [blobValue(joinArrayBytes(arrays))], [BLOB]);
    }
    const last = (records.at(-1) as JournalRecord).lsn;
    if (this.file) await run(conn, MARK_SQL, sync, [last], [BIGINT]);
  }

  /**
   * Whether DuckDB refused the rows themselves (the same record would fail again), as opposed to
   * a failure of the database (a disk full, a closed engine) that a later apply may get past.
   */
  private refused(error: unknown): boolean {
    const message = error instanceof Error ? error.message : String(error);
    return /Conversion Error|Invalid Input Error|Constraint Error|Malformed JSON/i.test(message);
  }

  private async setAside(record: JournalRecord, error: unknown): Promise<void> {
    this.rejected++;
    if (this.file && this.options.path !== undefined) {
      await appendFile(`${this.options.path}.rejected`, frameRecord(record));
      await this.writer.locked((conn) => conn.query(MARK_SQL, [record.lsn], [BIGINT]));
    }
    process.emitWarning(
      `DuckDB refused the rows of append journal record ${record.lsn} (${(error as Error).message}); set aside`,
      { code: 'TAMS_JOURNAL_REJECTED' },
    );
  }
}

async function run(
  conn: DuckConn,
  sql: string,
  sync: boolean,
  values: readonly DuckDBValue[] = [],
  types: readonly DuckDBType[] = [],
): Promise<void> {
  if (sync) conn.runSync(await conn.statement(sql, values, types));
  else await conn.query(sql, values, types);
}
