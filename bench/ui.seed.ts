import { randomBytes, randomUUID } from 'node:crypto';
import type { RunningServer } from './bench.server.ts';

/**
 * The store the UI bench opens: `flows` video Flows (each with a Source of its own, unlabelled as
 * a Flow's `source_id` makes it), and one Flow with a segment, whose page shows the player.
 */
export async function seed(server: RunningServer, flows: number): Promise<void> {
  const put = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'PUT',
      headers: { ...server.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  for (let i = 0; i < flows; i++) {
    const id = randomUUID();
    const res = await put(`/flows/${id}`, {
      id,
      source_id: randomUUID(),
      format: 'urn:x-nmos:format:video',
      codec: 'video/h264',
      container: 'video/mp2t',
      label: `camera ${i + 1}`,
      tags: { location: `studio ${(i % 5) + 1}` },
      essence_parameters: { frame_width: 1920, frame_height: 1080 },
    });
    if (res.status !== 201) throw new Error(`PUT flow: ${res.status} ${await res.text()}`);
  }
  // One Flow with a segment, so that its page shows the player (and loads hls.js).
  const id = randomUUID();
  await put(`/flows/${id}`, {
    id,
    source_id: randomUUID(),
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    container: 'video/mp2t',
    label: 'playable',
    essence_parameters: { frame_width: 1920, frame_height: 1080 },
  });
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { ...server.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const alloc = (await (await post(`/flows/${id}/storage`, { limit: 1 })).json()) as {
    media_objects: { object_id: string; put_url: { url: string } }[];
  };
  const object = alloc.media_objects[0];
  if (!object) throw new Error('no object allocated');
  await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { 'content-type': 'video/mp2t' },
    body: randomBytes(1880),
  });
  const registered = await post(`/flows/${id}/segments`, {
    object_id: object.object_id,
    timerange: '[0:0_1:0)',
  });
  if (registered.status !== 201) throw new Error(`POST segment: ${registered.status}`);
}
