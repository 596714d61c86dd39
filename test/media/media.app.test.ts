/**
 * The fs media routes inside the real app (buildApp + composition root): the client flow of
 * DIGEST §7 and §6.2, from storage allocation through upload to download of `get_urls`.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { videoFlow } from '../http/fixtures.ts';

interface Allocation {
  media_objects: { object_id: string; put_url: { url: string; 'content-type': string } }[];
}
interface GetUrl {
  url: string;
  presigned?: boolean;
}

let server: TestServer;
const media = tempDir('tams-media-app-');

beforeAll(async () => {
  server = await startServer({ env: { TAMS_MEDIA_DIR: media.path } });
});
afterAll(async () => {
  await server.close();
  media.remove();
});

describe('fs media in the app', () => {
  it('uploads to put_url and downloads every get_url of the registered segment', async () => {
    const flow = videoFlow();
    expect((await server.put(`/flows/${flow.id}`, flow)).status).toBe(201);
    const alloc = await server.post<Allocation>(`/flows/${flow.id}/storage`, { limit: 1 });
    expect(alloc.status).toBe(201);
    const [object] = alloc.body.media_objects;
    if (!object) throw new Error('no media object allocated');
    expect(object.put_url['content-type']).toBe('video/mp2t');

    // Not JSON: the app's root JSON parser must not see this body.
    const bytes = randomBytes(300_000);
    const put = await fetch(object.put_url.url, {
      method: 'PUT',
      headers: { 'content-type': object.put_url['content-type'] },
      body: bytes,
    });
    expect(put.status).toBe(200);
    const etag = put.headers.get('etag');

    const segment = { object_id: object.object_id, timerange: '[0:0_10:0)' };
    expect((await server.post(`/flows/${flow.id}/segments`, segment)).status).toBe(201);
    const listed = await server.get<{ get_urls?: GetUrl[] }[]>(`/flows/${flow.id}/segments`);
    const urls = listed.body[0]?.get_urls ?? [];
    expect(urls.map((u) => u.presigned).sort()).toEqual([false, true]);
    for (const { url } of urls) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('etag')).toBe(etag);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('refuses an unsigned PUT with a TAMS error body, and keeps JSON parsing for the API', async () => {
    const res = await server.put('/media/ab/cd', 'raw bytes', { headers: { 'content-type': 'video/mp2t' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: 'Forbidden' });
    const bad = await server.post('/service', '{not json');
    expect(bad.status).toBe(400);
  });

  it('keeps the media routes out of the OpenAPI document', async () => {
    const doc = await server.get<{ paths: Record<string, unknown> }>('/openapi.json');
    expect(Object.keys(doc.body.paths)).toContain('/flows/{flowId}/storage');
    expect(Object.keys(doc.body.paths).filter((p) => p.startsWith('/media'))).toEqual([]);
  });
});
