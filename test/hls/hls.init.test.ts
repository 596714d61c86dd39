/**
 * A fragmented MP4 Flow's init segment is its segments' own init objects (TAMS 8.2), or an
 * object no segment uses, named by the Flow's `_tams-server_init_object_id` tag. The media
 * garbage collector releases allocations no segment uses once TAMS_UNUSED_OBJECT_GRACE_SECONDS pass; a named init object is kept while the tag
 * names it, and goes as abandoned once it does not.
 *
 * The server runs on a clock the test moves: the grace period passes when the test has set up
 * and looked at the objects, never while it is still doing so, however slow the machine.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { startServer } from '../helpers/server.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import { MovableClock } from '../media/media.gc.replay.ts';
import { allocate, FAST_WORKERS, upload, waitFor } from '../segments/helpers.ts';
import { parseMedia } from '../support/hls/hls.parse.testkit.ts';
import { INIT_TAG } from './hls.ingest.ts';

describe('the init segment object', () => {
  it('is kept past the grace period while a Flow tag names it, and collected after', async () => {
    // Far longer than the test takes, so that only the clock's move ends it.
    const graceSeconds = 3600;
    const clock = new MovableClock();
    const server = await startServer({
      clock,
      env: { ...FAST_WORKERS, TAMS_UNUSED_OBJECT_GRACE_SECONDS: String(graceSeconds) },
    });
    try {
      const flowId = randomUUID();
      const created = await server.put(`/flows/${flowId}`, {
        id: flowId,
        source_id: randomUUID(),
        format: 'urn:x-nmos:format:video',
        codec: 'video/h264',
        container: 'video/mp4',
        essence_parameters: { frame_width: 320, frame_height: 180 },
      });
      expect(created.status).toBe(201);
      const [media, init, abandoned] = await allocate(server, flowId, { limit: 3 });
      if (!media || !init || !abandoned) throw new Error('three objects expected');
      for (const object of [media, init, abandoned]) await upload(object);
      const posted = await server.post(`/flows/${flowId}/segments`, {
        object_id: media.object_id,
        timerange: '[0:0_1:0)',
      });
      expect(posted.status).toBe(201);
      const tagged = await server.put(`/flows/${flowId}/tags/${INIT_TAG}`, JSON.stringify(init.object_id));
      expect(tagged.status).toBe(204);
      const [store] = server.runtime.media.stores;
      // Where each object's bytes are (the key in its backend): read before any is released.
      const keys = new Map<string, string>();
      for (const o of [init, abandoned]) {
        keys.set(
          o.object_id,
          (await server.runtime.store.objects.location(o.object_id))?.storage_path as string,
        );
      }
      const path = (o: { object_id: string }) => keys.get(o.object_id) as string;
      for (const o of [init, abandoned]) expect(await store?.head(path(o))).not.toBeNull();

      // The grace period passes: the collector releases the abandoned upload...
      clock.offsetMs += (graceSeconds + 1) * 1000;
      await waitFor(
        'the abandoned upload to be collected',
        async () => (await store?.head(path(abandoned))) === null,
      );
      // ...and the init object named by the tag is not, and plays as EXT-X-MAP.
      expect(await store?.head(path(init))).not.toBeNull();
      const playlist = parseMedia(
        (await server.get(`/flows/${flowId}/hls.m3u8`, { query: { timerange: '_' } })).text,
      );
      const map = playlist.segments[0]?.map?.uri as string;
      expect((await fetch(map)).status).toBe(200);

      // Untagged, it is an abandoned upload like any other.
      expect((await server.delete(`/flows/${flowId}/tags/${INIT_TAG}`)).status).toBe(204);
      await waitFor(
        'the untagged init object to be collected',
        async () => (await store?.head(path(init))) === null,
      );
    } finally {
      await server.close();
    }
  });
});

describe("segments' own init objects (TAMS 8.2)", () => {
  it("are each segment's EXT-X-MAP, written again where the init object changes", async () => {
    const server = await startServer({ workers: false });
    try {
      const v8 = mountClient(server, '/tams/v8.2');
      const flow = initSegmentsFlow();
      const flowId = flow.id as string;
      const created = await v8.put(`/flows/${flowId}`, flow);
      expect(created.status, created.text).toBe(201);
      const inits = await allocate(v8, flowId, { limit: 2, content_type: 'video/mp4' });
      const bytes = new Map<string, Buffer>();
      for (const init of inits) {
        const b = randomBytes(500);
        bytes.set(init.object_id, b);
        await upload(init, b);
      }
      const [a, b] = inits.map((o) => o.object_id) as [string, string];
      const objects = await allocate(v8, flowId, { limit: 3 });
      for (const o of objects) await upload(o);
      const registered = await v8.post(
        `/flows/${flowId}/segments`,
        objects.map((o, i) => ({
          object_id: o.object_id,
          timerange: `[${i}:0_${i + 1}:0)`,
          init_object_id: i < 2 ? a : b,
        })),
      );
      expect(registered.status, registered.text).toBe(201);

      const text = (await server.get(`/flows/${flowId}/hls.m3u8`, { query: { timerange: '_' } })).text;
      const playlist = parseMedia(text);
      expect(text.match(/#EXT-X-MAP:/g)).toHaveLength(2);
      const maps = playlist.segments.map((s) => s.map?.uri as string);
      expect(maps[0]).toBe(maps[1]);
      expect(maps[2]).not.toBe(maps[1]);
      for (const [i, id] of [a, a, b].entries()) {
        const got = Buffer.from(await (await fetch(maps[i] as string)).arrayBuffer());
        expect(got.equals(bytes.get(id) as Buffer)).toBe(true);
      }
    } finally {
      await server.close();
    }
  });
});
