import { sortRows } from '../../../../src/db/compare.ts';
import type { EngineFactory } from '../../../../src/db/contract/contract.fixture.ts';
import { DbError } from '../../../../src/db/db.errors.ts';
import type {
  ColumnDef,
  DbSession,
  Engine,
  Predicate,
  Pushdown,
  Row,
  SelectOptions,
  TableDef,
  TableInfo,
} from '../../../../src/db/db.types.ts';
import { matchesPredicate } from '../../../../src/db/predicate.ts';
import { OWNED_TOPOLOGY, type Topology } from '../../../../src/db/topology.ts';
import { Waves } from './memory.waves.ts';

/**
 * A reference engine in plain JS, for tests only: it runs the contract with none of DuckDB's
 * behaviour, which keeps the contract engine-neutral, and shows how an engine that cannot push a
 * predicate or an ORDER BY down uses matchesPredicate and sortRows.
 */
interface Table {
  columns: ColumnDef[];
  rows: Row[];
}
type Tables = Map<string, Table>;

/**
 * Rows read, as an engine that cannot push ORDER BY and LIMIT down reads them: every row the
 * predicate matches (with full pushdown, only the rows returned). Tests of bounded reads look at
 * these (test/pushdown/).
 */
export interface ReadStats {
  /** Rows read by all calls. */
  rows: number;
  /** Calls that read rows (select, scan, count, update, delete): round trips on VAST. */
  calls: number;
  /** Of those, selects and scans, and counts. */
  selects: number;
  counts: number;
  /** The most rows one call read, and the table it read them from. */
  maxRows: number;
  maxTable: string;
}

export interface MemoryEngineOptions {
  /** Default: full pushdown. */
  readonly pushdown?: Pushdown;
  /** Default OWNED_TOPOLOGY (one process owns the data); SHARED_TOPOLOGY acts as VAST does. */
  readonly topology?: Topology;
  /** Count round trips as waves (see Waves); every call then waits for a turn of the event loop. */
  readonly waves?: boolean;
}

/**
 * Calls by kind, as round trips to a remote engine (VAST: every select, count, insert, update
 * and delete is one request; a transaction adds its begin and commit). A scan counts as one.
 */
export interface CallStats {
  select: number;
  count: number;
  insert: number;
  update: number;
  delete: number;
  begin: number;
  commit: number;
}

export function emptyCallStats(): CallStats {
  return { select: 0, count: 0, insert: 0, update: 0, delete: 0, begin: 0, commit: 0 };
}

export function emptyReadStats(): ReadStats {
  return { rows: 0, calls: 0, selects: 0, counts: 0, maxRows: 0, maxTable: '' };
}

/**
 * A transaction's working copy: a table is copied when the transaction first touches it, so a
 * transaction costs what it uses rather than the whole database (tests load 10^4-10^5 rows).
 */
function lazyCopy(tables: Tables): Tables {
  const copied = new Map<string, Table>();
  const dropped = new Set<string>();
  const working = new Map(tables);
  const get = working.get.bind(working);
  working.get = (name: string) => {
    if (dropped.has(name)) return undefined;
    let table = copied.get(name);
    if (table === undefined) {
      const original = get(name);
      if (original === undefined) return undefined;
      table = { columns: [...original.columns], rows: original.rows.map((r) => ({ ...r })) };
      copied.set(name, table);
      working.set(name, table);
    }
    return table;
  };
  const set = working.set.bind(working);
  working.set = (name: string, table: Table) => {
    dropped.delete(name);
    copied.set(name, table);
    return set(name, table);
  };
  const del = working.delete.bind(working);
  working.delete = (name: string) => {
    dropped.add(name);
    copied.delete(name);
    return del(name);
  };
  return working;
}

function copyValue<T>(v: T): T {
  return (v instanceof Date ? new Date(v.getTime()) : v) as T;
}

/** Operations on one snapshot of the tables (the committed one, or a transaction's copy). */
class MemorySession implements DbSession {
  constructor(
    private readonly tables: () => Tables,
    /** Runs an operation now (reads, transaction work) or in turn with transactions (autocommit writes). */
    private readonly run: <T>(write: boolean, op: () => T) => Promise<T>,
    private readonly reads: { stats: ReadStats; calls: CallStats; pushdown: Pushdown },
  ) {}

  private call(kind: keyof CallStats): void {
    this.reads.calls[kind]++;
  }

  /**
   * `stopsAtLimit`: a select with a limit but no order, which an engine that cannot push ORDER BY
   * down still stops reading at (any rows will do: VAST ends the query there).
   */
  private counted(
    name: string,
    matched: number,
    returned: number,
    kind: 'select' | 'count' | 'write',
    stopsAtLimit = false,
  ): void {
    const { stats, pushdown } = this.reads;
    // A count reads no rows: VAST answers it with an empty projection, row counts and no data.
    const rows =
      kind === 'count' ? 0 : (pushdown.orderBy && pushdown.limit) || stopsAtLimit ? returned : matched;
    stats.rows += rows;
    stats.calls++;
    if (kind === 'select') stats.selects++;
    if (kind === 'count') stats.counts++;
    if (rows > stats.maxRows) {
      stats.maxRows = rows;
      stats.maxTable = name;
    }
  }

  select(name: string, options: SelectOptions = {}): Promise<Row[]> {
    this.call('select');
    return this.rows(name, options);
  }

  private rows(name: string, options: SelectOptions): Promise<Row[]> {
    return this.run(false, () => {
      const table = this.table(name);
      const columns = options.columns ?? table.columns.map((c) => c.name);
      this.check(table, [...columns, ...(options.orderBy ?? []).map((o) => o.column)], options.where);
      const rows = sortRows(
        table.rows.filter((r) => matchesPredicate(r, options.where)),
        options.orderBy ?? [],
      );
      const limited = options.limit === undefined ? rows : rows.slice(0, options.limit);
      const unordered = (options.orderBy ?? []).length === 0 && options.limit !== undefined;
      this.counted(name, rows.length, limited.length, 'select', unordered);
      return limited.map((r) => Object.fromEntries(columns.map((c) => [c, copyValue(r[c] ?? null)])));
    });
  }

  async scan(
    name: string,
    options: Omit<SelectOptions, 'limit'>,
    onBatch: (rows: Row[]) => void | Promise<void>,
  ): Promise<void> {
    this.call('select');
    const rows = await this.rows(name, options);
    // Small batches, so the contract sees several.
    for (let i = 0; i < rows.length; i += 100) await onBatch(rows.slice(i, i + 100));
  }

  count(name: string, where?: Predicate): Promise<number> {
    this.call('count');
    return this.run(false, () => {
      const table = this.table(name);
      this.check(table, [], where);
      const matched = table.rows.filter((r) => matchesPredicate(r, where)).length;
      this.counted(name, matched, matched, 'count');
      return matched;
    });
  }

  insert(name: string, rows: readonly Row[]): Promise<void> {
    this.call('insert');
    return this.run(true, () => {
      const table = this.table(name);
      for (const row of rows) this.check(table, Object.keys(row));
      for (const r of rows)
        table.rows.push(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, copyValue(v)])));
    });
  }

  update(name: string, where: Predicate, changes: Row): Promise<number> {
    this.call('update');
    return this.run(true, () => {
      const table = this.table(name);
      this.check(table, Object.keys(changes), where);
      const matching = table.rows.filter((r) => matchesPredicate(r, where));
      this.counted(name, matching.length, matching.length, 'write');
      for (const row of matching) for (const [k, v] of Object.entries(changes)) row[k] = copyValue(v);
      return matching.length;
    });
  }

  updateEach(name: string, key: string, rows: readonly Row[]): Promise<number> {
    this.call('update');
    return this.run(true, () => {
      const table = this.table(name);
      let changed = 0;
      for (const change of rows) {
        this.check(table, Object.keys(change));
        for (const row of table.rows) {
          if (row[key] === null || String(row[key]) !== String(change[key])) continue;
          for (const [k, v] of Object.entries(change)) if (k !== key) row[k] = copyValue(v);
          changed++;
        }
      }
      return changed;
    });
  }

  delete(name: string, where: Predicate): Promise<number> {
    this.call('delete');
    return this.run(true, () => {
      const table = this.table(name);
      this.check(table, [], where);
      const before = table.rows.length;
      table.rows = table.rows.filter((r) => !matchesPredicate(r, where));
      this.counted(name, before - table.rows.length, before - table.rows.length, 'write');
      return before - table.rows.length;
    });
  }

  private table(name: string): Table {
    const table = this.tables().get(name);
    if (table === undefined) throw new DbError('unknown_table', `unknown table "${name}"`);
    return table;
  }

  private check(table: Table, columns: readonly string[], where?: Predicate): void {
    const known = new Set(table.columns.map((c) => c.name));
    for (const c of [...columns, ...(where?.all ?? []).map((g) => g.column)]) {
      if (!known.has(c)) throw new DbError('unknown_column', `unknown column "${c}"`);
    }
  }
}

export class MemoryEngine implements Engine {
  readonly name = 'memory';
  readonly topology: Topology;
  readonly pushdown: Pushdown;
  readonly session: DbSession;
  /** Rows read so far (see ReadStats); reset it by assigning emptyReadStats(). */
  reads: ReadStats = emptyReadStats();
  /** Calls so far by kind (see CallStats); reset it by assigning emptyCallStats(). */
  calls: CallStats = emptyCallStats();
  /** Round trips on the response path, with the `waves` option. */
  readonly waves: Waves | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly store: { tables: Tables },
    options: MemoryEngineOptions = {},
  ) {
    this.topology = options.topology ?? OWNED_TOPOLOGY;
    this.pushdown = options.pushdown ?? { orderBy: true, limit: true };
    this.waves = options.waves ? new Waves() : undefined;
    this.session = new MemorySession(
      () => store.tables,
      // Autocommit writes queue behind running transactions, like every engine's writes.
      async (write, op) => {
        this.checkOpen();
        if (this.waves === undefined) return write ? this.enqueue(async () => op()) : op();
        // As a remote engine runs it: a begin, the call, and a commit awaited for a write (VAST:
        // every call is in a transaction; reads send their commit after answering).
        await this.waves.trip();
        await this.waves.trip();
        const result = write ? await this.enqueue(async () => op()) : op();
        if (write) await this.waves.trip();
        return result;
      },
      this.readCounter(),
    );
  }

  private readCounter(): { stats: ReadStats; calls: CallStats; pushdown: Pushdown } {
    const engine = this;
    return {
      get stats() {
        return engine.reads;
      },
      get calls() {
        return engine.calls;
      },
      pushdown: this.pushdown,
    };
  }

  async listTables(): Promise<string[]> {
    this.checkOpen();
    return [...this.store.tables.keys()];
  }

  async describeTable(name: string): Promise<TableInfo | null> {
    this.checkOpen();
    const table = this.store.tables.get(name);
    return table === undefined
      ? null
      : { name, columns: table.columns.map((c) => ({ ...c, nullable: true })) };
  }

  async createTable(def: TableDef): Promise<void> {
    this.checkOpen();
    this.store.tables.set(def.name, {
      columns: def.columns.map((c) => ({ name: c.name, type: c.type })),
      rows: [],
    });
  }

  async addColumn(table: string, column: ColumnDef): Promise<void> {
    this.checkOpen();
    const t = this.store.tables.get(table);
    if (t === undefined) throw new DbError('unknown_table', `unknown table "${table}"`);
    t.columns.push({ name: column.name, type: column.type });
    for (const row of t.rows) row[column.name] = copyValue(column.defaultValue ?? null);
  }

  async dropTable(name: string): Promise<void> {
    this.checkOpen();
    this.store.tables.delete(name);
  }

  transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T> {
    this.checkOpen();
    const run = async () => {
      const working = lazyCopy(this.store.tables);
      let active = true;
      const tx = new MemorySession(
        () => working,
        async (_write, op) => {
          if (!active) throw new DbError('transaction_closed', 'the transaction has already ended');
          await this.waves?.trip();
          if (!active) throw new DbError('transaction_closed', 'the transaction has already ended');
          return op();
        },
        this.readCounter(),
      );
      this.calls.begin++;
      await this.waves?.trip();
      try {
        const result = await fn(tx);
        this.calls.commit++;
        await this.waves?.trip();
        this.store.tables = new Map(working);
        return result;
      } finally {
        active = false;
      }
    };
    return this.enqueue(run);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private checkOpen(): void {
    if (this.closed) throw new DbError('closed', 'the memory engine is closed');
  }
}

/** Engines whose data lives in this factory, so reopening a store name sees the same tables. */
export function memoryEngineFactory(options: MemoryEngineOptions = {}): EngineFactory {
  const stores = new Map<string, { tables: Tables }>();
  return async (store) => {
    let state = stores.get(store);
    if (state === undefined) {
      state = { tables: new Map() };
      stores.set(store, state);
    }
    return new MemoryEngine(state, options);
  };
}
