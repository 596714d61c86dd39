/**
 * The /exr API over a Flow of varied frames: the listing's filters (with and without a Flow),
 * failures recorded for objects whose bytes are missing or not OpenEXR, frame numbers from
 * object names, lookup, statistics, similar files, paging, and the answers to bad requests.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, expectError, nextLink, videoFlow } from '../http/fixtures.ts';
import { addSegments, allocate, upload } from '../segments/helpers.ts';
import {
  exrEnv,
  exrFlow,
  type FileDetail,
  type FileDoc,
  files,
  framesListed,
  gate,
  ingest,
  postBytes,
  sample,
} from './exr.fixtures.ts';

/** The frames of the Flow, 1001 on, named as a renderer names them. */
const FRAMES = [
  'scanline_rgba_half_zip',
  'scanline_rgba_half_piz',
  'scanline_rgba_half_none',
  'multipart_3parts',
  'mixed_types_layers',
  'deep_scanline_zips',
  'tiled_onelevel_16x16_zip',
  'not exr',
  'missing',
] as const;

let server: TestServer;
let flowId: string;
let objectIds: string[];
let byName: Map<string, FileDoc>;
let videoObject: string;

beforeAll(async () => {
  if (gate.skip) return;
  server = await startServer({ env: exrEnv() });
  flowId = await exrFlow(server);
  const prefix = `shot010_${flowId.slice(0, 8)}_beauty`;
  objectIds = await ingest(
    server,
    flowId,
    FRAMES.map((name, i) => ({
      objectId: `${prefix}.${1001 + i}.exr`,
      bytes: name === 'missing' ? undefined : name === 'not exr' ? randomBytes(4096) : sample(name),
    })),
  );
  // EXR bytes on a video Flow: not an EXR image Flow, never inspected.
  const video = videoFlow();
  await createFlow(server, video);
  const [object] = await allocate(server, video.id as string, { limit: 1 });
  if (object === undefined) throw new Error('no object');
  await upload(object, sample('scanline_rgba_half_zip'));
  await addSegments(server, video.id as string, { object_id: object.object_id, timerange: '[0:0_10:0)' });
  videoObject = object.object_id;
  const listed = await framesListed(server, flowId, FRAMES.length);
  byName = new Map(listed.map((f, i) => [FRAMES[i] as string, f]));
});
afterAll(async () => {
  await server?.close();
});

const idsOf = (docs: FileDoc[]) =>
  docs.map((f) => FRAMES[objectIds.indexOf(f.frame?.object_id ?? f.object_id ?? '')]);

describe.skipIf(gate.skip)(`the /exr API${gate.note}`, () => {
  it('numbers frames from their object names, and records the objects it could not inspect', async () => {
    expect([...byName.values()].map((f) => [f.frame?.frame_number, f.frame?.frame_source])).toEqual(
      FRAMES.map((_, i) => [1001 + i, 'name']),
    );
    expect(byName.get('scanline_rgba_half_zip')).toMatchObject({ frame_number: 1001, frame_source: 'name' });
    expect(byName.get('not exr')).toMatchObject({
      status: 'failed',
      error: { code: 'BAD_MAGIC' },
      parts: [],
    });
    expect(byName.get('missing')).toMatchObject({ status: 'failed', error: { code: 'MISSING' } });
    const failed = await files(server, { flow_id: flowId, status: 'failed' });
    expect(idsOf(failed.body)).toEqual(['not exr', 'missing']);
    // By default the listings hold inspected files only.
    expect((await files(server, { flow_id: flowId })).body).toHaveLength(7);
    // A video Flow's objects are not EXR frames, whatever their bytes.
    const res = await server.get('/exr/lookup', { query: { object_id: videoObject } });
    expectError(res, 404);
  });

  it("filters a Flow's frames", async () => {
    const cases: [Record<string, string | number | boolean>, string[]][] = [
      [
        { compression: 'zip' },
        ['scanline_rgba_half_zip', 'multipart_3parts', 'mixed_types_layers', 'tiled_onelevel_16x16_zip'],
      ],
      [{ compression: 'PIZ' }, ['scanline_rgba_half_piz', 'multipart_3parts']],
      [{ channel: 'diffuse.R' }, ['mixed_types_layers']],
      [{ channel: 'N.X' }, ['multipart_3parts']],
      [{ parts: 3 }, ['multipart_3parts']],
      [{ deep: true }, ['deep_scanline_zips']],
      [
        { frame_min: 1003, frame_max: 1005 },
        ['scanline_rgba_half_none', 'multipart_3parts', 'mixed_types_layers'],
      ],
      [{ min_size: 10_000 }, ['scanline_rgba_half_none']],
      [{ max_size: 1100 }, ['mixed_types_layers', 'deep_scanline_zips']],
      [
        { compression: 'ZIP', channel: 'R', deep: false, parts: 1 },
        ['scanline_rgba_half_zip', 'mixed_types_layers', 'tiled_onelevel_16x16_zip'],
      ],
      [{ status: 'all', frame_min: 1008 }, ['not exr', 'missing']],
    ];
    for (const [query, expected] of cases) {
      const res = await files(server, { flow_id: flowId, ...query });
      expect(idsOf(res.body), JSON.stringify(query)).toEqual(expected);
    }
    const sizes = [...byName.values()].map((f) => f.size_bytes);
    expect(sizes.slice(0, 7).every((s) => typeof s === 'number')).toBe(true);
  });

  it('filters the whole catalogue, by path prefix among others', async () => {
    const prefix = `${flowId}/`;
    const all = await files(server, { path_prefix: prefix, limit: 100 });
    expect(all.body.map((f) => f.object_id).sort()).toEqual(objectIds.slice(0, 7).sort());
    const piz = await files(server, { path_prefix: prefix, compression: 'PIZ' });
    expect(piz.body.map((f) => f.object_id).sort()).toEqual([objectIds[1], objectIds[3]].sort());
    const frames = await files(server, { path_prefix: prefix, frame_min: 1006, frame_max: 1006 });
    expect(frames.body.map((f) => f.object_id)).toEqual([objectIds[5]]);
    expect(frames.body[0]?.frame).toBeUndefined();
    const failed = await files(server, { path_prefix: prefix, status: 'failed' });
    expect(failed.body.map((f) => f.error?.code).sort()).toEqual(['BAD_MAGIC', 'MISSING']);
  });

  it('pages a Flow and the catalogue with Link headers, and refuses a page key it did not issue', async () => {
    const seen: string[] = [];
    let res = await files(server, { flow_id: flowId, status: 'all', limit: 4 });
    for (;;) {
      seen.push(...res.body.map((f) => f.frame?.object_id ?? ''));
      const next = nextLink(res);
      if (next === undefined) break;
      expect(next).toContain('limit=4');
      res = await server.get<FileDoc[]>(next);
    }
    expect(seen).toEqual(objectIds);

    const ids: string[] = [];
    res = await files(server, { limit: 2, path_prefix: `${flowId}/` });
    for (;;) {
      ids.push(...res.body.map((f) => f.id));
      const next = nextLink(res);
      if (next === undefined) break;
      res = await server.get<FileDoc[]>(next);
    }
    expect(ids).toHaveLength(7);
    expect([...ids].sort()).toEqual(ids);
    expectError(await server.get('/exr/files', { query: { page: 'not-a-key!' } }), 400);
    expectError(await server.get('/exr/files', { query: { flow_id: flowId, page: 'YWJj' } }), 400);
  });

  it('looks files up by object and by path, and shows a file whole', async () => {
    const zip = byName.get('scanline_rgba_half_zip') as FileDoc;
    const byObject = await server.get<FileDetail>('/exr/lookup', {
      query: { object_id: objectIds[0] as string },
    });
    expect(byObject.status, byObject.text).toBe(200);
    expect(byObject.body).toMatchObject({ id: zip.id, status: 'inspected' });
    expect(byObject.body.parts[0]?.attributes?.length).toBeGreaterThan(8);
    const byPath = await server.get<FileDetail>('/exr/lookup', { query: { path: zip.path } });
    expect(byPath.body.id).toBe(zip.id);
    const upper = await server.get<FileDetail>('/exr/lookup', { query: { path: zip.path.toUpperCase() } });
    expect(upper.body.id).toBe(zip.id);
    const failed = await server.get<FileDetail>('/exr/lookup', {
      query: { object_id: objectIds[7] as string },
    });
    expect(failed.body).toMatchObject({ status: 'failed', error: { code: 'BAD_MAGIC' } });
    expectError(await server.get('/exr/lookup'), 400);
    expectError(await server.get('/exr/lookup', { query: { object_id: 'a', path: 'b' } }), 400);
    expectError(await server.get('/exr/lookup', { query: { path: 'no/such/file.exr' } }), 404);
    expectError(await server.get('/exr/files/0123456789abcdef0123456789abcdef'), 404);
    expectError(await server.get('/exr/files/not%20an%20id'), 404);
  });

  it('counts files by compression, pixel type and resolution', async () => {
    const res = await server.get<Record<string, unknown>>('/exr/stats', { query: { flow_id: flowId } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      files: 7,
      failed: 2,
      parts: 9,
      deep: 1,
      by_compression: { ZIP: 4, PIZ: 2, NONE: 1, ZIPS: 2 },
      by_resolution: { '64x48': 3, '32x24': 2, '8x6': 1, '64x64': 1 },
    });
    expect((res.body.by_pixel_type as Record<string, number>).HALF).toBe(7);
    expect((res.body.by_pixel_type as Record<string, number>).UINT).toBeGreaterThanOrEqual(1);
    const all = await server.get<{ files: number }>('/exr/stats');
    expect(all.body.files).toBeGreaterThanOrEqual(7);
    expectError(
      await server.get('/exr/stats', { query: { flow_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' } }),
      404,
    );
  });

  it('finds files like one by their metadata vectors', async () => {
    const zip = byName.get('scanline_rgba_half_zip') as FileDoc;
    const res = await server.get<{ score: number; file: FileDoc }[]>(`/exr/files/${zip.id}/similar`, {
      query: { limit: 5 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toHaveLength(5);
    expect(res.body.map((s) => s.file.id)).not.toContain(zip.id);
    // The same image in other compressions differ in the compression block alone (weight 0.15).
    const [first, second] = res.body;
    expect(new Set([first?.file.object_id, second?.file.object_id])).toEqual(
      new Set([objectIds[1], objectIds[2]]),
    );
    expect(first?.score).toBeCloseTo(0.85, 5);
    expect(second?.score).toBeCloseTo(0.85, 5);
    const scores = res.body.map((s) => s.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // The same header posted under a path: identical metadata, the nearest.
    const posted = await postBytes(server, sample('scanline_rgba_half_zip'), {
      query: { path: 'copies/zip.exr' },
    });
    expect(posted.status, posted.text).toBe(200);
    const again = await server.get<{ score: number; file: FileDoc }[]>(`/exr/files/${zip.id}/similar`);
    expect(again.body[0]).toMatchObject({ score: 1, file: { path: 'copies/zip.exr' } });
    const failed = byName.get('not exr') as FileDoc;
    expectError(await server.get(`/exr/files/${failed.id}/similar`), 400);
  });

  it('is documented in the OpenAPI document, under its tag', async () => {
    type Op = {
      tags?: string[];
      parameters?: { name: string }[];
      requestBody?: { content: Record<string, unknown> };
      responses: Record<string, unknown>;
    };
    const res = await server.get<{ tags: { name: string }[]; paths: Record<string, Record<string, Op>> }>(
      '/openapi.json',
    );
    expect(res.status).toBe(200);
    expect(res.body.tags.map((t) => t.name)).toContain('EXR');
    const { paths } = res.body;
    for (const [path, method] of [
      ['/exr/files', 'get'],
      ['/exr/files/{id}', 'get'],
      ['/exr/files/{id}/similar', 'get'],
      ['/exr/lookup', 'get'],
      ['/exr/stats', 'get'],
      ['/exr/inspect', 'post'],
    ] as const) {
      expect(paths[path]?.[method]?.tags, `${method} ${path}`).toEqual(['EXR']);
    }
    expect(paths['/exr/files']?.get?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'flow_id',
        'path_prefix',
        'compression',
        'channel',
        'min_size',
        'max_size',
        'parts',
      ]),
    );
    expect(Object.keys(paths['/exr/files']?.get?.responses ?? {}).sort()).toEqual(['200', '400', '404']);
    expect(Object.keys(paths['/exr/inspect']?.post?.requestBody?.content ?? {}).sort()).toEqual([
      'application/json',
      'application/octet-stream',
      'image/x-exr',
    ]);
  });

  it('answers bad queries with 400 and unknown Flows with 404, as the TAMS API does', async () => {
    expectError(await server.get('/exr/files', { query: { min_size: 10, max_size: 5 } }), 400);
    expectError(await server.get('/exr/files', { query: { compression: 'ZIP; DROP' } }), 400);
    expectError(await server.get('/exr/files', { query: { flow_id: 'not-a-uuid' } }), 400);
    expectError(await server.get('/exr/files', { query: { deep: 'maybe' } }), 400);
    expectError(await server.get('/exr/files', { query: { limit: 0 } }), 400);
    // Sizes past what the size column (and a JavaScript number, exactly) holds: named, never a 500.
    for (const name of ['min_size', 'max_size']) {
      for (const value of ['1e40', '9223372036854775808', '9007199254740992']) {
        const res = await server.get<{ summary: string }>('/exr/files', { query: { [name]: value } });
        expectError(res, 400);
        expect(res.body.summary).toMatch(new RegExp(`^query\\.${name} `));
      }
    }
    expect((await server.get('/exr/files', { query: { max_size: Number.MAX_SAFE_INTEGER } })).status).toBe(
      200,
    );
    expectError(
      await server.get('/exr/files', { query: { flow_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' } }),
      404,
    );
  });
});
