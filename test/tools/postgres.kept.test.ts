/**
 * A PostgreSQL on a kept data directory (tools/postgres startKeptPostgres), as the broadcast
 * benchmark keeps its data set between runs: made by initdb the first time, started on what it
 * holds afterwards, and left in place by close().
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailable, startKeptPostgres } from '../../tools/postgres/postgres.server.ts';

const available = postgresAvailable();

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)('a PostgreSQL on a kept data directory', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tams-test-kept-'));
  // As root the server runs as nobody, who must reach the directory through this one.
  chmodSync(scratch, 0o755);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('keeps what was written across a stop and a start, and its directory after close', async () => {
    const dir = join(scratch, 'pg');
    const first = await startKeptPostgres(dir);
    try {
      await query(first.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (62)');
    } finally {
      await first.close();
    }
    expect(existsSync(join(dir, 'data', 'PG_VERSION'))).toBe(true);
    const again = await startKeptPostgres(dir, { settings: { shared_buffers: '16MB' } });
    try {
      const { rows } = await query(again.url, 'SELECT n FROM kept');
      expect(rows).toEqual([{ n: 62 }]);
      const shown = await query(again.url, 'SHOW shared_buffers');
      expect(shown.rows[0]).toEqual({ shared_buffers: '16MB' });
    } finally {
      await again.close();
    }
    expect(existsSync(join(dir, 'data', 'PG_VERSION'))).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'refuses, naming the folder, a directory nobody can reach when root starts it',
    async () => {
      const closed = join(scratch, 'closed');
      mkdirSync(closed, { mode: 0o700 });
      chmodSync(closed, 0o700);
      await expect(startKeptPostgres(join(closed, 'pg'))).rejects.toThrow(
        `${closed} does not let others through (chmod o+x ${closed}`,
      );
    },
  );
});
