/**
 * What a DBA creates for the server (docs/postgres.md, "What to create"), on a real PostgreSQL:
 * a login role and a database, then either CREATE on the database (the first server creates its
 * schema) or a schema the role owns (no CREATE on the database). Each server starts, writes and
 * reads; a role given neither is refused with the reason, never a 500.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';

const available = postgresAvailable();

/** Runs `sql` as the superuser on `database`. */
async function asSuperuser(server: PostgresServer, database: string, ...sql: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: server.url.replace(/\/postgres$/, `/${database}`) });
  await client.connect();
  try {
    for (const statement of sql) await client.query(statement);
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)('the role and database a DBA creates', () => {
  let server: PostgresServer;
  const dir = tempDir('tams-pg-roles-');
  beforeAll(async () => {
    server = await startPostgres();
    await asSuperuser(server, 'postgres', "CREATE ROLE tams LOGIN PASSWORD 'tams-password'");
  });
  afterAll(async () => {
    await server?.close();
    dir.remove();
  });

  /** A server on `database` as the role tams: it starts, and a Flow PUT reads back. */
  async function serves(database: string): Promise<void> {
    const tams = await startServer({
      dataDir: dir.path,
      workers: false,
      env: {
        TAMS_DB: 'postgres',
        TAMS_POSTGRES_URL: `postgres://tams:tams-password@127.0.0.1:${server.port}/${database}`,
        TAMS_POSTGRES_SCHEMA: 'tams',
      },
    });
    try {
      const flow = videoFlow();
      await createFlow(tams, flow);
      expect((await tams.get(`/flows/${flow.id}`)).status).toBe(200);
    } finally {
      await tams.close();
    }
  }

  it('runs with CREATE on the database: the first server creates its schema', async () => {
    await asSuperuser(server, 'postgres', 'CREATE DATABASE with_create');
    await asSuperuser(server, 'with_create', 'GRANT CREATE ON DATABASE with_create TO tams');
    await serves('with_create');
  });

  it('runs in a schema the role owns, without CREATE on the database', async () => {
    await asSuperuser(server, 'postgres', 'CREATE DATABASE own_schema');
    await asSuperuser(server, 'own_schema', 'CREATE SCHEMA tams AUTHORIZATION tams');
    await serves('own_schema');
  });

  it('refuses to start without either, saying what the role needs', async () => {
    await asSuperuser(server, 'postgres', 'CREATE DATABASE neither');
    await expect(serves('neither')).rejects.toThrow(
      /PostgreSQL is unavailable: the user of TAMS_POSTGRES_URL may not do this \(it needs a schema of its own \(TAMS_POSTGRES_SCHEMA\) or CREATE on the database to create it\)/,
    );
  });
});
