/**
 * A caption file whose cues the search index cannot place: cues at 1 s to 9.5 s of media time in
 * a segment registered at [73:0_140:0) without `ts_offset`, so every cue falls outside it. The
 * caption Flow's page and the search page both have to say why its cues find nothing.
 */
import { expect } from 'vitest';
import type { HttpClient } from '../helpers/server.ts';

const VTT =
  'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nThe harbour wakes.\n\n00:00:08.000 --> 00:00:09.500\nNets are hauled.\n';

/** Uploads and registers that file in caption Flow `flowId`, then waits for the index to take it. */
export async function captionsOutsideSegment(
  server: HttpClient,
  headers: Record<string, string>,
  flowId: string,
): Promise<void> {
  const allocated = await server.post<{ media_objects: { object_id: string; put_url: { url: string } }[] }>(
    `/flows/${flowId}/storage`,
    { limit: 1 },
    { headers },
  );
  const object = allocated.body.media_objects[0];
  if (object === undefined) throw new Error(allocated.text);
  const put = await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { 'content-type': 'text/vtt' },
    body: VTT,
  });
  expect(put.status).toBeLessThan(300);
  const registered = await server.post(
    `/flows/${flowId}/segments`,
    { object_id: object.object_id, timerange: '[73:0_140:0)' },
    { headers },
  );
  expect(registered.status, registered.text).toBe(201);
  await expect
    .poll(
      async () => (await server.get<{ up_to_date: boolean }>('/search/status', { headers })).body.up_to_date,
      {
        timeout: 30_000,
      },
    )
    .toBe(true);
}
