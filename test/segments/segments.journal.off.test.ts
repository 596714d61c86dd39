/**
 * A start with the append journal switched off (TAMS_DUCKDB_JOURNAL=false) after the server was
 * killed with records in the journal: they were acknowledged, so the start applies them anyway,
 * and so does any tams-mgmt command that opens the store; nothing is hidden, nothing comes back
 * twice at a later start with the journal on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { httpClient, startServer } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import { spawnServer } from '../ops/child.ts';
import { allSegments, crashDir, newFlow, objectIds, secs } from './helpers.ts';

const N = 24;
/** DuckDB takes nothing from the journal on its own within the test's time. */
const HELD = { TAMS_DUCKDB_JOURNAL_APPLY_MS: '600000' };
const OFF = { TAMS_DUCKDB_JOURNAL: 'false' };

/** A data directory, and a server acknowledging N registrations there and killed (`crashDir`). */
function crashed(prefix: string) {
  const crash = crashDir(prefix);
  const { dir, running, kill } = crash;
  const journal = () => join(dir.path, 'tams.duckdb.journal');
  /** A server that acknowledges N single-segment registrations of a new Flow, then is killed. */
  async function registerThenKill(start: number): Promise<{ flowId: string; ids: string[] }> {
    running.child = await spawnServer({ TAMS_DATA_DIR: dir.path, ...HELD });
    const http = httpClient(running.child.url);
    const flowId = await newFlow(http);
    const ids = await objectIds(http, flowId, N);
    for (let i = 0; i < N; i += 8) {
      const statuses = await Promise.all(
        ids.slice(i, i + 8).map(async (object_id, k) => {
          const t = start + i + k;
          return (await http.post(`/flows/${flowId}/segments`, { object_id, timerange: secs(t, t + 1) }))
            .status;
        }),
      );
      expect(statuses).toEqual(statuses.map(() => 201));
    }
    await kill();
    expect(existsSync(journal())).toBe(true);
    return { flowId, ids };
  }
  return { ...crash, journal, registerThenKill };
}

describe.skipIf(onSharedEngine)('append journal switched off after a crash', () => {
  const { dir, running, journal, registerThenKill } = crashed('tams-journal-off-');

  it('applies the records at the start, so they are seen, refuse overlaps and are never doubled', async () => {
    const { flowId, ids } = await registerThenKill(0);
    const off = await startServer({ dataDir: dir.path, env: OFF });
    running.server = off;
    expect((await allSegments(off, flowId)).map((s) => s.object_id)).toEqual(ids);
    // The last acknowledged segment's timerange is taken.
    const [again] = await objectIds(off, flowId, 1);
    expectError(
      await off.post(`/flows/${flowId}/segments`, { object_id: again, timerange: secs(N - 1, N) }),
      400,
    );
    await off.close();
    running.server = undefined;
    expect(existsSync(journal())).toBe(false);

    const on = await startServer({ dataDir: dir.path });
    running.server = on;
    expect((await allSegments(on, flowId)).map((s) => s.object_id)).toEqual(ids);
    await on.close();
    running.server = undefined;
    const verify = await runCli(['verify'], { env: { TAMS_DATA_DIR: dir.path, TAMS_LOG_LEVEL: 'silent' } });
    expect(verify.code, verify.out + verify.err).toBe(0);
  });
});

describe.skipIf(onSharedEngine)('append journal left by a crash, and tams-mgmt', () => {
  const { dir, running, journal, registerThenKill } = crashed('tams-journal-mgmt-');

  it('is applied by a tams-mgmt command opening the store with the journal off', async () => {
    const before = await runCli(['tables', '--json'], { env: { TAMS_DATA_DIR: dir.path, ...OFF } });
    const segmentsBefore = rowsOf(before.out, 'segments');
    const { flowId, ids } = await registerThenKill(1000);
    const tables = await runCli(['tables', '--json'], { env: { TAMS_DATA_DIR: dir.path, ...OFF } });
    expect(tables.code, tables.err).toBe(0);
    expect(rowsOf(tables.out, 'segments')).toBe(segmentsBefore + N);
    expect(existsSync(journal())).toBe(false);
    const server = await startServer({ dataDir: dir.path });
    running.server = server;
    expect((await allSegments(server, flowId)).map((s) => s.object_id)).toEqual(ids);
    await server.close();
    running.server = undefined;
  });
});

function rowsOf(json: string, table: string): number {
  const row = (JSON.parse(json) as { table: string; rows: number }[]).find((t) => t.table === table);
  if (!row) throw new Error(`no table ${table} in ${json}`);
  return row.rows;
}
