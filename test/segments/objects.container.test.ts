/**
 * Re-using an object in a Flow of another container. 8.2's flow-segment-post.json, `object_id`:
 * "The `content-type` of the Media Object MUST match the `container` mime-type of the Flow."
 * An object's content-type is the one its PUT URL gave: the container of the Flow it was
 * allocated for. 7.0's text has no such rule ("The object store identifier for the media
 * object"), and 7.0 accepts the re-use as it always has (docs/api-versions.md).
 */
import { describe, expect, it } from 'vitest';
import { mountedServer } from '../helpers/mounts.ts';
import { type Doc, expectError } from '../http/fixtures.ts';
import { addSegments, newFlow, objectIds, secs } from './helpers.ts';

const { server, v7, v8 } = mountedServer({ workers: false });

/** An object registered in a video/mp2t Flow, and a video/mp4 Flow. */
async function mp2tObjectAndMp4Flow(): Promise<{ objectId: string; ts: string; mp4: string }> {
  const ts = await newFlow(server, { container: 'video/mp2t' });
  const [objectId] = (await objectIds(server, ts, 1)) as [string];
  await addSegments(server, ts, { object_id: objectId, timerange: secs(0, 10) });
  const mp4 = await newFlow(server, { container: 'video/mp4' });
  return { objectId, ts, mp4 };
}

describe('POST segments re-using an object of another container', () => {
  it('through 8.2: 400 naming both content types, alone or in a batch', async () => {
    const { objectId, ts, mp4 } = await mp2tObjectAndMp4Flow();
    const res = await v8.post(`/flows/${mp4}/segments`, { object_id: objectId, timerange: secs(0, 10) });
    expectError(res, 400);
    const summary = (res.body as Doc).summary as string;
    expect(summary).toContain('video/mp2t');
    expect(summary).toContain('video/mp4');
    expect(summary).toContain(objectId);
    // In a batch: that segment fails, the others register.
    const [own] = (await objectIds(server, mp4, 1)) as [string];
    const batch = await v8.post(`/flows/${mp4}/segments`, [
      { object_id: own, timerange: secs(0, 10) },
      { object_id: objectId, timerange: secs(10, 20), ts_offset: '10:0' },
    ]);
    expect(batch.status, batch.text).toBe(200);
    const failed = (batch.body as { failed_segments: Doc[] }).failed_segments;
    expect(failed.map((f) => f.object_id)).toEqual([objectId]);
    expect(((failed[0] as Doc).error as Doc).summary).toContain('video/mp4');
    const listed = await v8.get<Doc[]>(`/flows/${mp4}/segments`);
    expect(listed.body.map((s) => s.object_id)).toEqual([own]);
    // Another Flow of the same container takes it.
    const sameContainer = await newFlow(server, { container: 'video/mp2t' });
    const reused = await v8.post(`/flows/${sameContainer}/segments`, {
      object_id: objectId,
      timerange: secs(0, 10),
    });
    expect(reused.status, reused.text).toBe(201);
    expect(ts).not.toBe(sameContainer);
  });

  it('through 7.0 (/ and /tams/v7.0): accepted, as 7.0 has no such rule', async () => {
    for (const client of [server, v7]) {
      const { objectId, mp4 } = await mp2tObjectAndMp4Flow();
      const res = await client.post(`/flows/${mp4}/segments`, {
        object_id: objectId,
        timerange: secs(0, 10),
      });
      expect(res.status, res.text).toBe(201);
    }
  });
});
