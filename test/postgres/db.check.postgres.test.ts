/**
 * `tams-mgmt db check` on a real PostgreSQL (tools/postgres/), run as an operator runs it: where
 * the settings put the database (the password masked), the server's release, a round trip,
 * every table of the schema with its rows and size as PostgreSQL counts them, and exit status 1
 * with the reason when the server cannot be reached or the database does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { runCliProcess } from '../helpers/cli.ts';
import { closedPort } from '../helpers/ports.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { addSegments, allocate, contiguous } from '../segments/helpers.ts';
import { rowsIn } from './pg.probe.ts';

const available = postgresAvailable();
/** Trust authentication takes any password: one the output must never show. */
const PASSWORD = 'n0t-shown-anywhere';

interface CheckDoc {
  reachable: boolean;
  host: string;
  url: string;
  reason?: string;
  detail?: string;
  server_version?: string;
  migrations_pending?: number;
  tables?: { table: string; rows: number; bytes?: number }[];
}

describe.skipIf(!available)('tams-mgmt db check on PostgreSQL', () => {
  let server: PostgresServer;
  let url: string;
  const dir = tempDir('tams-db-check-pg-');
  beforeAll(async () => {
    server = await startPostgres();
    url = server.url.replace('postgres@', `postgres:${PASSWORD}@`);
  });
  afterAll(async () => {
    await server?.close();
    dir.remove();
  });
  const settings = (overrides: Record<string, string> = {}) => ({
    TAMS_DB: 'postgres',
    TAMS_POSTGRES_URL: url,
    TAMS_POSTGRES_SCHEMA: 'checked',
    TAMS_DATA_DIR: dir.path,
    ...overrides,
  });

  it('names the database, its release and a round trip; no tables before the first server', async () => {
    const run = await runCliProcess(['db', 'check'], { env: settings() });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^engine: +PostgreSQL \(shared: replicas may use it\)$/m);
    expect(run.out).toMatch(
      new RegExp(`^host: +127\\.0\\.0\\.1\\nport: +${server.port}\\ndatabase: +postgres\\n`, 'm'),
    );
    expect(run.out).toMatch(/^schema: +checked$/m);
    expect(run.out).toContain(`url:         postgres://postgres:***@127.0.0.1:${server.port}/postgres`);
    expect(run.out).toMatch(/^server: +PostgreSQL 1\d\.\d+/m);
    expect(run.out).toMatch(/^round trip: +\d+(\.\d+)? ms$/m);
    expect(run.out).toContain('No tables yet: the first server to start creates them.');
    expect(run.out + run.err).not.toContain(PASSWORD);
    // The check created nothing: the schema is still not there.
    expect(await rowsIn(server.url, 'checked')).toEqual({});
  });

  it('lists every table of the schema with the rows PostgreSQL holds', async () => {
    const tams = await startServer({ dataDir: dir.path, workers: false, env: settings() });
    try {
      const flow = videoFlow();
      await createFlow(tams, flow);
      const objects = await allocate(tams, flow.id as string, { limit: 4 });
      await addSegments(tams, flow.id as string, contiguous(objects.map((o) => o.object_id)));
    } finally {
      await tams.close();
    }
    const run = await runCliProcess(['db', 'check'], { env: settings() });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^store: +schema version \d+ \(up to date\)$/m);
    expect(run.out).toMatch(/^segments +4 +\d+\.\d KiB$/m);

    const json = await runCliProcess(['db', 'check', '--json'], { env: settings() });
    expect(json.code, json.err).toBe(0);
    const doc = JSON.parse(json.out) as CheckDoc;
    expect(doc).toMatchObject({ reachable: true, migrations_pending: 0 });
    expect(doc.server_version).toMatch(/^PostgreSQL 1\d/);
    const held = await rowsIn(server.url, 'checked');
    expect(Object.fromEntries((doc.tables ?? []).map((t) => [t.table, t.rows]))).toEqual(held);
    expect(held).toMatchObject({ flows: 1, segments: 4, objects: 4 });
    expect(doc.tables?.every((t) => (t.bytes ?? 0) > 0)).toBe(true);
    expect(json.out).not.toContain(PASSWORD);
  });

  it('exits 1 with the reason when the server cannot be reached or the database does not exist', async () => {
    const port = await closedPort();
    const unreachable = `postgres://tams:${PASSWORD}@127.0.0.1:${port}/tams`;
    const down = await runCliProcess(['db', 'check'], { env: settings({ TAMS_POSTGRES_URL: unreachable }) });
    expect(down.code).toBe(1);
    expect(down.out).toMatch(/^engine: +PostgreSQL/m);
    expect(down.err).toContain(
      `tams-mgmt: cannot reach PostgreSQL at 127.0.0.1:${port}, database tams: the database server cannot be reached`,
    );
    expect(down.out + down.err).not.toContain(PASSWORD);

    const missing = await runCliProcess(['db', 'check', '--json'], {
      env: settings({ TAMS_POSTGRES_URL: url.replace(/\/postgres$/, '/nosuch') }),
    });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.out)).toMatchObject({
      reachable: false,
      host: '127.0.0.1',
      url: `postgres://postgres:***@127.0.0.1:${server.port}/nosuch`,
      reason: 'the database named in TAMS_POSTGRES_URL does not exist',
    });
    expect(missing.err).toContain('cannot reach PostgreSQL');
  });

  it('refuses settings that do not parse as wrong usage', async () => {
    const run = await runCliProcess(['db', 'check'], { env: settings({ TAMS_POSTGRES_URL: 'mysql://x' }) });
    expect(run.code).toBe(2);
    expect(run.err).toContain('TAMS_POSTGRES_URL');
  });
});
