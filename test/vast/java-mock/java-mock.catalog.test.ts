/**
 * The engine's catalog calls against the mock server VAST ships in its Java connectors
 * (vast-data/vast-db-connectors, com.vastdata.mockserver): a second reading of VAST's server side,
 * written by VAST rather than by this project (the fake VAST of tools/vast-fake/ is ours). Schemas
 * and tables created, listed, described (column listing), extended and dropped through the
 * engine, as the server does at start-up and in migrations. The mock has no data path (its
 * QueryData answers 404), so rows are not tried here.
 *
 * The mock is built by scripts/vast-java-mock.sh from the connectors' source, which comes from a
 * git repository of them (VAST_CONNECTORS_GIT) that this machine must be given: without it the
 * file is skipped, saying so, in CI too (the source is not on the package registries CI reaches).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableDef } from '../../../src/db/db.types.ts';
import { VastTransport } from '../../../src/db/engines/vast/transport/transport.client.ts';
import { VastApi } from '../../../src/db/engines/vast/vast.api.ts';
import { createVastEngine, type VastEngine } from '../../../src/db/engines/vast/vast.engine.ts';
import { inTransaction, realEngineTimers } from '../../../src/db/engines/vast/vast.tx.ts';
import { decodeListSchemasResponse } from '../../../src/db/engines/vast/wire/wire.catalog.ts';
import { killChild, spawnChild } from '../../helpers/children.ts';
import { WAIT_MS } from '../../helpers/deadlines.ts';

const RUN = fileURLToPath(new URL('../../../.tools/vast-java-mock/run.sh', import.meta.url));
const built = existsSync(RUN);
if (!built)
  console.warn(
    `${RUN} is missing: build it with scripts/vast-java-mock.sh, given a git repository of VAST's ` +
      'Java connectors (VAST_CONNECTORS_GIT); the Java mock server tests are skipped',
  );

const BUCKET = 'tams-db';
const SCHEMA = 'tams_java';

const SEGMENTS: TableDef = {
  name: 'segments',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'flow', type: 'string', nullable: false },
    { name: 'seq', type: 'int32' },
    { name: 'ratio', type: 'float64' },
    { name: 'incl', type: 'boolean' },
    { name: 'created', type: 'timestamp' },
  ],
};
const FLOWS: TableDef = { name: 'flows', columns: [{ name: 'id', type: 'string', nullable: false }] };

let mock: ChildProcess | undefined;
let url = '';
let engine: VastEngine;

/** Starts the mock and resolves with its URL once it says it is ready. */
function start(): Promise<string> {
  const child = spawnChild('bash', [RUN, '0', BUCKET], { stdio: ['ignore', 'pipe', 'pipe'] });
  mock = child;
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const port = /port=(\d+)\nready/.exec(out)?.[1];
      if (port !== undefined) resolve(`http://127.0.0.1:${port}`);
    });
    child.once('exit', (code) => reject(new Error(`the Java mock server exited (${code}): ${err}`)));
  });
}

const transport = () =>
  new VastTransport({ endpoints: [url], accessKey: 'java-mock', secretKey: 'not-checked' });

async function schemaNames(): Promise<string[]> {
  const api = new VastApi(transport(), BUCKET, SCHEMA);
  try {
    return await inTransaction(api, realEngineTimers, 0, async (tx) => {
      const res = await api.request({ method: 'GET', bucketLevel: true, query: [['schema']], txid: tx.txid });
      return decodeListSchemasResponse(res.body).schemas.map((s) => s.name);
    });
  } finally {
    api.close();
  }
}

describe.skipIf(!built)("the engine's catalog on VAST's Java mock server", () => {
  beforeAll(async () => {
    url = await start();
    engine = createVastEngine({ transport: transport(), bucket: BUCKET, schema: SCHEMA });
  }, WAIT_MS);

  afterAll(async () => {
    await engine?.close();
    if (mock) await killChild(mock);
  });

  // The mock answers without the `Server` header a VAST release sends, which the SDK requires
  // too (VAST_VERSION_REGEX); the probe must say so rather than call it ready.
  it('is refused by the readiness probe, which names the missing Server header', async () => {
    await expect(engine.server.probe(AbortSignal.timeout(WAIT_MS))).rejects.toThrow(/no Server header/);
  });

  it('creates its schema and tables, lists and describes them', async () => {
    await engine.createTable(SEGMENTS);
    await engine.createTable(FLOWS);
    expect(await schemaNames()).toContain(SCHEMA);
    expect((await engine.listTables()).sort()).toEqual(['flows', 'segments']);
    // Names and types as created. The mock lists every column as nullable, the two declared not
    // null included; the engine's schema check compares names and types only, so it opens there.
    const info = await engine.describeTable('segments');
    expect(info?.columns.map((c) => [c.name, c.type])).toEqual(SEGMENTS.columns.map((c) => [c.name, c.type]));
  });

  // Not tried: creating a table that exists. The mock replaces it (200, its columns reset) where
  // the fake VAST answers 409 TableAlreadyExists; the server creates only tables it did not list.
  it('adds a column', async () => {
    await engine.addColumn('flows', { name: 'label', type: 'string' });
    expect((await engine.describeTable('flows'))?.columns.map((c) => c.name)).toEqual(['id', 'label']);
  });

  it('answers null for a table that is not there', async () => {
    expect(await engine.describeTable('nope')).toBeNull();
  });

  it('drops tables, then the schema', async () => {
    await engine.dropTable('flows');
    await engine.dropTable('flows');
    expect(await engine.listTables()).toEqual(['segments']);
    await engine.dropTable('segments');
    expect(await engine.listTables()).toEqual([]);
    const api = new VastApi(transport(), BUCKET, SCHEMA);
    await inTransaction(api, realEngineTimers, 0, (tx) =>
      api.request({ method: 'DELETE', table: '', query: [['schema']], txid: tx.txid }),
    );
    api.close();
    expect(await schemaNames()).not.toContain(SCHEMA);
  });
});
