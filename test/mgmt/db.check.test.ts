/**
 * `tams-mgmt db check` run as an operator runs it (a process of its own), on the embedded engine
 * and on the fake VAST: where the database is, whether it answers, every table with its rows and
 * the schema version, and exit status 1 with the reason when it cannot be opened or reached.
 * On a real PostgreSQL: test/postgres/db.check.postgres.test.ts.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVast, startFakeVast } from '../../tools/vast-fake/fake.server.ts';
import { runCliProcess } from '../helpers/cli.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { addSegments, allocate, contiguous } from '../segments/helpers.ts';
import { vastSettings } from '../support/db/engines/vast/vast.testkit.ts';

interface CheckDoc {
  engine: string;
  reachable: boolean;
  reason?: string;
  server_version?: string;
  round_trip_ms?: number;
  schema_version?: number;
  migrations_pending?: number;
  tables?: { table: string; rows: number; bytes?: number }[];
}

/** The rows of each table of a check's --json document. */
const rowsOf = (doc: CheckDoc) => Object.fromEntries((doc.tables ?? []).map((t) => [t.table, t.rows]));

/** A Flow of three segments written through the API. */
async function fill(server: TestServer): Promise<void> {
  const flow = videoFlow();
  await createFlow(server, flow);
  const objects = await allocate(server, flow.id as string, { limit: 3 });
  await addSegments(server, flow.id as string, contiguous(objects.map((o) => o.object_id)));
}

describe('tams-mgmt db check on the embedded engine', () => {
  const dir = tempDir('tams-db-check-');
  const env = { TAMS_DATA_DIR: dir.path };
  afterAll(() => dir.remove());

  it('says there is no store where the data directory has none, and creates none', async () => {
    const run = await runCliProcess(['db', 'check'], { env });
    expect(run.code, run.err).toBe(1);
    expect(run.out).toMatch(/^engine: +DuckDB v\d+\.\d+\.\d+ \(embedded: one process\)$/m);
    expect(run.out).toContain(`file:    ${dir.path}/tams.duckdb`);
    expect(run.err).toBe(
      `tams-mgmt: no store at ${dir.path}/tams.duckdb: a server started with this TAMS_DATA_DIR creates it\n`,
    );
    const again = await runCliProcess(['db', 'check', '--json'], { env });
    expect(again.code).toBe(1);
    expect(JSON.parse(again.out)).toMatchObject({ engine: 'duckdb', reachable: false });
    expect(existsSync(`${dir.path}/tams.duckdb`)).toBe(false);
  });

  it('lists every table with its rows and the schema version of a store a server wrote', async () => {
    const server = await startServer({ dataDir: dir.path, workers: false });
    try {
      await fill(server);
      // The file is the running server's: the check says so, and what to do.
      const held = await runCliProcess(['db', 'check'], { env });
      expect(held.code).toBe(1);
      expect(held.err).toMatch(
        /^tams-mgmt: cannot reach DuckDB v[\d.]+ at \S+\/tams\.duckdb: the file is open in another process \(PID \d+\), most likely a running tams-server/,
      );
    } finally {
      await server.close();
    }
    const run = await runCliProcess(['db', 'check'], { env });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^round trip: +\d+(\.\d+)? ms$/m);
    expect(run.out).toMatch(/^store: +schema version \d+ \(up to date\)$/m);
    expect(run.out).toMatch(/^flows +1 +\S+ \S+$/m);
    expect(run.out).toMatch(/^segments +3 +\S+ \S+$/m);
    expect(run.out).toMatch(/^total +[\d,]+ +\S+ \S+$/m);

    const json = await runCliProcess(['db', 'check', '--json'], { env });
    expect(json.code, json.err).toBe(0);
    const doc = JSON.parse(json.out) as CheckDoc;
    expect(doc).toMatchObject({ engine: 'duckdb', reachable: true, migrations_pending: 0 });
    expect(rowsOf(doc)).toMatchObject({ flows: 1, sources: 1, segments: 3, objects: 3 });
    expect(doc.tables?.find((t) => t.table === 'segments')?.bytes).toBeGreaterThan(0);
  });
});

describe('tams-mgmt db check on VAST DataBase (the fake)', () => {
  let fake: FakeVast;
  beforeAll(async () => {
    fake = await startFakeVast();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('names the cluster and its release, lists the tables, and says when it cannot be reached', async () => {
    const dir = tempDir('tams-db-check-vast-');
    const env = { ...vastSettings(fake, 'checked'), TAMS_DATA_DIR: dir.path };
    try {
      const empty = await runCliProcess(['db', 'check'], { env });
      expect(empty.code, empty.err).toBe(0);
      expect(empty.out).toMatch(/^engine: +VAST DataBase \(shared: replicas may use it\)$/m);
      expect(empty.out).toMatch(new RegExp(`^endpoints: +${fake.url}$`, 'm'));
      expect(empty.out).toMatch(/^server: +VAST \d+\.\d+\.\d+\.\d+$/m);
      expect(empty.out).toContain('No tables yet: the first server to start creates them.');
      expect(empty.out).not.toContain(fake.keys.secret);

      const server = await startServer({ dataDir: dir.path, workers: false, env });
      try {
        await fill(server);
      } finally {
        await server.close();
      }
      const json = await runCliProcess(['db', 'check', '--json'], { env });
      expect(json.code, json.err).toBe(0);
      const doc = JSON.parse(json.out) as CheckDoc;
      expect(doc).toMatchObject({ engine: 'vast', reachable: true, migrations_pending: 0 });
      expect(rowsOf(doc)).toMatchObject({ flows: 1, segments: 3, objects: 3 });

      await fake.down();
      const down = await runCliProcess(['db', 'check'], { env });
      expect(down.code).toBe(1);
      expect(down.err).toContain(
        `tams-mgmt: cannot reach VAST DataBase at ${fake.url}, bucket ${fake.bucket}: `,
      );
    } finally {
      await fake.up();
      dir.remove();
    }
  });
});
