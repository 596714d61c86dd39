/**
 * The table manager's contract. Everything above db/ speaks only these types; every engine
 * (DuckDB embedded, VAST DataBase) implements `Engine`. The predicate language is deliberately
 * limited to what VAST DataBase can push down: an AND of groups, each group an OR of
 * comparisons on a single column.
 */

import type { Topology } from './topology.ts';

/** Column types, chosen to map 1:1 onto Arrow types (and so onto VAST DataBase). */
export type ColumnType =
  | 'string' // utf8                         <-> JS string
  | 'int64' // signed 64-bit                  <-> JS bigint
  | 'int32' // signed 32-bit                  <-> JS number (integer)
  | 'float64' //                              <-> JS number
  | 'boolean' //                              <-> JS boolean
  | 'timestamp' // UTC, microsecond precision  <-> JS Date
  | 'json'; // utf8 holding JSON text         <-> any JSON-serialisable JS value (parsed on read)

export type Value = string | bigint | number | boolean | Date | null | JsonValue;
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /**
   * Defaults to true. A non-nullable column added to an existing table must be given `defaultValue`.
   * Enforced by the manager on every write; engines store all columns as nullable, so a table stays
   * writable by a definition that does not declare the column (rows written that way read null).
   */
  readonly nullable?: boolean;
  /**
   * Value used to fill existing rows when the column is added by schema evolution, and by the
   * manager for inserts that leave the column out (an explicit null stays null).
   */
  readonly defaultValue?: Value;
}

export interface TableDef {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  /**
   * Columns read by exact value among many rows (`eq`/`in` on a handful of values): an engine
   * that can index them does (DuckDB: an ART index), others ignore this. Only for columns whose
   * values are never updated.
   */
  readonly lookups?: readonly string[];
  /**
   * Column lists the hot queries filter on together: equality columns first, then at most one
   * column compared by range or ordered by (a Flow's segments by `flow_id` then `seg_start`). An
   * engine that keeps secondary indexes (PostgreSQL) builds one per list; engines whose storage
   * already serves such reads ignore it (DuckDB's row groups keep each column's bounds, VAST
   * filters where the data is).
   */
  readonly indexes?: readonly (readonly string[])[];
}

/** A row as seen by callers: column name -> value. Missing columns read as null. */
export type Row = Record<string, Value | undefined>;

export type CompareOp =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'in'
  | 'isNull'
  | 'isNotNull'
  | 'startsWith'
  | 'contains';

/**
 * SQL NULL semantics: every comparison against a null column value is false (`ne` included), and
 * comparing with a null value is refused (use isNull/isNotNull). startsWith/contains are literal and
 * case-sensitive (no wildcards) and only apply to string columns; json columns only support
 * isNull/isNotNull. An `in` with an empty array matches nothing.
 */
export interface Comparison {
  readonly op: CompareOp;
  /** Scalar for eq/ne/lt/le/gt/ge/startsWith/contains, array for `in`, absent for isNull/isNotNull. */
  readonly value?: Value | readonly Value[];
}

/** An OR of comparisons on one column. */
export interface ColumnGroup {
  readonly column: string;
  readonly any: readonly Comparison[];
}

/** An AND of column groups. An empty `all` matches every row. */
export interface Predicate {
  readonly all: readonly ColumnGroup[];
}

/** Nulls sort last in both directions; strings sort by Unicode code point (UTF-8 byte order). */
export interface OrderBy {
  readonly column: string;
  readonly direction?: 'asc' | 'desc';
}

export interface SelectOptions {
  readonly where?: Predicate;
  /** Projection; all columns when omitted. */
  readonly columns?: readonly string[];
  readonly orderBy?: readonly OrderBy[];
  readonly limit?: number;
  /**
   * The read may leave out the newest committed writes that the engine has not yet made visible
   * to every read (the embedded engine's append journal, applied within a fraction of a second),
   * and so need not wait for them: what it returns is the table as of some commit, in commit
   * order. For readers that follow a table in order and are woken by `Engine.watchCommits`
   * when rows become visible (the event outbox's). Engines without such writes ignore it.
   */
  readonly lag?: boolean;
}

/**
 * Which parts of a select an engine evaluates where the data is. An engine that cannot push ORDER
 * BY or LIMIT down still honours them, by reading every row the predicate matches and sorting and
 * slicing them itself (VAST DataBase): callers that page through large tables must then make the
 * predicate itself select about a page (keyset windows, see src/store/segments.window.ts and src/store/scan.ts).
 */
export interface Pushdown {
  readonly orderBy: boolean;
  readonly limit: boolean;
}

/** The default: the engine sorts and stops at the limit itself (DuckDB). */
export const FULL_PUSHDOWN: Pushdown = { orderBy: true, limit: true };

/** What can be done inside or outside a transaction. */
export interface DbSession {
  select(table: string, options?: SelectOptions): Promise<Row[]>;
  count(table: string, where?: Predicate): Promise<number>;
  insert(table: string, rows: readonly Row[]): Promise<void>;
  /**
   * Updates the matching rows; returns the number of rows changed. VAST finds them by row id
   * first; DuckDB changes them in one statement (finding row ids first read the predicate's
   * columns twice).
   */
  update(table: string, where: Predicate, changes: Row): Promise<number>;
  /** Deletes the matching rows (as `update` finds them); returns the number of rows deleted. */
  delete(table: string, where: Predicate): Promise<number>;
  /**
   * Per-row updates in one statement: for each of `rows`, the rows whose `key` column equals its
   * `key` value get its other columns. Keys are distinct; every row names the same columns.
   * Found as `update` finds them (VAST updates take row ids with per-row values natively).
   * Returns the number of rows changed.
   */
  updateEach(table: string, key: string, rows: readonly Row[]): Promise<number>;
  /**
   * Streams the selected rows to `onBatch` in batches (of about an engine page each), without
   * holding the whole result: for loading millions of rows into an in-memory index.
   */
  scan(
    table: string,
    options: Omit<SelectOptions, 'limit'>,
    onBatch: (rows: Row[]) => void | Promise<void>,
  ): Promise<void>;
}

export interface TableInfo {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
}

/**
 * An engine: SQL or wire protocol lives only behind this interface. The manager owns schema
 * evolution, validation of names and values, and the metadata cache; engines do the I/O.
 *
 * Engines receive values already validated and in one representation per column type: string,
 * int64 bigint, int32 and float64 number, boolean, timestamp Date, json as JSON text (a string);
 * insert rows carry every declared column. They return the same representation (json as text).
 */
export interface Engine {
  readonly name: string;
  /**
   * Whether one process owns the data (the embedded DuckDB file) or many share it (VAST), and
   * what the layers above may then assume (topology.ts).
   */
  readonly topology: Topology;
  /** What the engine pushes down besides the predicate; FULL_PUSHDOWN when left out. */
  readonly pushdown?: Pushdown;
  listTables(): Promise<string[]>;
  describeTable(name: string): Promise<TableInfo | null>;
  createTable(def: TableDef): Promise<void>;
  addColumn(table: string, column: ColumnDef): Promise<void>;
  /** Indexes `columns` of `table` where not yet indexed (TableDef.lookups); optional. */
  ensureLookups?(table: string, columns: readonly string[]): Promise<void>;
  /** Builds an index for each of `indexes` of `table` not built yet (TableDef.indexes); optional. */
  ensureIndexes?(table: string, indexes: readonly (readonly string[])[]): Promise<void>;
  /**
   * Drops a table and its rows; nothing happens when there is no such table. For versioned
   * migrations retiring a table no version declares any more (never implicit: schema evolution
   * only adds).
   */
  dropTable(name: string): Promise<void>;
  /** Autocommit session: each call is its own transaction. */
  readonly session: DbSession;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Transactions are serialised with respect to each other.
   */
  transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T>;
  /** Waits for work already started, makes the data durable, releases resources. Idempotent. */
  close(): Promise<void>;
  /**
   * Calls `listener` with the tables that have new rows visible to every read, lagging ones
   * included (SelectOptions.lag): after a transaction committed in the database, and after the
   * engine made visible writes it had committed otherwise (the embedded engine's append journal).
   * Engines whose commits are at once visible to every read leave this out: their callers wake
   * readers when a transaction commits.
   */
  watchCommits?(listener: (tables: ReadonlySet<string>) => void): void;
  /**
   * Estimated storage bytes of each of `tables` (management scripts); engines that cannot tell
   * leave this out.
   */
  tableBytes?(tables: readonly string[]): Promise<Map<string, number>>;
  /**
   * The database server of a shared engine, for readiness: its name as operators know it and a
   * cheap round trip that fails when it cannot serve. The embedded engine has none.
   */
  readonly server?: DatabaseServer;
  /**
   * The embedded engine's own files on the local disk, for readiness and metrics: `check`
   * resolves while the engine takes writes and rejects (DbStorageError) while it refuses them
   * because the disk is full, over quota, read-only or failing (reads go on meanwhile).
   */
  readonly storage?: StorageCheck;
  /**
   * Copies the whole database into the new file `target` as one consistent snapshot: every write
   * acknowledged before the call, none committed after its start; writes go on meanwhile (held
   * only while the snapshot is taken). `read` runs on the same snapshot, to learn what it names
   * (the media objects a backup must hold). Only the embedded engine: a database server is backed
   * up with its own tools (docs/operations.md, "Backups").
   */
  snapshot?<T>(target: string, read: (snapshot: DbSession) => Promise<T>): Promise<DbSnapshot<T>>;
}

/** What Engine.snapshot copied. */
export interface DbSnapshot<T> {
  /** Rows of each table in the copy. */
  rows: Record<string, number>;
  /** How long the engine's writes were held while the snapshot was taken (milliseconds). */
  writesHeldMs: number;
  /** What `read` returned. */
  read: T;
}

export interface StorageCheck {
  readonly label: string;
  check(): Promise<void>;
}

export interface DatabaseServer {
  readonly label: string;
  /** Resolves when the server answers; rejects (DbUnavailableError) when not, or on abort. */
  probe(signal: AbortSignal): Promise<void>;
  /**
   * The server's product and release as it reports them (`PostgreSQL 15.4 …`), one round trip
   * (`tams-mgmt db check`); rejects as `probe` does.
   */
  version?(signal: AbortSignal): Promise<string>;
}
