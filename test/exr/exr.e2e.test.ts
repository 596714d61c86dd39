/**
 * EXR inspection end to end: an image Flow of container image/x-exr ingested through the
 * ordinary TAMS API (Flow, storage allocation, uploads to the put URLs, segments) is inspected by
 * the follower of the event outbox, with ranged reads of the media store, and /exr/files lists its
 * frames in timeline order with their parts and channels; deleting segments and the Flow takes
 * them away.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDump } from '../../tools/exr-files/exr.samples.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { nextLink } from '../http/fixtures.ts';
import { waitFor } from '../segments/helpers.ts';
import {
  exrEnv,
  exrFlow,
  type FileDetail,
  type FileDoc,
  files,
  frameRange,
  framesListed,
  gate,
  ingest,
  sample,
} from './exr.fixtures.ts';

const SAMPLES = [
  'scanline_rgba_half_zip',
  'multipart_3parts',
  'mixed_types_layers',
  'deep_scanline_zips',
  'tiled_onelevel_16x16_zip',
];

let server: TestServer;
beforeAll(async () => {
  if (!gate.skip) server = await startServer({ env: exrEnv() });
});
afterAll(async () => {
  await server?.close();
});

describe.skipIf(gate.skip)(`EXR frames of an image Flow, through the TAMS API${gate.note}`, () => {
  it('inspects every object registered on the Flow and lists its frames with their parts and channels', async () => {
    const flowId = await exrFlow(server);
    const objects = await ingest(
      server,
      flowId,
      SAMPLES.map((name) => ({ bytes: sample(name) })),
    );
    const listed = await framesListed(server, flowId, SAMPLES.length);

    // One item per segment, in timeline order, numbered from the timeline (25 fps from 0:0).
    expect(listed.map((f) => f.frame)).toEqual(
      objects.map((object_id, i) => ({
        flow_id: flowId,
        object_id,
        timerange: frameRange(i),
        frame_number: i,
        frame_source: 'timeline',
      })),
    );
    for (const [i, f] of listed.entries()) {
      const name = SAMPLES[i] as string;
      const bytes = sample(name);
      const dump = sampleDump(gate.dir, name);
      expect(f, name).toMatchObject({
        status: 'inspected',
        object_id: objects[i],
        size_bytes: bytes.length,
        part_count: dump.parts.length,
        header_hash: createHash('sha256').update(bytes.subarray(0, dump.headerEnd)).digest('hex'),
        frame_number: i,
        inspection_count: 1,
      });
      // Parts and channels as the reference dump has them.
      expect(
        f.parts.map((p) => p.channels.map((c) => c.name)),
        name,
      ).toEqual(
        dump.parts.map((p) =>
          ((p.attributes.channels?.value ?? []) as { name: string }[]).map((c) => c.name),
        ),
      );
      expect(
        f.parts.map((p) => p.compression),
        name,
      ).toEqual(dump.parts.map((p) => p.attributes.compression?.value));
    }
    const [zip, multipart, layers, deep, tiled] = listed as [FileDoc, FileDoc, FileDoc, FileDoc, FileDoc];
    expect(zip).toMatchObject({
      width: 64,
      height: 48,
      deep: false,
      tiled: false,
      compressions: ['ZIP'],
      channel_names: ['A', 'B', 'G', 'R'],
      pixel_types: ['HALF'],
      resolutions: ['64x48'],
    });
    expect(zip.parts[0]?.channels[0]).toEqual({
      name: 'A',
      layer: '',
      component: 'A',
      pixel_type: 'HALF',
      x_sampling: 1,
      y_sampling: 1,
      p_linear: false,
    });
    expect(multipart.parts.map((p) => [p.name, p.compression, p.type])).toEqual([
      ['beauty', 'ZIP', 'scanlineimage'],
      ['normals', 'PIZ', 'scanlineimage'],
      ['depth', 'ZIPS', 'scanlineimage'],
    ]);
    expect(multipart.compressions).toEqual(['PIZ', 'ZIP', 'ZIPS']);
    expect(layers.pixel_types).toEqual(['FLOAT', 'HALF', 'UINT']);
    expect(layers.parts[0]?.channels.find((c) => c.name === 'diffuse.R')).toMatchObject({
      layer: 'diffuse',
      component: 'R',
      pixel_type: 'HALF',
    });
    expect(deep).toMatchObject({ deep: true, parts: [{ type: 'deepscanline', deep: true }] });
    expect(tiled).toMatchObject({
      tiled: true,
      parts: [{ type: 'tiledimage', tiles: { width: 16, height: 16 } }],
    });

    // Paged like the TAMS lists: X-Paging-Limit, and Link rel="next" to the rest.
    const pages: FileDoc[][] = [];
    let res = await files(server, { flow_id: flowId, limit: 2 });
    expect(res.headers.get('x-paging-limit')).toBe('2');
    for (;;) {
      pages.push(res.body);
      const next = nextLink(res);
      if (next === undefined) break;
      res = await server.get<FileDoc[]>(next);
      expect(res.status).toBe(200);
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((f) => f.id)).toEqual(listed.map((f) => f.id));

    // A file's detail: every attribute in file order, and where the object is used.
    const detail = await server.get<FileDetail>(`/exr/files/${zip.id}`);
    expect(detail.status, detail.text).toBe(200);
    const dump = sampleDump(gate.dir, 'scanline_rgba_half_zip');
    expect(detail.body.parts[0]?.attributes?.map((a) => a.name)).toEqual(dump.parts[0]?.attributeOrder);
    expect(detail.body.parts[0]?.attributes?.find((a) => a.name === 'dataWindow')).toMatchObject({
      type: 'box2i',
      value: { xMin: 0, yMin: 0, xMax: 63, yMax: 47 },
      offset: dump.parts[0]?.attributes.dataWindow?.offset,
    });
    expect(detail.body.frames).toEqual([listed[0]?.frame]);
    expect(detail.body.vector_layout).toBe('tams-exr-v1');
  });

  it('drops the frames of deleted segments, and the files of a deleted Flow leave the listings', async () => {
    const flowId = await exrFlow(server);
    const objects = await ingest(
      server,
      flowId,
      ['scanline_rgba_half_rle', 'scanline_rgba_half_piz', 'scanline_rgba_half_b44'].map((n) => ({
        bytes: sample(n),
      })),
    );
    await framesListed(server, flowId, 3);

    const deleted = await server.delete(`/flows/${flowId}/segments`, { query: { timerange: frameRange(1) } });
    expect(deleted.status, deleted.text).toBe(204);
    const left = await framesListed(server, flowId, 2);
    expect(left.map((f) => f.object_id)).toEqual([objects[0], objects[2]]);
    // The object no Flow uses any more: out of the listings, its file kept and marked.
    const gone = await server.get<FileDetail>('/exr/lookup', { query: { object_id: objects[1] as string } });
    expect(gone.status).toBe(200);
    expect(gone.body.removed).toBeDefined();
    const everything = (await files(server, { limit: 1000 })).body.map((f) => f.object_id);
    expect(everything).toContain(objects[0]);
    expect(everything).not.toContain(objects[1]);
    const withRemoved = (await files(server, { limit: 1000, include_removed: true })).body;
    expect(withRemoved.find((f) => f.object_id === objects[1])?.removed).toBeDefined();

    expect((await server.delete(`/flows/${flowId}`)).status).toBe(204);
    await waitFor("the deleted Flow's files removed", async () => {
      const ids = (await files(server, { limit: 1000 })).body.map((f) => f.object_id);
      return !ids.includes(objects[0]) && !ids.includes(objects[2]);
    });
    const res = await server.get('/exr/files', { query: { flow_id: flowId } });
    expect(res.status).toBe(404);
  });
});
