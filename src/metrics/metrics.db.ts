import { DbConflictError } from '../db/db.errors.ts';
import type { DbSession, Predicate, Pushdown, Row, SelectOptions } from '../db/db.types.ts';
import type { StoreDb } from '../store/store.ts';
import type { StoreTimings } from './metrics.types.ts';

const seconds = (since: number) => (performance.now() - since) / 1000;

/** A session whose every call is timed (the store's view of the table manager, measured). */
class TimedSession implements DbSession {
  constructor(
    protected readonly inner: DbSession,
    protected readonly timings: StoreTimings,
  ) {}

  private async timed<T>(operation: string, table: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.timings.operation(operation, table, seconds(started));
    }
  }

  select(table: string, options?: SelectOptions): Promise<Row[]> {
    return this.timed('select', table, () => this.inner.select(table, options));
  }

  count(table: string, where?: Predicate): Promise<number> {
    return this.timed('count', table, () => this.inner.count(table, where));
  }

  insert(table: string, rows: readonly Row[]): Promise<void> {
    return this.timed('insert', table, () => this.inner.insert(table, rows));
  }

  update(table: string, where: Predicate, changes: Row): Promise<number> {
    return this.timed('update', table, () => this.inner.update(table, where, changes));
  }

  delete(table: string, where: Predicate): Promise<number> {
    return this.timed('delete', table, () => this.inner.delete(table, where));
  }

  updateEach(table: string, key: string, rows: readonly Row[]): Promise<number> {
    return this.timed('updateEach', table, () => this.inner.updateEach(table, key, rows));
  }

  scan(
    table: string,
    options: Omit<SelectOptions, 'limit'>,
    onBatch: (rows: Row[]) => void | Promise<void>,
  ): Promise<void> {
    return this.timed('scan', table, () => this.inner.scan(table, options, onBatch));
  }
}

class TimedStoreDb extends TimedSession implements StoreDb {
  constructor(
    private readonly db: StoreDb,
    timings: StoreTimings,
  ) {
    super(db, timings);
  }

  get pushdown(): Pushdown | undefined {
    return this.db.pushdown;
  }

  watchCommits(listener: (tables: ReadonlySet<string>) => void): boolean {
    return this.db.watchCommits?.(listener) ?? false;
  }

  async transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T> {
    const queued = performance.now();
    let began: number | undefined;
    let outcome: 'commit' | 'rollback' = 'rollback';
    try {
      const result = await this.db.transaction((tx) => {
        began = performance.now();
        return fn(new TimedSession(tx, this.timings));
      });
      outcome = 'commit';
      return result;
    } catch (error) {
      if (error instanceof DbConflictError) this.timings.conflict();
      throw error;
    } finally {
      // COMMIT runs after `fn` resolves, inside the inner transaction: its time counts as run time.
      const start = began ?? performance.now();
      this.timings.transaction((start - queued) / 1000, seconds(start), outcome);
    }
  }
}

/**
 * The table manager as the store sees it, with each transaction (its wait for the single writer
 * and its run to COMMIT) and each call timed. Wrapping here keeps timing out of the store and
 * the engines, and works the same for every engine.
 */
export function timedStoreDb(db: StoreDb, timings: StoreTimings): StoreDb {
  return new TimedStoreDb(db, timings);
}
