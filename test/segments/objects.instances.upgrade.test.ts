/**
 * Migration 4 on the engine of the run (DuckDB, VAST, PostgreSQL): a store whose segments hold
 * their clients' get_urls, as the code before object instances wrote them, gets them as its
 * objects' uncontrolled instances at the next start (one per URL and label of an object), and
 * answers through 7.0 with the same URLs as before, each segment now with its object's.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/db/db.types.ts';
import { HISTORY_TABLE } from '../../src/db/migrate/migrate.history.ts';
import { and, col } from '../../src/db/predicate.ts';
import { moveSegmentUrls } from '../../src/store/migrations/m004.segment-urls.ts';
import { T } from '../../src/store/tables.ts';
import { mountClient } from '../helpers/mounts.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { addSegments, type GetUrl, getSegments, newFlow, objectIds, secs } from './helpers.ts';

const dir = tempDir('tams-instances-upgrade-');
afterAll(() => dir.remove());

const CDN = { url: 'https://cdn.example.com/a.ts', label: 'cdn' };
const BARE = { url: 'https://bare.example.com/a.ts' };
const OTHER = { url: 'https://other.example.com/b.ts', label: 'cdn' };

/** The clients' URLs of each segment of the Flows, as 7.0 answers them. */
async function clientUrls(server: TestServer, flows: readonly string[]): Promise<GetUrl[][][]> {
  const found: GetUrl[][][] = [];
  for (const flowId of flows) {
    const res = await getSegments(server, flowId);
    found.push(res.body.map((s) => (s.get_urls ?? []).filter((u) => u.presigned === undefined)));
  }
  return found;
}

/**
 * The store as the code before migration 4 left it: each segment holding the URLs it was
 * registered with, no object instances, schema version 3.
 */
async function windBack(server: TestServer, written: ReadonlyMap<string, JsonValue[]>): Promise<void> {
  const { db } = server.runtime;
  await db.transaction(async (tx) => {
    await tx.delete(T.instances, and(col('object_id').isNotNull()));
    await tx.update(T.flows, and(col('id').isNotNull()), { instances: null });
    for (const [key, urls] of written) {
      const [flowId, start] = key.split(' ') as [string, string];
      await tx.update(T.segments, and(col('flow_id').eq(flowId), col('seg_start').eq(BigInt(start))), {
        get_urls: urls,
      });
    }
    await tx.delete(HISTORY_TABLE, and(col('id').eq(4n)));
  });
}

describe('migration 4 on this engine', () => {
  it("makes the segments' get_urls their objects' instances, each object's once", async () => {
    let server = await startServer({ dataDir: dir.path, workers: false });
    const S = 1_000_000_000n;
    let flows: string[];
    let objects: string[];
    try {
      const ingest = await newFlow(server);
      objects = await objectIds(server, ingest, 2);
      const [a, b] = objects as [string, string];
      const external = `external-${ingest}`;
      objects.push(external);
      await addSegments(server, ingest, [
        { object_id: a, timerange: secs(0, 10), get_urls: [CDN, BARE] },
        { object_id: b, timerange: secs(10, 20) },
        { object_id: external, timerange: secs(20, 30), get_urls: [OTHER] },
      ]);
      const edit = await newFlow(server);
      // a again, with one URL it has and one label it has for another URL (7.0 took both).
      await addSegments(server, edit, [{ object_id: a, timerange: secs(0, 10), get_urls: [BARE, OTHER] }]);
      flows = [ingest, edit];
      // What each segment was registered with, as the code before kept it.
      await windBack(
        server,
        new Map([
          [`${ingest} 0`, [CDN, BARE]],
          [`${ingest} ${20n * S}`, [OTHER]],
          [`${edit} 0`, [BARE, OTHER]],
        ]),
      );
      expect(await server.runtime.store.instances.among(objects)).toEqual(new Map());
    } finally {
      await server.close();
    }
    // The index snapshots of the Flows hold no URLs either way; gone, the Flows load from the table.
    rmSync(join(dir.path, 'segment-index'), { recursive: true, force: true });

    server = await startServer({ dataDir: dir.path, workers: false });
    try {
      expect(server.runtime.migrations).toEqual({ from: 5, to: 5, ran: [4] });
      const found = await server.runtime.store.instances.among(objects);
      const urls = (id: string) => (found.get(id) ?? []).map((i) => [i.url, i.label]);
      const [a, b, external] = objects as [string, string, string];
      expect(urls(a)).toEqual([
        [CDN.url, 'cdn'],
        [BARE.url, undefined],
        [OTHER.url, 'cdn'],
      ]);
      expect(urls(b)).toEqual([]);
      expect(urls(external)).toEqual([[OTHER.url, 'cdn']]);
      // Each segment of an object gives the object's URLs, through both versions.
      expect(await clientUrls(server, flows)).toEqual([
        [[CDN, BARE, OTHER], [], [OTHER]],
        [[CDN, BARE, OTHER]],
      ]);
      const v8 = mountClient(server, '/tams/v8.2');
      const object = await v8.get(`/objects/${a}`);
      expect(object.status).toBe(200);
      spec82.assertSpecValid('object.json', object.body);

      // Again: nothing left to do, nothing written.
      const logged: object[] = [];
      const silent = { info: () => {}, warn: () => {} };
      await moveSegmentUrls.up({
        db: server.runtime.db,
        has: () => false,
        dropRetired: async () => {},
        renew: async () => {},
        log: { ...silent, info: (o) => logged.push(o) },
        release: '0.0.0',
        owner: 'test',
        now: () => new Date(),
      });
      expect(logged).toEqual([]);
      expect((await server.runtime.store.instances.among([a])).get(a)).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});
