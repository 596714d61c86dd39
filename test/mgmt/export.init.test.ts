/**
 * `export`/`import` of a Flow with initialisation segments (TAMS 8.2, ADR 0045, AppNote 0024):
 * the export has each init object once (`init: true`, where its bytes are) before the first
 * object naming it (`init_object_id`); the import makes the init objects again, so that 8.2's
 * GET answers of the imported Flow's segments and of every object (its timerange, its init
 * object, the Flows using it) are the exported store's. Imported again under another id, the
 * init objects already there are used again.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, tempDir } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import type { Doc } from '../http/fixtures.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import type { AllocatedObject } from '../segments/helpers.ts';
import { upload } from '../segments/helpers.ts';
import { mgmt } from './fixture.ts';

const work = tempDir('tams-export-init-');
const dirs: (() => void)[] = [work.remove];
const flow = initSegmentsFlow();
const flowId = flow.id as string;
let env: Record<string, string>;
/** The init objects, then the media objects. */
let inits: string[];
let media: string[];

function newEnv(shared?: Record<string, string>): Record<string, string> {
  const dir = tempDir('tams-export-init-');
  dirs.push(dir.remove);
  return {
    TAMS_DATA_DIR: dir.path,
    TAMS_AUTH: 'none',
    TAMS_LOG_LEVEL: 'silent',
    TAMS_FS_STORAGE_ID: shared?.TAMS_FS_STORAGE_ID ?? randomUUID(),
    TAMS_MEDIA_DIR: shared?.TAMS_MEDIA_DIR ?? join(dir.path, 'media'),
  };
}

/** A server on the store of `storeEnv` for the time of `use`. */
async function withServer<T>(
  storeEnv: Record<string, string>,
  use: (v8: HttpClient, seven: HttpClient) => Promise<T>,
): Promise<T> {
  const server = await startServer({ dataDir: storeEnv.TAMS_DATA_DIR, workers: false, env: storeEnv });
  try {
    return await use(mountClient(server, '/tams/v8.2'), server);
  } finally {
    await server.close();
  }
}

async function ok<T = unknown>(res: Promise<{ status: number; text: string; body: T }>, status = 201) {
  const answer = await res;
  expect(answer.status, answer.text).toBe(status);
  return answer.body;
}

beforeAll(async () => {
  env = newEnv();
  await withServer(env, async (v8) => {
    await ok(v8.put(`/flows/${flowId}`, flow));
    const storage = async (body: Doc) => {
      const { media_objects } = await ok<{ media_objects: AllocatedObject[] }>(
        v8.post(`/flows/${flowId}/storage`, body),
      );
      for (const o of media_objects) await upload(o);
      return media_objects.map((o) => o.object_id);
    };
    inits = await storage({ limit: 2, content_type: 'application/mp4' });
    media = await storage({ limit: 3 });
    const [a, b] = inits as [string, string];
    await ok(
      v8.post(`/flows/${flowId}/segments`, [
        { object_id: media[0], timerange: '[0:0_2:0)', init_object_id: a, key_frame_count: 1 },
        { object_id: media[1], timerange: '[2:0_4:0)', init_object_id: a },
        { object_id: media[2], timerange: '[4:0_6:0)', init_object_id: b },
        // Re-used later: it keeps its init object.
        { object_id: media[0], timerange: '[6:0_8:0)', ts_offset: '6:0' },
      ]),
    );
  });
});
afterAll(() => {
  for (const remove of dirs) remove();
});

/**
 * A URL without its signature (answers a second apart sign differently) and its origin (each
 * server of a store listens on a port of its own).
 */
const unsign = (u: Doc): Doc => ({
  ...u,
  url: String(u.url)
    .split('?')[0]
    ?.replace(/^https?:\/\/[^/]+/, ''),
});
const unsignAll = (doc: Doc): Doc => {
  const out: Doc = { ...doc };
  if (Array.isArray(doc.get_urls)) out.get_urls = (doc.get_urls as Doc[]).map(unsign);
  if (doc.init_object !== undefined) out.init_object = unsignAll(doc.init_object as Doc);
  return out;
};

/** What 8.2 answers of the Flows' segments and of every object, valid against 8.2's schemas. */
async function answers(storeEnv: Record<string, string>, flowIds: readonly string[]) {
  return withServer(storeEnv, async (v8) => {
    const segments: Record<string, Doc[]> = {};
    for (const id of flowIds) {
      const query = { include_object_timerange: 'true', verbose_storage: 'true' };
      const list = await ok<Doc[]>(v8.get(`/flows/${id}/segments`, { query }), 200);
      spec82.assertSpecValid('flow-segment.json[]', list);
      segments[id] = list.map(unsignAll);
    }
    const objects: Record<string, Doc> = {};
    for (const id of [...inits, ...media]) {
      const object = await ok<Doc>(v8.get(`/objects/${id}`), 200);
      spec82.assertSpecValid('object.json', object);
      objects[id] = unsignAll(object);
    }
    return { segments, objects };
  });
}

describe('tams-mgmt export and import of init objects', () => {
  it('exports each init object once, before the first object naming it', async () => {
    const file = join(work.path, 'lines.jsonl');
    const run = await mgmt(env, 'export', '--flow', flowId, '--out', file);
    expect(run.code, run.err).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Doc);
    const objectLines = lines.filter((l) => l.type === 'object');
    expect(objectLines.map((l) => l.id)).toEqual([inits[0], media[0], media[1], inits[1], media[2]]);
    expect(objectLines[0]).toEqual({
      type: 'object',
      id: inits[0],
      storage_id: env.TAMS_FS_STORAGE_ID,
      storage_path: expect.any(String),
      init: true,
    });
    expect(objectLines[1]).toMatchObject({ id: media[0], init_object_id: inits[0], timerange: '[0:0_2:0)' });
    expect(lines.at(-1)).toEqual({ type: 'end', segments: 4, objects: 5 });
  });

  it('imports them: segments, objects, init objects and the Flows using them as 8.2 answers them', async () => {
    const file = join(work.path, 'import.jsonl');
    expect((await mgmt(env, 'export', '--flow', flowId, '--out', file)).code).toBe(0);
    const target = newEnv(env);
    const run = await mgmt(target, 'import', file);
    expect(run.code, run.err + run.out).toBe(0);
    expect(run.out).toContain('4 of 4 segments');
    expect(run.out).toContain('5 in this store');
    const before = await answers(env, [flowId]);
    const after = await answers(target, [flowId]);
    expect(after).toEqual(before);
    expect(after.segments[flowId]?.map((s) => (s.init_object as Doc | undefined)?.object_id)).toEqual([
      inits[0],
      inits[0],
      inits[1],
      inits[0],
    ]);
    expect(after.objects[inits[0] as string]).toMatchObject({ referenced_by_flows: [flowId] });
    expect((await mgmt(target, 'verify')).code).toBe(0);

    // Again under another id: the objects and init objects already here are used again.
    const copy = randomUUID();
    const again = await mgmt(target, 'import', file, '--as', copy);
    expect(again.code, again.err + again.out).toBe(0);
    expect(again.out).toContain('5 already here');
    const both = await answers(target, [flowId, copy]);
    expect(both.segments[copy]).toEqual(before.segments[flowId]);
    expect(both.objects[inits[1] as string]?.referenced_by_flows).toEqual([flowId, copy].sort());
  });

  it('registers through 8.2 without its timerange a first use 8.2 refuses, keeping its init object', async () => {
    // A 7.0 re-use (7.0 checks no object timerange) outside its object's range, first on the
    // timeline: imported first, where 8.2 refuses the object's exported timerange for it.
    const edit = initSegmentsFlow();
    const editId = edit.id as string;
    const [init, object] = await withServer(env, async (v8, seven) => {
      await ok(v8.put(`/flows/${editId}`, edit));
      const ids: string[] = [];
      for (const body of [{ limit: 1, content_type: 'application/mp4' }, { limit: 1 }]) {
        const { media_objects } = await ok<{ media_objects: AllocatedObject[] }>(
          v8.post(`/flows/${editId}/storage`, body),
        );
        for (const o of media_objects) await upload(o);
        ids.push(...media_objects.map((o) => o.object_id));
      }
      const [i, o] = ids as [string, string];
      await ok(
        v8.post(`/flows/${editId}/segments`, { object_id: o, timerange: '[0:0_2:0)', init_object_id: i }),
      );
      await ok(
        seven.post(`/flows/${editId}/segments`, {
          object_id: o,
          timerange: '[-10:0_-6:0)',
          ts_offset: '-10:0',
        }),
      );
      return [i, o];
    });
    const file = join(work.path, 'edit.jsonl');
    expect((await mgmt(env, 'export', '--flow', editId, '--out', file)).code).toBe(0);
    const target = newEnv(env);
    const run = await mgmt(target, 'import', file);
    expect(run.code, run.err + run.out).toBe(0);
    expect(run.out).toContain('2 of 2 segments');
    expect(run.out).toContain('1 objects took the timerange of their first segment');
    await withServer(target, async (v8) => {
      const list = await ok<Doc[]>(v8.get(`/flows/${editId}/segments`), 200);
      expect(list.map((s) => [s.object_id, (s.init_object as Doc).object_id])).toEqual([
        [object, init],
        [object, init],
      ]);
      expect(await ok<Doc>(v8.get(`/objects/${object}`), 200)).toMatchObject({
        timerange: '[0:0_4:0)',
        init_object: { id: init },
      });
    });
  });
});
