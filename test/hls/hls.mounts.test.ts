/**
 * The routes beyond the spec under the API mounts (docs/api.md, "API versions"). What belongs to
 * a Flow or a Source (HLS playlists, export, the web UI's Flow counts of Sources) is served under
 * every mount, `/`, `/tams/v7.0` and `/tams/v8.2`, authorised exactly as at the root, and the
 * links a playlist holds stay under the mount it was asked through. What is the whole server's
 * (users and tokens, the event stream, the web UI, ...) stays at the root: under a mount it
 * answers 404 with a body saying where it is.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, startAuthServer } from '../auth/auth.fixture.ts';
import type { TestServer } from '../helpers/server.ts';
import { type Doc, videoFlow } from '../http/fixtures.ts';
import { type AllocatedObject, secs, upload } from '../segments/helpers.ts';
import { parseMedia, parseMultivariant } from '../support/hls/hls.parse.testkit.ts';

const ADMIN = bearer(ADMIN_TOKEN);
const MOUNTS = ['', '/tams/v7.0', '/tams/v8.2'];

let server: TestServer;
let reader: Record<string, string>;
const flow = videoFlow({ avg_bit_rate: 4000, label: 'mounted' });
const flowId = flow.id as string;
const sourceId = flow.source_id as string;
const media = [randomBytes(4096), randomBytes(2048)];

beforeAll(async () => {
  server = await startAuthServer({}, { workers: false });
  reader = bearer((await server.runtime.auth.admin.createToken({ name: 'reader', scopes: ['read'] })).token);
  expect((await server.put(`/flows/${flowId}`, flow, { headers: ADMIN })).status).toBe(201);
  const storage = await server.post<{ media_objects: AllocatedObject[] }>(
    `/flows/${flowId}/storage`,
    { limit: 2 },
    { headers: ADMIN },
  );
  expect(storage.status, storage.text).toBe(201);
  const objects = storage.body.media_objects;
  for (const [i, object] of objects.entries()) await upload(object, media[i]);
  const segments = objects.map((o, i) => ({ object_id: o.object_id, timerange: secs(i * 2, i * 2 + 2) }));
  const posted = await server.post(`/flows/${flowId}/segments`, segments, { headers: ADMIN });
  expect(posted.status, posted.text).toBe(201);
});
afterAll(async () => {
  await server?.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers });

describe('HLS, export and the Sources summaries under every mount', () => {
  for (const prefix of MOUNTS) {
    const at = prefix || '/';
    it(`through ${at}: authorised as at the root`, async () => {
      for (const path of [
        `${prefix}/flows/${flowId}/hls.m3u8`,
        `${prefix}/sources/${sourceId}/hls.m3u8`,
        `${prefix}/flows/${flowId}/export`,
        `${prefix}/sources/flow-summaries?source_id=${sourceId}`,
      ]) {
        const anonymous = await get(path);
        expect(anonymous.status, path).toBe(401);
        expect(((await anonymous.json()) as Doc).type).toBe('Unauthorized');
        const read = await get(path, reader);
        expect(read.status, path).toBe(200);
        await read.arrayBuffer();
      }
    });

    it(`through ${at}: playlists link under ${at}, carrying the token; export sends the media`, async () => {
      const token = `access_token=${ADMIN_TOKEN}`;
      const source = await get(`${prefix}/sources/${sourceId}/hls.m3u8?${token}`);
      expect(source.status).toBe(200);
      expect(source.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
      const variants = parseMultivariant(await source.text()).variants;
      expect(variants).toHaveLength(1);
      const link = new URL(variants[0]?.uri ?? '');
      expect(link.pathname).toBe(`${prefix}/flows/${flowId}/hls.m3u8`);
      expect(link.searchParams.get('access_token')).toBe(ADMIN_TOKEN);
      const playlist = await fetch(link);
      expect(playlist.status).toBe(200);
      expect(parseMedia(await playlist.text()).segments).toHaveLength(2);

      const exported = await get(`${prefix}/flows/${flowId}/export`, reader);
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toBe('video/mp2t');
      expect(Buffer.from(await exported.arrayBuffer()).equals(Buffer.concat(media))).toBe(true);

      const summaries = await get(`${prefix}/sources/flow-summaries?source_id=${sourceId}`, reader);
      expect(await summaries.json()).toEqual([
        { source_id: sourceId, flow_count: 1, more_flows: false, flow_label: 'mounted' },
      ]);
    });
  }
});

describe("the whole server's routes under a mount", () => {
  for (const prefix of MOUNTS.slice(1)) {
    it(`through ${prefix}: 404 saying where they are`, async () => {
      for (const path of ['/auth/whoami', '/auth/tokens', '/events', '/ui/']) {
        const res = await get(`${prefix}${path}`, ADMIN);
        expect(res.status, path).toBe(404);
        const body = (await res.json()) as Doc;
        expect(body.type).toBe('NotFound');
        expect(body.summary, path).toContain(`served at the root: ${path}`);
        expect(body.summary).toContain(`not under ${prefix}`);
        // At the root it is there.
        const there = await get(path, ADMIN);
        expect(there.status, path).not.toBe(404);
        await there.body?.cancel();
      }
      // A path served nowhere says only that.
      const nowhere = await get(`${prefix}/no-such-thing`, ADMIN);
      expect(nowhere.status).toBe(404);
      expect(((await nowhere.json()) as Doc).summary).toBe(`No route GET ${prefix}/no-such-thing`);
    });
  }
});
