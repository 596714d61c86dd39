/**
 * The test's own hand on the PostgreSQL the servers share: statements, what its lock table
 * shows, and row locks held for as long as a test wants. A row a replica's transaction is about to
 * change, locked here, stops that transaction at that statement (PostgreSQL makes a writer wait
 * for the row's lock holder); rolled back here, the lock goes and the replica's transaction goes
 * on as if nothing had happened (a lock changes no row, so its commit is not refused). That is how
 * a test holds one replica's work at a chosen point while the others go on.
 */
import pg from 'pg';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The rows of one statement, on a connection of its own. */
export function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  return withClient(url, async (client) => (await client.query<R>(sql, params)).rows);
}

export interface HeldRows {
  /** How many rows the lock took. */
  readonly rows: number;
  /** Ends the holding transaction (ROLLBACK: it changed nothing) and its connection. */
  release(): Promise<void>;
}

/**
 * Locks the rows `select` finds (a SELECT that this adds FOR UPDATE to), in a transaction kept
 * open until release().
 */
export async function holdRows(url: string, select: string, params: unknown[] = []): Promise<HeldRows> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let released: Promise<void> | undefined;
  const release = () => {
    released ??= client.query('ROLLBACK').then(
      () => client.end(),
      () => client.end(),
    );
    return released;
  };
  try {
    await client.query('BEGIN');
    const { rowCount } = await client.query(`${select} FOR UPDATE`, params);
    return { rows: rowCount ?? 0, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * How many sessions wait for a lock while holding a write lock on `table` (having written it in
 * their transaction): which of the transactions waiting is the one a test means.
 */
export async function waitersHolding(url: string, schema: string, table: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM pg_stat_activity a
      WHERE a.wait_event_type = 'Lock'
        AND EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE l.pid = a.pid AND l.granted AND l.mode = 'RowExclusiveLock'
                       AND n.nspname = $1 AND c.relname = $2)`,
    [schema, table],
  );
  return row?.n ?? 0;
}

/** Rows of each table of `schema`, as PostgreSQL itself counts them: where the servers wrote. */
export function rowsIn(url: string, schema: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const tables = await client.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    const rows: Record<string, number> = {};
    for (const { name } of tables.rows) {
      const counted = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`,
      );
      rows[name] = Number(counted.rows[0]?.n);
    }
    return rows;
  });
}
