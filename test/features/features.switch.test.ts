/**
 * The wings beyond the spec switched off by their settings (TAMS_SEARCH, TAMS_EXR,
 * TAMS_ANALYTICS, TAMS_RECORDER, TAMS_REPLICATION), through the real server process on a DuckDB file: off, a wing's tables are
 * never created, its routes answer 404 and its metrics are not there; switched on at the next
 * start of the same store, they are.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.factory.ts';
import { featureTables } from '../../src/feature/feature.set.ts';
import { FEATURES } from '../../src/features.ts';
import { storeTables } from '../../src/store/tables.ts';
import { httpClient, tempDir } from '../helpers/server.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';

const WINGS = ['TAMS_SEARCH', 'TAMS_EXR', 'TAMS_ANALYTICS', 'TAMS_RECORDER', 'TAMS_REPLICATION'] as const;
/** A route of each wing that answers 200 on an empty store when the wing is on. */
const ROUTES = [
  '/search?q=anything',
  '/search/status',
  '/exr/files',
  '/analytics/storage',
  '/recordings',
  '/replications',
];
const WING_TABLES = featureTables(FEATURES).map((t) => t.name);

const dir = tempDir('tams-wings-');
let child: ChildServer | undefined;
afterAll(async () => {
  child?.process.kill('SIGKILL');
  await child?.exited;
  dir.remove();
});

/** The server on the data directory with the wings `on` or off, until `use` is done with it. */
async function run(on: boolean, use: (server: ChildServer) => Promise<void>): Promise<void> {
  const switches = Object.fromEntries(WINGS.map((name) => [name, String(on)]));
  child = await spawnServer({
    TAMS_DATA_DIR: dir.path,
    TAMS_METRICS: 'true',
    TAMS_SEARCH_EMBEDDINGS: 'none',
    ...switches,
  });
  try {
    await use(child);
  } finally {
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    child = undefined;
  }
}

/** The tables in the DuckDB file, read once the server has let it go. */
async function tablesOnDisk(): Promise<string[]> {
  const engine = await openEngine(loadConfig({ TAMS_DATA_DIR: dir.path }));
  try {
    return await engine.listTables();
  } finally {
    await engine.close();
  }
}

describe('a wing switched off', () => {
  it('has no table, route or metric; switched on, it has them all', async () => {
    await run(false, async (server) => {
      const http = httpClient(server.url);
      for (const path of ROUTES) {
        const res = await http.get(path);
        expect(res.status, path).toBe(404);
        expect(res.body, path).toMatchObject({ type: expect.any(String), summary: expect.any(String) });
      }
      expect((await http.get('/flows')).status).toBe(200);
      const metrics = (await http.get('/metrics')).text;
      expect(metrics).toContain('tams_http_request_duration_seconds');
      expect(metrics).not.toMatch(/^tams_(search|exr|analytics|recorder|replication)_/m);
    });
    const off = await tablesOnDisk();
    expect(off).toEqual(expect.arrayContaining(storeTables.map((t) => t.name)));
    expect(off.filter((t) => WING_TABLES.includes(t))).toEqual([]);

    await run(true, async (server) => {
      const http = httpClient(server.url);
      for (const path of ROUTES) expect((await http.get(path)).status, path).toBe(200);
      const metrics = (await http.get('/metrics')).text;
      for (const wing of ['search', 'exr', 'analytics', 'recorder', 'replication'])
        expect(metrics).toMatch(new RegExp(`^tams_${wing}_`, 'm'));
    });
    expect(await tablesOnDisk()).toEqual(expect.arrayContaining(WING_TABLES));
  });
});
