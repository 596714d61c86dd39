/**
 * Everything issue 2 stores survives a restart: a server on a data directory is filled, closed,
 * and a new server on the same directory returns the same documents.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { audioFlow, createFlow, type Doc, dataFlow, multiFlow, putValue, videoFlow } from './fixtures.ts';

const dir = tempDir();
afterAll(() => dir.remove());

/** Every document a client can read, by path. */
async function snapshot(
  server: TestServer,
  flowIds: string[],
  sourceIds: string[],
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const read = async (path: string, query?: Record<string, string | number | boolean>) => {
    const res = await server.get(path, query ? { query } : {});
    // Error bodies carry the time of the response; the rest of them must match.
    const body = res.status >= 400 ? { ...(res.body as Doc), time: undefined } : res.body;
    out[`${res.status} ${path}${query ? `?${new URLSearchParams(query as Record<string, string>)}` : ''}`] =
      body;
  };
  await read('/service');
  await read('/flows', { limit: 1000 });
  await read('/sources', { limit: 1000 });
  for (const id of flowIds) {
    await read(`/flows/${id}`);
    await read(`/flows/${id}`, { include_timerange: true });
    for (const p of [
      'tags',
      'label',
      'description',
      'read_only',
      'flow_collection',
      'max_bit_rate',
      'avg_bit_rate',
    ]) {
      await read(`/flows/${id}/${p}`);
    }
  }
  for (const id of sourceIds) {
    for (const p of ['', '/tags', '/label', '/description']) await read(`/sources/${id}${p}`);
  }
  return out;
}

describe('restart', () => {
  it('finds flows, sources, tags, labels, collections and service info intact on the same data directory', async () => {
    const video = videoFlow({
      label: 'v',
      description: 'video',
      tags: { a: '1', 'odd name/x': 'y' },
      max_bit_rate: 8000,
    });
    const audio = audioFlow({ generation: 2, avg_bit_rate: 128 });
    const data = dataFlow({ read_only: true });
    const multi = multiFlow({
      label: 'mux',
      flow_collection: [
        { id: video.id, role: 'video' },
        { id: audio.id, role: 'audio', container_mapping: { track_index: 1, mp2ts_container: { pid: 257 } } },
      ],
    });
    const flowIds = [video, audio, data, multi].map((f) => f.id as string);
    const sourceIds = [video, audio, data, multi].map((f) => f.source_id as string);

    const first = await startServer({ dataDir: dir.path });
    let before: Record<string, unknown>;
    try {
      for (const flow of [video, audio, data, multi]) await createFlow(first, flow);
      expect((await putValue(first, `/flows/${audio.id}/tags/added`, 'later')).status).toBe(204);
      expect((await putValue(first, `/flows/${video.id}/avg_bit_rate`, 5000)).status).toBe(204);
      expect((await putValue(first, `/sources/${video.source_id}/label`, 'source label')).status).toBe(204);
      expect(
        (await putValue(first, `/sources/${video.source_id}/description`, 'source description')).status,
      ).toBe(204);
      expect((await putValue(first, `/sources/${audio.source_id}/tags/genre`, 'news')).status).toBe(204);
      expect(
        (await first.post('/service', { name: 'persisted name', description: 'persisted description' }))
          .status,
      ).toBe(200);
      before = await snapshot(first, flowIds, sourceIds);
    } finally {
      await first.close();
    }

    // Sanity: the snapshot holds what was written, so equality below means something.
    expect(before[`200 /flows/${video.id}/label`]).toBe('v');
    expect(before[`200 /flows/${data.id}/read_only`]).toBe(true);
    expect(before[`200 /sources/${video.source_id}/label`]).toBe('source label');
    expect(before[`200 /sources/${audio.source_id}/tags`]).toEqual({ genre: 'news' });
    expect((before[`200 /flows/${video.id}`] as Doc).collected_by).toEqual([multi.id]);
    expect((before[`200 /sources/${multi.source_id}`] as Doc).source_collection).toHaveLength(2);
    expect(before['200 /service']).toMatchObject({
      name: 'persisted name',
      description: 'persisted description',
    });
    assertSpecValid('flow.json[]', before['200 /flows?limit=1000']);
    expect(before['200 /flows?limit=1000']).toHaveLength(4);

    const second = await startServer({ dataDir: dir.path });
    try {
      const after = await snapshot(second, flowIds, sourceIds);
      expect(after).toEqual(before);
      // And the restarted store keeps working: rules that need stored state still apply.
      expect((await putValue(second, `/flows/${data.id}/label`, 'x')).status).toBe(403);
      expect((await second.put(`/flows/${video.id}`, { ...video, label: 'changed' })).status).toBe(204);
      expect((await second.get<Doc>(`/flows/${video.id}`)).body.created).toBe(
        (before[`200 /flows/${video.id}`] as Doc).created,
      );
    } finally {
      await second.close();
    }
  });
});
