/**
 * The window a replica can die in while copying by copy: objects written here whose segments it
 * had not registered yet. A job resuming finds them: one holding the origin's bytes is kept (read
 * once to check it, not written again), one holding other bytes (a copy cut short by a crash of
 * a backend that does not write atomically) is replaced; every segment ends with the origin's
 * bytes. Made here by writing the objects as the dead run would have, through the destination's
 * own services.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyingOf } from '../../src/media/media.copy.ts';
import { mountClient } from '../helpers/mounts.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { waitFor } from '../segments/helpers.ts';
import {
  addOriginSegments,
  bytesAt,
  makeOrigin,
  type OriginFlows,
  segmentsOf,
} from './replication.fixture.ts';

let origin: TestServer;
let destination: TestServer;
let ids: OriginFlows;
const mediaGets: string[] = [];

beforeAll(async () => {
  origin = await startServer({
    env: { TAMS_AUTH: 'none' },
    logLines: (line) => {
      const entry = JSON.parse(line) as { msg?: string; req?: { method?: string; url?: string } };
      if (
        entry.msg === 'incoming request' &&
        entry.req?.method === 'GET' &&
        entry.req.url?.startsWith('/media/')
      )
        mediaGets.push(entry.req.url.split('?')[0] as string);
    },
  });
  destination = await startServer({
    env: {
      TAMS_AUTH: 'none',
      TAMS_REPLICATION: 'true',
      TAMS_REPLICATION_ALLOW: '127.0.0.1',
      TAMS_REPLICATION_POLL_SECONDS: '0.2',
      TAMS_WORKER_IDLE_MS: '50',
    },
  });
  ids = await makeOrigin(mountClient(origin, '/tams/v8.2'));
  await addOriginSegments(mountClient(origin, '/tams/v8.2'), ids.video, 0, 5);
});

afterAll(async () => {
  await destination?.close();
  await origin?.close();
});

it('keeps a copy that holds the origin’s bytes, replaces one that does not', async () => {
  const o8 = mountClient(origin, '/tams/v8.2');
  const theirs = await segmentsOf(o8, ids.video);
  const url = (s: Record<string, unknown> | undefined) =>
    ((s?.get_urls ?? []) as { url: string }[])[0]?.url ?? '';
  const [good, bad] = [theirs[0], theirs[1]];
  // The dead run's work: the Flow made, two objects allocated and written, nothing registered.
  const flow = await o8.get<Record<string, unknown>>(`/flows/${ids.video}`);
  const { created: _c, metadata_updated: _m, segments_updated: _s, collected_by: _b, ...body } = flow.body;
  expect((await mountClient(destination, '/tams/v8.2').put(`/flows/${ids.video}`, body)).status).toBe(201);
  const places = await destination.runtime.storage.allocateIds(ids.video, [
    good?.object_id as string,
    bad?.object_id as string,
  ]);
  for (const [i, place] of places.entries()) {
    const bytes = i === 0 ? await bytesAt(url(good)) : Buffer.from('a copy cut short');
    const writer = copyingOf(destination.runtime.media.resolve(place.storageId));
    await writer?.writeStream(place.path ?? '', { body: Readable.from([bytes]), size: bytes.length });
  }
  const before = mediaGets.length;

  const made = await destination.post<{ id: string }>('/replications', {
    origin: { url: `${origin.url}/tams/v8.2` },
    select: { flow_id: ids.video },
    media: 'copy',
  });
  expect(made.status, made.text).toBe(201);
  await waitFor('the job caught up', async () => {
    const job = (
      await destination.get<{ state: string; segments_copied: number }>(`/replications/${made.body.id}`)
    ).body;
    return job.state === 'following' && job.segments_copied === theirs.length;
  });
  const fetched = mediaGets.slice(before);
  const ours = await segmentsOf(mountClient(destination, '/tams/v8.2'), ids.video);
  expect(ours.map((s) => s.object_id)).toEqual(theirs.map((s) => s.object_id));
  for (const [i, segment] of ours.entries())
    expect((await bytesAt(url(segment))).equals(await bytesAt(url(theirs[i])))).toBe(true);
  // One GET each: the kept copy's answered 304, the other's with the bytes; the rest (two
  // objects: the last two segments share one) once each.
  const count = (s: Record<string, unknown> | undefined) => fetched.filter((p) => url(s).includes(p)).length;
  expect(count(good)).toBe(1);
  expect(count(bad)).toBe(1);
  expect(fetched).toHaveLength(4);
});
