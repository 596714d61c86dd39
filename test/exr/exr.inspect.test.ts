/**
 * POST /exr/inspect: posted files (whole, or their start with `size`) and media objects of the
 * store, inspected now and recorded idempotently; hostile and truncated uploads answered 400 with
 * the TAMS error body, never a 500; objects whose bytes are missing or not OpenEXR recorded as
 * failures.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDump } from '../../tools/exr-files/exr.samples.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import {
  exrEnv,
  exrFlow,
  type FileDetail,
  framesListed,
  gate,
  ingest,
  postBytes,
  sample,
} from './exr.fixtures.ts';

const UPLOAD_LIMIT = 256 * 1024;
let server: TestServer;
beforeAll(async () => {
  if (!gate.skip) {
    server = await startServer({ env: { ...exrEnv(), TAMS_EXR_UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT) } });
  }
});
afterAll(async () => {
  await server?.close();
});

/** A 400 with the TAMS error body whose summary names the parser's code. */
function refused(res: Awaited<ReturnType<typeof postBytes>>, code: string, what: string) {
  expect({ what, status: res.status, text: res.text }).toMatchObject({ status: 400 });
  expectError({ ...res, body: res.body }, 400);
  expect((res.body as { summary: string }).summary, what).toContain(code);
}

describe.skipIf(gate.skip)(`POST /exr/inspect${gate.note}`, () => {
  it('inspects a posted file, records it under its path, and counts a second inspection', async () => {
    const bytes = sample('multipart_3parts');
    const first = await postBytes(server, bytes, { query: { path: 'renders/shot010/beauty.0042.exr' } });
    expect(first.status, first.text).toBe(200);
    const doc = first.body as FileDetail;
    expect(doc).toMatchObject({
      status: 'inspected',
      path: 'renders/shot010/beauty.0042.exr',
      size_bytes: bytes.length,
      part_count: 3,
      frame_number: 42,
      frame_source: 'name',
      inspection_count: 1,
    });
    expect(doc.object_id).toBeUndefined();
    expect(first.headers.get('location')).toBe(`${server.url}/exr/files/${doc.id}`);
    expect(doc.parts.map((p) => p.attributes?.map((a) => a.name))).toEqual(
      sampleDump(gate.dir, 'multipart_3parts').parts.map((p) => p.attributeOrder),
    );

    const second = await postBytes(server, bytes, {
      query: { path: 'renders/shot010/beauty.0042.exr' },
      headers: { 'content-type': 'image/x-exr' },
    });
    expect(second.status, second.text).toBe(200);
    expect(second.body).toMatchObject({
      id: doc.id,
      inspection_count: 2,
      first_inspected: doc.first_inspected,
    });
    const looked = await server.get<FileDetail>('/exr/lookup', {
      query: { path: 'renders/shot010/beauty.0042.exr' },
    });
    expect(looked.body).toMatchObject({ id: doc.id, inspection_count: 2 });
    // The parts, channels and attributes were written once.
    const detail = await server.get<FileDetail>(`/exr/files/${doc.id}`);
    expect(detail.body.parts).toHaveLength(3);
    expect(detail.body.parts[1]?.channels.map((c) => c.name)).toEqual(['N.X', 'N.Y', 'N.Z']);

    // Another header at the same path replaces the file (a new id; the old one is gone).
    const changed = await postBytes(server, sample('scanline_rgba_half_zip'), {
      query: { path: 'renders/shot010/beauty.0042.exr' },
    });
    expect(changed.status).toBe(200);
    const replaced = changed.body as FileDetail;
    expect(replaced.id).not.toBe(doc.id);
    expectError(await server.get(`/exr/files/${doc.id}`), 404);
  });

  it('names a file without a path by its bytes, and reads only the start of a larger one', async () => {
    const bytes = sample('tiled_ripmap_none');
    const whole = await postBytes(server, bytes);
    expect(whole.status, whole.text).toBe(200);
    expect((whole.body as FileDetail).path).toMatch(/^upload\/[0-9a-f]{32}\.exr$/);
    const headerEnd = sampleDump(gate.dir, 'tiled_ripmap_none').headerEnd;
    const start = await postBytes(server, bytes.subarray(0, headerEnd + 100), {
      query: { size: bytes.length, path: 'big/ripmap.exr' },
    });
    expect(start.status, start.text).toBe(200);
    expect(start.body).toMatchObject({
      size_bytes: bytes.length,
      header_hash: (whole.body as FileDetail).header_hash,
      tiled: true,
    });
    // More than the limit is refused before it is read.
    const tooLarge = await postBytes(server, randomBytes(UPLOAD_LIMIT + 1));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ type: 'BadRequest' });
  });

  it("answers hostile and truncated uploads with 400 and the parser's code, never a 500", async () => {
    const invalid = join(gate.dir, 'invalid');
    const codes: Record<string, string> = {
      'invalid_bad_magic.exr': 'BAD_MAGIC',
      'invalid_version3.exr': 'UNSUPPORTED_VERSION',
      'invalid_flags_tiled_plus_multipart.exr': 'BAD_FLAGS',
      'invalid_truncated_header.exr': 'TRUNCATED',
    };
    for (const file of readdirSync(invalid).filter((f) => f.endsWith('.exr'))) {
      refused(await postBytes(server, readFileSync(join(invalid, file))), codes[file] ?? '', file);
    }
    const zip = sample('scanline_rgba_half_zip');
    refused(await postBytes(server, zip.subarray(0, 300)), 'TRUNCATED', 'cut');
    refused(
      await postBytes(server, zip.subarray(0, 300), { query: { size: zip.length } }),
      'INCOMPLETE',
      'start',
    );
    refused(await postBytes(server, new Uint8Array(0)), 'TRUNCATED', 'empty');
    refused(await postBytes(server, randomBytes(70_000)), 'BAD_MAGIC', 'noise');
    refused(await postBytes(server, zip, { query: { size: 10 } }), 'query.size', 'size');
    // Mutated headers: every answer is a document or a 400.
    for (let i = 0; i < 150; i++) {
      const bytes = Buffer.from(zip);
      for (let n = 0; n < 1 + (i % 4); n++) {
        const at = (i * 7919 + n * 104729) % 760;
        bytes[at] = (bytes[at] ?? 0) ^ (1 << ((i + n) % 8));
      }
      const res = await postBytes(server, i % 3 === 0 ? bytes.subarray(0, 200 + i) : bytes);
      expect([200, 400], `mutation ${i}: ${res.text}`).toContain(res.status);
      if (res.status === 400) expectError({ ...res, body: res.body }, 400);
    }
  });

  it('inspects a media object by its id, and records objects that are missing or not OpenEXR as failures', async () => {
    const flowId = await exrFlow(server);
    const [good, noise, missing] = await ingest(server, flowId, [
      { bytes: sample('scanline_rgba_half_dwab') },
      { bytes: randomBytes(2048) },
      { bytes: undefined },
    ]);
    await framesListed(server, flowId, 3);
    const res = await server.post<FileDetail>('/exr/inspect', { object_id: good });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      object_id: good,
      compressions: ['DWAB'],
      inspection_count: 2,
      frame_number: 0,
      frame_source: 'timeline',
    });
    expect(res.body.frames).toEqual([
      {
        flow_id: flowId,
        object_id: good,
        timerange: '[0:0_0:40000000)',
        frame_number: 0,
        frame_source: 'timeline',
      },
    ]);

    const notExr = await server.get<FileDetail>('/exr/lookup', { query: { object_id: noise as string } });
    expect(notExr.body).toMatchObject({
      status: 'failed',
      error: { code: 'BAD_MAGIC' },
      inspection_count: 1,
    });
    const again = await server.post('/exr/inspect', { object_id: noise });
    expectError(again, 400);
    expect((again.body as { summary: string }).summary).toContain('BAD_MAGIC');
    const counted = await server.get<FileDetail>('/exr/lookup', { query: { object_id: noise as string } });
    expect(counted.body.inspection_count).toBe(2);

    const gone = await server.get<FileDetail>('/exr/lookup', { query: { object_id: missing as string } });
    expect(gone.body).toMatchObject({ status: 'failed', error: { code: 'MISSING' } });

    expectError(await server.post('/exr/inspect', { object_id: 'no-such-object' }), 404);
    expectError(await server.post('/exr/inspect', {}), 400);
    expectError(await server.post('/exr/inspect', { object_id: 5 }), 400);
    expectError(
      await server.post('/exr/inspect', 'not json', { headers: { 'content-type': 'application/json' } }),
      400,
    );
  });
});
