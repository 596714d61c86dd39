import { AsyncLocalStorage } from 'node:async_hooks';
import { DbError } from './db.errors.ts';
import {
  type DbSession,
  type Engine,
  FULL_PUSHDOWN,
  type Predicate,
  type Pushdown,
  type Row,
  type SelectOptions,
  type TableDef,
  type TableInfo,
} from './db.types.ts';
import { evolveSchema, SchemaCache, validateTableDefs } from './manager.schema.ts';
import { ValidatingSession } from './manager.session.ts';
import type { Topology } from './topology.ts';

/**
 * From Node 24 an AsyncLocalStorage is an AsyncContextFrame, which costs next to nothing; before,
 * one in use installs promise hooks that every promise of the process then pays.
 */
const CHEAP_CONTEXT = Number(process.versions.node.split('.')[0]) >= 24;

export interface ManagerOptions {
  /**
   * Whether a nested transaction, or an autocommit write inside a transaction, fails at once
   * (DbError `nested_transaction`) instead of waiting for the transaction it is part of forever.
   * It marks every transaction's async work (an AsyncLocalStorage), which before Node 24 slows
   * the whole process: single-segment POSTs 12-15 % (docs/benchmarks-history.md). Default true; always on
   * from Node 24. The server takes it from TAMS_TRANSACTION_GUARD; the test runs turn it on.
   */
  guard?: boolean;
}

/**
 * The table manager (the design documents' VastDBManager): owns the declared tables, evolves the
 * engine's schema to match them at open, and validates every call against a metadata cache so the
 * hot path never reads the catalogue. Engine-neutral: all I/O goes through `Engine`.
 */
export class TableManager implements DbSession {
  private closed = false;
  /**
   * Marks async work started inside one of this manager's transactions, where the guard is on
   * (ManagerOptions.guard). A mutable flag rather than mere presence, because work the callback
   * spawns (timers, fire-and-forget promises) keeps the context after the transaction ends and
   * must then be free to write again.
   */
  private readonly inTransaction: AsyncLocalStorage<{ active: boolean }> | undefined;
  private readonly session: ValidatingSession;

  private constructor(
    readonly engine: Engine,
    private readonly schema: SchemaCache,
    guard: boolean,
  ) {
    this.inTransaction = guard ? new AsyncLocalStorage() : undefined;
    this.session = new ValidatingSession(schema, engine.session, (write) => this.checkAutocommit(write));
  }

  /** Validates the definitions, creates/evolves the tables, and returns a ready manager. */
  static async open(
    engine: Engine,
    tables: readonly TableDef[],
    options: ManagerOptions = {},
  ): Promise<TableManager> {
    validateTableDefs(tables);
    await evolveSchema(engine, tables);
    return new TableManager(engine, new SchemaCache(tables), options.guard !== false || CHEAP_CONTEXT);
  }

  select(table: string, options?: SelectOptions): Promise<Row[]> {
    return this.session.select(table, options);
  }

  count(table: string, where?: Predicate): Promise<number> {
    return this.session.count(table, where);
  }

  insert(table: string, rows: readonly Row[]): Promise<void> {
    return this.session.insert(table, rows);
  }

  update(table: string, where: Predicate, changes: Row): Promise<number> {
    return this.session.update(table, where, changes);
  }

  delete(table: string, where: Predicate): Promise<number> {
    return this.session.delete(table, where);
  }

  updateEach(table: string, key: string, rows: readonly Row[]): Promise<number> {
    return this.session.updateEach(table, key, rows);
  }

  scan(
    table: string,
    options: Omit<SelectOptions, 'limit'>,
    onBatch: (rows: Row[]) => void | Promise<void>,
  ): Promise<void> {
    return this.session.scan(table, options, onBatch);
  }

  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back (and the error rethrown)
   * when it throws. Transactions are serialised, so a transaction must not start another one, nor
   * write through the manager's autocommit methods (that would wait for itself): both are refused.
   */
  async transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T> {
    this.checkAutocommit(true);
    return this.engine.transaction((inner) => {
      const state = { active: true };
      // No closed check here: close() waits for a running transaction, so it may finish its work.
      const tx = new ValidatingSession(this.schema, inner, () => {
        if (!state.active) throw new DbError('transaction_closed', 'the transaction has already ended');
      });
      const run = async () => {
        try {
          return await fn(tx);
        } finally {
          state.active = false;
        }
      };
      return this.inTransaction ? this.inTransaction.run(state, run) : run();
    });
  }

  /**
   * Registers `listener` for the tables with newly visible rows (Engine.watchCommits); false, with
   * nothing registered, when the engine's commits are visible to every read at once.
   */
  watchCommits(listener: (tables: ReadonlySet<string>) => void): boolean {
    if (!this.engine.watchCommits) return false;
    this.engine.watchCommits(listener);
    return true;
  }

  /** Whether one process owns the data or many share it, and what follows (Engine.topology). */
  get topology(): Topology {
    return this.engine.topology;
  }

  /** What the engine pushes down besides predicates (see Pushdown). */
  get pushdown(): Pushdown {
    return this.engine.pushdown ?? FULL_PUSHDOWN;
  }

  /**
   * A predicate on `table` checked against the declared columns and converted to the engine's
   * representation, as select's is: for work that hands predicates to the engine itself
   * (analytics, db/analytics/).
   */
  predicate(table: string, where: Predicate | undefined): Predicate | undefined {
    this.checkOpen();
    return this.session.predicate(table, where);
  }

  /** The declared definition of a table. */
  tableInfo(name: string): TableInfo {
    const { def } = this.schema.table(name);
    return { name: def.name, columns: def.columns };
  }

  tableNames(): string[] {
    return this.schema.names();
  }

  /** Estimated storage bytes per declared table; undefined when the engine cannot tell. */
  async tableBytes(): Promise<Map<string, number> | undefined> {
    this.checkAutocommit(true);
    return this.engine.tableBytes?.(this.tableNames());
  }

  /** Closes the engine (which waits for running work and makes the data durable). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.engine.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new DbError('closed', 'the table manager is closed');
  }

  private checkAutocommit(write: boolean): void {
    this.checkOpen();
    if (write && this.inTransaction?.getStore()?.active === true) {
      throw new DbError(
        'nested_transaction',
        'autocommit writes and nested transactions are not allowed inside a transaction; use its session',
      );
    }
  }
}
