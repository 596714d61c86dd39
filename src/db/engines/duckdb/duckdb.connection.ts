import {
  type DuckDBConnection,
  type DuckDBMaterializedResult,
  type DuckDBPendingResult,
  DuckDBPendingResultState,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { Mutex } from '../../../common/mutex.ts';

/** Prepared statements kept per connection; hot-path SQL is a small set of shapes. */
const STATEMENT_CACHE_SIZE = 256;
/** How many results `runSync` tracks before it forgets those already collected. */
const PRUNE_EVERY = 1024;

/**
 * One DuckDB connection with a prepared-statement cache (preparing costs about as much as running
 * a small query) and a lock, so statements from concurrent callers never interleave on it.
 */
export class DuckConn {
  private readonly statements = new Map<string, DuckDBPreparedStatement>();
  private readonly lock = new Mutex();
  /** Results `runSync` left unexecuted, until the collector takes them (see `release`). */
  private readonly unexecuted = new Set<WeakRef<DuckDBPendingResult>>();

  constructor(readonly raw: DuckDBConnection) {}

  /** Runs `fn` holding the connection's lock: no other caller's statements run on it meanwhile. */
  locked<T>(fn: (conn: DuckConn) => Promise<T>): Promise<T> {
    return this.lock.run(() => fn(this));
  }

  /** Runs one parameterised statement; call only inside `locked`. */
  async query(
    sql: string,
    values: readonly DuckDBValue[] = [],
    types: readonly DuckDBType[] = [],
  ): Promise<DuckDBMaterializedResult> {
    return (await this.statement(sql, values, types)).run();
  }

  /**
   * Runs one parameterised statement to completion on the calling thread, without reading its
   * result (BEGIN, COMMIT, INSERT); call only inside `locked`, with a statement from
   * `statement`. An asynchronous call waits for a turn of the event loop to hand its result
   * back, and under load that wait was most of a registration's transaction (BEGIN 1.6 ms and
   * COMMIT 3.1 ms against 0.2 and 0.8 ms idle, docs/benchmarks-history.md); a short statement is cheaper run
   * here. DuckDB's own threads may take some of its tasks meanwhile: the loop then waits for them.
   * A failure (a constraint, a COMMIT that cannot write its WAL) throws here as it would from
   * `query`.
   */
  runSync(statement: DuckDBPreparedStatement): void {
    const pending = statement.start();
    while (pending.runTask() !== DuckDBPendingResultState.RESULT_READY) {
      // Not ready: another thread holds the last task; ask again.
    }
    if (this.unexecuted.size >= PRUNE_EVERY) {
      for (const ref of this.unexecuted) if (ref.deref() === undefined) this.unexecuted.delete(ref);
    }
    this.unexecuted.add(new WeakRef(pending));
  }

  /**
   * Lets go of what keeps the database open after it is closed. A pending result that was never
   * executed holds the database until the garbage collector finalizes it (node-api offers no way
   * to destroy one): closing the instance then leaves the file open, and locked, for an unknown
   * while. A process that opens the file again meanwhile gets a second handle, and when the first
   * is finally closed POSIX drops the process's lock on the file with it, while the second engine
   * still writes (a tams-mgmt run in the tests' process, then a server on the same directory:
   * another process could then open the file too). Executing a pending result, even one that
   * fails because the connection has run other statements since, releases its hold.
   */
  async release(): Promise<void> {
    for (const ref of this.unexecuted) {
      await ref
        .deref()
        ?.getResult()
        .catch(() => undefined);
    }
    this.unexecuted.clear();
  }

  /** The cached prepared statement for `sql`, bound to `values` (for `runSync`). */
  async statement(
    sql: string,
    values: readonly DuckDBValue[] = [],
    types: readonly DuckDBType[] = [],
  ): Promise<DuckDBPreparedStatement> {
    const statement = await this.prepared(sql);
    if (values.length > 0) statement.bind(values as DuckDBValue[], types as DuckDBType[]);
    else statement.clearBindings();
    return statement;
  }

  /** Runs a statement without parameters and without caching it (DDL, CHECKPOINT). */
  async exec(sql: string): Promise<void> {
    await this.raw.run(sql);
  }

  close(): void {
    for (const statement of this.statements.values()) statement.destroySync();
    this.statements.clear();
    this.raw.closeSync();
  }

  private async prepared(sql: string): Promise<DuckDBPreparedStatement> {
    const cached = this.statements.get(sql);
    if (cached !== undefined) {
      // Re-inserting keeps the Map in least-recently-used order for eviction.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = await this.raw.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > STATEMENT_CACHE_SIZE) {
      const [oldestSql, oldest] = this.statements.entries().next().value as [string, DuckDBPreparedStatement];
      this.statements.delete(oldestSql);
      oldest.destroySync();
    }
    return statement;
  }
}
