import { DbError } from '../../db.errors.ts';
import type { DbSession, Row } from '../../db.types.ts';
import type { AppendJournal } from './duckdb.appends.ts';
import type { Catalog } from './duckdb.catalog.ts';
import type { DuckConn } from './duckdb.connection.ts';
import { insertRows, jsonText } from './duckdb.insert.ts';
import { joinArrays } from './duckdb.json.ts';
import type { PhysicalTable } from './duckdb.physical.ts';
import { type DuckContext, DuckSession } from './duckdb.session.ts';

/**
 * A transaction that only appended up to this many rows commits on the calling thread (see
 * DuckConn.runSync): its COMMIT writes and syncs a WAL of a few hundred KB at most, ~0.5-2 ms.
 * Larger ones, and any that updated or deleted, commit asynchronously, so a long COMMIT never
 * stops the event loop.
 */
const SYNC_COMMIT_MAX_ROWS = 20_000;

export interface TransactionDeps {
  /** The writer connection, used by nothing else while the transaction runs (the engine's writes). */
  readonly writer: DuckConn;
  readonly catalog: Catalog;
  /** The append journal; undefined when it is off (every transaction begins in DuckDB). */
  readonly journal: AppendJournal | undefined;
  /** After a COMMIT in DuckDB, with the tables the transaction changed. */
  committed(written: ReadonlySet<string>): void;
}

/** Rows a transaction appended and holds for the journal (or for DuckDB, should it begin there). */
interface Held {
  readonly table: PhysicalTable;
  readonly rows: readonly Row[];
  /** The rows as their JSON text (jsonText). */
  readonly text: string;
}

/**
 * Runs `fn` as one transaction; call holding the engine's writes. It begins in DuckDB at its
 * first read or change, not before: one that only appends holds its rows (encoded for the journal
 * as they come) and commits them through the append journal, without DuckDB. Once begun, a use
 * of a table the journal holds rows for applies them inside the transaction first, so it sees
 * every write committed before it; the rows held so far are inserted then.
 */
export async function runTransaction<T>(
  deps: TransactionDeps,
  fn: (tx: DbSession) => Promise<T>,
): Promise<T> {
  const { writer, catalog, journal } = deps;
  let active = true;
  const check = () => {
    if (!active) throw new DbError('transaction_closed', 'the transaction has already ended');
  };
  let appended = 0;
  let changed = false;
  const held: Held[] = [];
  /** Tables this transaction changed in DuckDB (told once it commits). */
  const written = new Set<string>();
  /** Set at the first read or change: from then on every statement goes to DuckDB. */
  let started = false;
  /** Set once BEGIN ran: the transaction must end with COMMIT or ROLLBACK. */
  let open = false;
  // Statements of one transaction may be issued side by side: what each needs done first (BEGIN,
  // the journal's rows, the held rows) is done in turn.
  let steps: Promise<void> = Promise.resolve();
  const prepare = (table: string | undefined): Promise<void> => {
    started = true;
    const step = steps.then(async () => {
      if (!open) {
        await writer.locked(async (conn) => conn.runSync(await conn.statement('BEGIN TRANSACTION')));
        open = true;
      }
      if (journal) {
        const tables = table === undefined ? undefined : [table, ...held.map((h) => h.table.name)];
        if (journal.touches(tables)) await writer.locked((conn) => journal.applyOpen(conn));
      }
      for (const h of held.splice(0)) {
        appended += h.rows.length;
        written.add(h.table.name);
        await writer.locked((conn) => insertRows(conn, h.table, h.rows, true));
      }
    });
    steps = step.catch(() => undefined);
    return step;
  };
  const ctx: DuckContext = {
    wrote: (rows, change) => {
      appended += rows;
      changed ||= change;
    },
    catalog,
    inTransaction: true,
    defer:
      journal &&
      (async (name, rows) => {
        check();
        if (started) return false;
        const table = await writer.locked((conn) => catalog.table(conn, name));
        // Started meanwhile (a read beside this insert): the rows go to DuckDB with the rest.
        if (started) return false;
        const text = jsonText(table, rows);
        if (text === undefined) return false;
        held.push({ table, rows, text });
        return true;
      }),
    read: async (table, work) => {
      check();
      await prepare(table);
      return writer.locked(work);
    },
    write: async (table, _atomic, work) => {
      check();
      await prepare(table);
      if (table !== undefined) written.add(table);
      return writer.locked(work);
    },
  };
  let result: T;
  try {
    result = await fn(new DuckSession(ctx));
    await steps;
  } catch (e) {
    active = false;
    await steps;
    if (open) await writer.locked((conn) => rollback(conn));
    journal?.settle(false);
    throw e;
  }
  active = false;
  if (open) {
    const sync = !changed && appended <= SYNC_COMMIT_MAX_ROWS;
    try {
      await writer.locked((conn) => commit(conn, sync));
    } catch (e) {
      journal?.settle(false);
      throw e;
    }
    journal?.settle(true);
    deps.committed(written);
  } else if (journal && held.length > 0) {
    journal.commit(heldTables(held));
  }
  return result;
}

/** The held rows as a journal record's tables: each table's texts as one JSON array. */
function heldTables(held: readonly Held[]): Map<string, { text: string; rows: number }> {
  const byTable = new Map<string, { texts: string[]; rows: number }>();
  for (const h of held) {
    const entry = byTable.get(h.table.name);
    if (entry) {
      entry.texts.push(h.text);
      entry.rows += h.rows.length;
    } else byTable.set(h.table.name, { texts: [h.text], rows: h.rows.length });
  }
  const tables = new Map<string, { text: string; rows: number }>();
  for (const [name, { texts, rows }] of byTable) tables.set(name, { text: joinArrays(texts), rows });
  return tables;
}

/** `sync`: on the calling thread (see SYNC_COMMIT_MAX_ROWS). */
export async function commit(conn: DuckConn, sync = false): Promise<void> {
  try {
    if (sync) conn.runSync(await conn.statement('COMMIT'));
    else await conn.exec('COMMIT');
  } catch (e) {
    // A failed COMMIT can leave the transaction open; make sure the next one starts clean.
    await rollback(conn);
    throw e;
  }
}

export async function rollback(conn: DuckConn): Promise<void> {
  try {
    await conn.exec('ROLLBACK');
  } catch {
    // Nothing left to roll back (DuckDB already aborted the transaction).
  }
}

/** Runs `fn` on `conn` in a transaction of its own: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(conn: DuckConn, fn: (conn: DuckConn) => Promise<T>): Promise<T> {
  await conn.exec('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await fn(conn);
  } catch (e) {
    await rollback(conn);
    throw e;
  }
  await commit(conn);
  return result;
}
