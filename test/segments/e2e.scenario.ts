/**
 * The end-to-end test of issue 3, defined once and run against every media backend
 * (e2e.ingest.test.ts): what the BBC example clients do (DIGEST §15).
 * Ingest (ingest_hls.py): PUT Flow, POST storage {"limit": n}, PUT each object's bytes to
 * put_url.url with Content-Type put_url["content-type"], POST segments {object_id, timerange}.
 * Outgest (outgest_file.py): GET segments by timerange following Link rel=next, download
 * get_urls[0], place samples with ts_offset. Edit (simple_edit.py): reuse objects in a new Flow.
 * Then the first Flow is deleted asynchronously and only the unshared bytes disappear from the
 * backend that held them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { type Doc, nextLink } from '../http/fixtures.ts';
import {
  type AllocatedObject,
  bytesExist,
  FAST_WORKERS,
  fetchStatus,
  newFlow,
  type Segment,
  type StoredBytes,
  storedBytes,
  storedSize,
  waitBytesGone,
  waitFor,
  waitGcIdle,
} from './helpers.ts';

/** A server under test and where its media bytes travel. */
export interface E2eTarget {
  server: TestServer;
  /** Origin of every put_url and get_url: the only place media bytes go to and come from. */
  mediaOrigin: string;
  close(): Promise<void>;
}

/** Settings the scenario needs: fast workers, and Flow deletion asynchronous past 3 segments. */
export const E2E_ENV = { ...FAST_WORKERS, TAMS_DELETE_SYNC_LIMIT: '3', TAMS_DELETE_CHUNK: '2' };

const OBJECTS = 6;
const SECONDS = 10;

/** Runs the scenario in a describe block of its own, on a server `start` builds with `env`. */
export function describeIngestOutgest(
  backend: string,
  start: (env: Record<string, string>) => Promise<E2eTarget>,
): void {
  describe(`end to end on the ${backend} backend: ingest, outgest, reuse, asynchronous deletion`, () => {
    let target: E2eTarget | undefined;
    beforeAll(async () => {
      target = await start(E2E_ENV);
    });
    afterAll(() => target?.close());

    it('does what the BBC example ingest, outgest and edit clients do', async () => {
      if (!target) throw new Error('no server');
      await ingestOutgest(target);
    });
  });
}

async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function ingestOutgest({ server, mediaOrigin }: E2eTarget): Promise<void> {
  /** Media URLs point at the media backend, never at the API (unless the API serves the media). */
  const expectMediaUrl = (url: string) => expect(new URL(url).origin, url).toBe(mediaOrigin);

  /** outgest_file.py: every segment of the timerange, page by page, following Link rel="next". */
  async function outgest(flowId: string, timerange: string): Promise<Segment[]> {
    const segments: Segment[] = [];
    let url: string | undefined =
      `${server.url}/flows/${flowId}/segments?timerange=${encodeURIComponent(timerange)}&limit=2`;
    while (url !== undefined) {
      const res = await server.get<Segment[]>(url);
      expect(res.status).toBe(200);
      assertSpecValid('flow-segment.json[]', res.body);
      expect(res.body.length).toBeLessThanOrEqual(2);
      segments.push(...res.body);
      url = nextLink(res);
    }
    return segments;
  }

  // --- ingest_hls.py ---
  const flowId = await newFlow(server, { label: 'ingest' });
  const alloc = await server.post<{ media_objects: AllocatedObject[] }>(`/flows/${flowId}/storage`, {
    limit: OBJECTS,
  });
  expect(alloc.status).toBe(201);
  assertSpecValid('flow-storage.json', alloc.body);
  const objects = alloc.body.media_objects;
  expect(objects).toHaveLength(OBJECTS);
  const content = new Map<string, Buffer>();
  const stored = new Map<string, StoredBytes>();
  for (const object of objects) {
    expect(object.put_url['content-type']).toBe('video/mp2t');
    expectMediaUrl(object.put_url.url);
    const where = await storedBytes(server, object.object_id);
    expect(await bytesExist(server, where)).toBe(false);
    const bytes = randomBytes(200_000 + Math.floor(Math.random() * 200_000));
    const put = await fetch(object.put_url.url, {
      method: 'PUT',
      headers: { 'Content-Type': object.put_url['content-type'] },
      body: bytes,
    });
    expect(put.status).toBe(200);
    // The backend itself now holds the bytes, at the path recorded for the object.
    expect(await storedSize(server, where)).toBe(bytes.length);
    content.set(object.object_id, bytes);
    stored.set(object.object_id, where);
  }
  const ids = objects.map((o) => o.object_id);
  const rangeOf = (i: number) => `[${i * SECONDS}:0_${(i + 1) * SECONDS}:0)`;

  // One segment on its own, as the example client posts them...
  const first = await server.post(`/flows/${flowId}/segments`, {
    object_id: ids[0],
    timerange: rangeOf(0),
  });
  expect(first.status).toBe(201);
  // ...and the rest in bulk, with one segment overlapping the first: it alone fails.
  const overlapping = { object_id: ids[1] as string, timerange: '[5:0_15:0)' };
  const bulk = await server.post<{ failed_segments: { object_id: string; timerange?: string }[] }>(
    `/flows/${flowId}/segments`,
    [overlapping, ...ids.slice(1).map((object_id, i) => ({ object_id, timerange: rangeOf(i + 1) }))],
  );
  expect(bulk.status).toBe(200);
  assertSpecValid('flow-segment-bulk-failure.json', bulk.body);
  expect(bulk.body.failed_segments.map((f) => [f.object_id, f.timerange])).toEqual([
    [overlapping.object_id, overlapping.timerange],
  ]);
  const flow = await server.get<Doc>(`/flows/${flowId}`, { query: { include_timerange: true } });
  expect(flow.body.timerange).toBe(`[0:0_${OBJECTS * SECONDS}:0)`);

  // --- outgest_file.py ---
  const segments = await outgest(flowId, `[0:0_${OBJECTS * SECONDS}:0)`);
  expect(segments.map((s) => s.object_id)).toEqual(ids);
  expect(segments.map((s) => s.timerange)).toEqual(ids.map((_, i) => rangeOf(i)));
  for (const segment of segments) {
    const url = segment.get_urls?.[0]?.url as string;
    expect(segment.get_urls?.[0]?.presigned).toBe(true);
    for (const other of segment.get_urls ?? []) expectMediaUrl(other.url);
    const whole = await download(url);
    expect(whole.status).toBe(200);
    expect(whole.bytes.equals(content.get(segment.object_id) as Buffer)).toBe(true);
    // Media timestamps: segment ts = media ts + ts_offset (0:0 when absent).
    expect(segment.ts_offset ?? '0:0').toBe('0:0');
  }
  // A timerange in the middle gives only the segments it overlaps.
  expect((await outgest(flowId, '[15:0_35:0)')).map((s) => s.timerange)).toEqual([
    rangeOf(1),
    rangeOf(2),
    rangeOf(3),
  ]);
  // Byte ranges of get_urls[0]: 206 with exactly the slice.
  const sample = segments[2] as Segment;
  const bytes = content.get(sample.object_id) as Buffer;
  const partial = await download(sample.get_urls?.[0]?.url as string, { Range: 'bytes=1000-1999' });
  expect(partial.status).toBe(206);
  expect(partial.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
  expect(partial.bytes.equals(bytes.subarray(1000, 2000))).toBe(true);
  const tail = await download(sample.get_urls?.[0]?.url as string, { Range: 'bytes=-500' });
  expect(tail.status).toBe(206);
  expect(tail.bytes.equals(bytes.subarray(bytes.length - 500))).toBe(true);

  // --- simple_edit.py: a new Flow reusing an object at another time, with ts_offset ---
  const editId = await newFlow(server, { label: 'edit' });
  const shared = ids[3] as string;
  const reuse = await server.post(`/flows/${editId}/segments`, {
    object_id: shared,
    timerange: '[1000:0_1010:0)',
    ts_offset: '970:0',
  });
  expect(reuse.status).toBe(201);
  const object = await server.get<Doc>(`/objects/${shared}`);
  assertSpecValid('object.json', object.body);
  expect((object.body.referenced_by_flows as string[]).sort()).toEqual([flowId, editId].sort());
  expect(object.body.first_referenced_by_flow).toBe(flowId);
  const [edited] = await outgest(editId, '_');
  expect(edited).toMatchObject({ object_id: shared, timerange: '[1000:0_1010:0)', ts_offset: '970:0' });
  const editUrl = edited?.get_urls?.[0]?.url as string;
  expect((await download(editUrl)).bytes.equals(content.get(shared) as Buffer)).toBe(true);

  // --- delete the ingest Flow: more segments than the sync limit, so asynchronously ---
  const deletion = await server.delete(`/flows/${flowId}`);
  expect(deletion.status).toBe(202);
  assertSpecValid('deletion-request.json', deletion.body);
  const location = deletion.headers.get('location') as string;
  expect(location).toBe(`${server.url}/flow-delete-requests/${(deletion.body as Doc).id}`);
  expect((await server.get(`/flows/${flowId}`)).status).toBe(404);
  const done = await waitFor('the deletion request to reach done', async () => {
    const res = await server.get<Doc>(location);
    expect(res.status).toBe(200);
    assertSpecValid('deletion-request.json', res.body);
    expect(res.body.status).not.toBe('error');
    return res.body.status === 'done' && res.body;
  });
  expect(done).toMatchObject({ flow_id: flowId, delete_flow: true, timerange_remaining: '()' });

  // Only the shared object's bytes survive, in the backend and through the URLs handed out.
  for (const segment of segments) {
    if (segment.object_id === shared) continue;
    await waitBytesGone(server, stored.get(segment.object_id) as StoredBytes);
    expect(await fetchStatus(segment.get_urls?.[0]?.url as string)).toBe(404);
  }
  await waitGcIdle(server);
  expect(await bytesExist(server, stored.get(shared) as StoredBytes)).toBe(true);
  expect(await fetchStatus(editUrl)).toBe(200);
  const survivor = await server.get<Doc>(`/objects/${shared}`);
  expect(survivor.body.referenced_by_flows).toEqual([editId]);
  expect((await server.get(`/objects/${ids[0]}`)).status).toBe(404);
  expect((await outgest(flowId, '_')).length).toBe(0);
}
