/**
 * The embedded engine's append journal (TAMS_DUCKDB_JOURNAL): registrations acknowledged while
 * DuckDB did not hold them yet survive the process being killed, and come back once, with their
 * references and events; reads made before DuckDB took them see them.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { httpClient, startServer } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import { spawnServer } from '../ops/child.ts';
import { accelerated, allSegments, crashDir, newFlow, objectIds, secs, timeranges } from './helpers.ts';

const N = 60;
/** DuckDB takes nothing from the journal on its own within the test's time: only reads make it. */
const HELD = { TAMS_DUCKDB_JOURNAL_APPLY_MS: '600000' };

describe.skipIf(onSharedEngine)('append journal', () => {
  const { dir, running, kill } = crashDir('tams-journal-');

  it('keeps every acknowledged single-segment registration when the server is killed before DuckDB had them', async () => {
    const child = await spawnServer({ TAMS_DATA_DIR: dir.path, ...HELD });
    running.child = child;
    const http = httpClient(child.url);
    const flowId = await newFlow(http);
    const ids = await objectIds(http, flowId, N);
    // Side by side, as concurrent clients would (registrations grouped into shared commits).
    for (let i = 0; i < N; i += 12) {
      const statuses = await Promise.all(
        ids.slice(i, i + 12).map(async (object_id, k) => {
          const res = await http.post(`/flows/${flowId}/segments`, {
            object_id,
            timerange: secs((i + k) * 2, (i + k) * 2 + 2),
          });
          return res.status;
        }),
      );
      expect(statuses).toEqual(statuses.map(() => 201));
    }
    const journal = join(dir.path, 'tams.duckdb.journal');
    expect(statSync(journal).size).toBeGreaterThan(0);
    await kill();

    const server = await startServer({ dataDir: dir.path });
    running.server = server;
    // Applied at the open: the file is written over from its start (its old records are at or
    // below the mark DuckDB keeps, so none comes back), and a clean stop leaves none (at the end).
    const segments = await allSegments(server, flowId);
    expect(segments.map((s) => s.object_id)).toEqual(ids);
    expect(await timeranges(server, flowId)).toEqual(ids.map((_, i) => secs(i * 2, i * 2 + 2)));
    if (accelerated) {
      // The Flow's timerange, held behind by the killed server's cache, was set again from the
      // segments at this start (a server without the cache does not hold it behind, nor check it).
      const flow = await server.get<{ timerange: string }>(`/flows/${flowId}`, {
        query: { include_timerange: true },
      });
      expect(flow.body.timerange).toBe(secs(0, N * 2));
    }
    // Each object's first use was recorded once: the objects are registered, and each holds one segment.
    for (const objectId of [ids[0], ids[N - 1]]) {
      const object = await server.get<{ referenced_by_flows: string[] }>(`/objects/${objectId}`);
      expect(object.status, object.text).toBe(200);
      expect(object.body.referenced_by_flows).toEqual([flowId]);
    }
    // A segment overlapping the last one acknowledged is refused.
    const [again] = await objectIds(server, flowId, 1);
    expectError(
      await server.post(`/flows/${flowId}/segments`, {
        object_id: again,
        timerange: secs(N * 2 - 1, N * 2 + 1),
      }),
      400,
    );
    await server.close();
    running.server = undefined;
    expect(existsSync(journal)).toBe(false);
  });

  it('answers reads of the tables the journal holds rows for with those rows, before DuckDB took them', async () => {
    const server = await startServer({ dataDir: dir.path, env: HELD });
    running.server = server;
    const flowId = await newFlow(server);
    const ids = await objectIds(server, flowId, 3);
    for (const [i, object_id] of ids.entries()) {
      const res = await server.post(`/flows/${flowId}/segments`, { object_id, timerange: secs(i, i + 1) });
      expect(res.status, res.text).toBe(201);
    }
    // The database's own answer (the object's Flows, read from its reference rows).
    const object = await server.get<{ referenced_by_flows: string[] }>(`/objects/${ids[2]}`);
    expect(object.body.referenced_by_flows).toEqual([flowId]);
    expect((await allSegments(server, flowId)).map((s) => s.object_id)).toEqual(ids);
    await server.close();
    running.server = undefined;
  });
});
