/**
 * A store written before tag values could be lists (its tag tables have no `pos` column) opens
 * with the column added and nothing migrated: its rows are string tags, read and filtered as
 * before, and lists can be stored beside them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.factory.ts';
import { TableManager } from '../../src/db/manager.ts';
import { storeTables, T } from '../../src/store/tables.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';

describe('tag tables of before lists', () => {
  const dir = tempDir('tams-tags-upgrade-');
  afterAll(() => dir.remove());

  it('gain pos; their rows read and filter as string tags', async () => {
    const earlier = storeTables.map((t) =>
      t.name === T.flowTags || t.name === T.sourceTags
        ? { ...t, columns: t.columns.filter((c) => c.name !== 'pos') }
        : t,
    );
    const db = await TableManager.open(await openEngine(loadConfig({ TAMS_DATA_DIR: dir.path })), earlier);
    const [flowId, sourceId, now] = [randomUUID(), randomUUID(), new Date()];
    await db.insert(T.sources, [
      { id: sourceId, format: 'urn:x-nmos:format:data', created: now, updated: now },
    ]);
    await db.insert(T.sourceTags, [{ source_id: sourceId, name: 'kind', value: 'subtitles' }]);
    await db.insert(T.flows, [
      {
        id: flowId,
        source_id: sourceId,
        format: 'urn:x-nmos:format:data',
        codec: 'text/vtt',
        container: 'text/vtt',
        essence_parameters: { data_type: 'urn:x-tams:data:subtitle' },
        created: now,
        metadata_updated: now,
        metadata_version: randomUUID(),
      },
    ]);
    await db.insert(T.flowTags, [
      { flow_id: flowId, name: 'a', value: 'x,y' },
      { flow_id: flowId, name: 'b', value: '' },
    ]);
    await db.close();

    const server = await startServer({ dataDir: dir.path, workers: false });
    try {
      const flow = await server.get<Record<string, unknown>>(`/flows/${flowId}`);
      expect(flow.status).toBe(200);
      assertSpecValid('flow.json', flow.body);
      expect(flow.body.tags).toEqual({ a: 'x,y', b: '' });
      expect((await server.get(`/sources/${sourceId}/tags/kind`)).body).toBe('subtitles');
      const found = await server.get<{ id: string }[]>('/flows', {
        query: { 'tag.a': 'x,y', 'tag_exists.b': true },
      });
      expect(found.body.map((f) => f.id)).toEqual([flowId]);
      const rows = await server.runtime.db.select(T.flowTags, {});
      expect(rows.map((r) => r.pos)).toEqual([null, null]);
      await server.runtime.store.transaction(async (store) => {
        await store.sources.tags.put(sourceId, 'langs', ['en', 'cy']);
      });
      expect((await server.runtime.store.sources.get(sourceId))?.tags).toEqual({
        kind: 'subtitles',
        langs: ['en', 'cy'],
      });
    } finally {
      await server.close();
    }
  });
});
