/**
 * Migration 3 on the engine of the run (DuckDB, VAST, PostgreSQL): a store whose objects and
 * segments hold no object timeranges, as the code before wrote it, gets them at the next start,
 * and 7.0 answers as before.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HISTORY_TABLE } from '../../src/db/migrate/migrate.history.ts';
import { and, col } from '../../src/db/predicate.ts';
import { otrColumns, otrOf, timesColumns, timesOf } from '../../src/store/objects/object-times.ts';
import { T } from '../../src/store/tables.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { addSegments, getSegments, newFlow, objectIds, secs } from './helpers.ts';

const dir = tempDir('tams-otr-upgrade-');
afterAll(() => dir.remove());

/** What 7.0 answers of the Flows' segments and objects, without the URLs (signed per request). */
async function answers70(server: TestServer, flows: readonly string[], objects: readonly string[]) {
  const found: unknown[] = [];
  for (const flowId of flows) {
    const res = await getSegments(server, flowId);
    found.push(res.body.map(({ get_urls: _urls, ...rest }) => rest));
  }
  for (const id of objects) found.push((await server.get(`/objects/${id}`)).body);
  return found;
}

/** The store as the code before migration 3 left it: no times, no object timeranges, version 2. */
async function windBack(server: TestServer): Promise<void> {
  const { db } = server.runtime;
  await db.transaction(async (tx) => {
    await tx.update(T.objects, and(col('id').isNotNull()), timesColumns(undefined));
    await tx.update(T.segments, and(col('flow_id').isNotNull()), otrColumns(undefined));
    await tx.delete(HISTORY_TABLE, and(col('id').eq(3n)));
  });
}

describe('migration 3 on this engine', () => {
  it("gives a store written before it its objects' timeranges and partial uses' object timeranges", async () => {
    let server = await startServer({ dataDir: dir.path, workers: false });
    let flows: string[];
    let objects: string[];
    let before: unknown[];
    try {
      const ingest = await newFlow(server);
      objects = await objectIds(server, ingest, 3);
      const [a, b, c] = objects as [string, string, string];
      await addSegments(server, ingest, [
        { object_id: a, timerange: secs(0, 10), key_frame_count: 2 },
        { object_id: b, timerange: secs(10, 20), ts_offset: '10:0' },
        { object_id: c, timerange: secs(20, 30) },
      ]);
      const edit = await newFlow(server);
      await addSegments(server, edit, [
        { object_id: b, timerange: secs(0, 3), ts_offset: '-4:0', sample_offset: 4, sample_count: 3 },
        { object_id: c, timerange: secs(3, 13), ts_offset: '-17:0' },
      ]);
      flows = [ingest, edit];
      before = await answers70(server, flows, objects);
      await windBack(server);
    } finally {
      await server.close();
    }
    rmSync(join(dir.path, 'segment-index'), { recursive: true, force: true });

    server = await startServer({ dataDir: dir.path, workers: false });
    try {
      expect(server.runtime.migrations).toEqual({ from: 5, to: 5, ran: [3] });
      const rows = await server.runtime.db.select(T.objects, { where: and(col('id').in(objects)) });
      const times = new Map(rows.map((r) => [r.id, timesOf(r)]));
      expect(objects.map((id) => times.get(id)?.timerange.format())).toEqual([
        secs(0, 10),
        secs(0, 10),
        secs(20, 30),
      ]);
      expect(objects.map((id) => times.get(id)?.key_frame_count)).toEqual([2, undefined, undefined]);
      // Only the edit's first segment uses part of its object; the second uses all of c.
      const segments = await server.runtime.db.select(T.segments, { where: and(col('flow_id').in(flows)) });
      const held = segments.filter((s) => otrOf(s) !== undefined);
      expect(held.map((s) => [s.flow_id, s.object_id, otrOf(s)?.format()])).toEqual([
        [flows[1], objects[1], secs(0, 10)],
      ]);
      const [, edit] = flows as [string, string];
      const listed = await server.runtime.segments.list(
        edit,
        { reverse: false, limit: 10, urls: { verbose: false }, view: { objectTimerange: true } },
        { baseUrl: server.url, expiresIn: 60 },
      );
      expect(listed.items.map((s) => s.object_timerange)).toEqual([secs(0, 10), secs(20, 30)]);
      expect(await answers70(server, flows, objects)).toEqual(before);
    } finally {
      await server.close();
    }
  });
});
