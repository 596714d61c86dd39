/**
 * An origin store for the replication suites: a Source with a video Flow and an audio Flow and a
 * multi Flow collecting them, made through TAMS 8.2 with fields of every kind (list-valued tags,
 * essence parameters, a collection), segments carrying every field a segment has (ts_offset,
 * last_duration, sample_offset/sample_count, key_frame_count, object_timerange), one object used
 * by two segments; and the comparison of what a destination holds against it, field by field.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { HttpClient } from '../helpers/server.ts';
import { waitFor } from '../segments/helpers.ts';

export interface OriginFlows {
  source: string;
  video: string;
  audio: string;
  multi: string;
}

/** A real TAMS client's writes: PUT a Flow, allocate, PUT bytes, POST segments (through 8.2). */
export async function makeOrigin(v8: HttpClient): Promise<OriginFlows> {
  const ids: OriginFlows = {
    source: randomUUID(),
    video: randomUUID(),
    audio: randomUUID(),
    multi: randomUUID(),
  };
  await put(v8, ids.video, {
    id: ids.video,
    source_id: ids.source,
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    container: 'video/mp2t',
    label: 'camera 1 video',
    description: 'the replicated one',
    tags: { genre: ['news', 'live'], site: 'north' },
    avg_bit_rate: 8000,
    essence_parameters: { frame_width: 1920, frame_height: 1080, frame_rate: { numerator: 25 } },
  });
  await put(v8, ids.audio, {
    id: ids.audio,
    source_id: randomUUID(),
    format: 'urn:x-nmos:format:audio',
    codec: 'audio/aac',
    container: 'video/mp2t',
    label: 'camera 1 audio',
    essence_parameters: { sample_rate: 48000, channels: 2 },
  });
  await put(v8, ids.multi, {
    id: ids.multi,
    source_id: randomUUID(),
    format: 'urn:x-nmos:format:multi',
    label: 'camera 1',
    flow_collection: [
      { id: ids.video, role: 'video' },
      { id: ids.audio, role: 'audio' },
    ],
  });
  const src = await v8.put(`/sources/${ids.source}/label`, JSON.stringify('Camera 1'));
  expect(src.status, src.text).toBe(204);
  const tags = await v8.put(`/sources/${ids.source}/tags/studio`, ['A', 'B']);
  expect(tags.status, tags.text).toBe(204);
  return ids;
}

async function put(v8: HttpClient, id: string, body: Record<string, unknown>): Promise<void> {
  const res = await v8.put(`/flows/${id}`, body);
  expect(res.status, res.text).toBe(201);
}

/** `n` segments of 2 s from `from` (seconds), every field set; the last two share one object. */
export async function addOriginSegments(
  v8: HttpClient,
  flowId: string,
  from: number,
  n: number,
): Promise<string[]> {
  const alloc = await v8.post<{
    media_objects: { object_id: string; put_url: { url: string; 'content-type': string } }[];
  }>(`/flows/${flowId}/storage`, { limit: n - 1 });
  expect(alloc.status, alloc.text).toBe(201);
  const objects = alloc.body.media_objects;
  for (const o of objects) {
    const res = await fetch(o.put_url.url, {
      method: 'PUT',
      headers: { 'content-type': o.put_url['content-type'] },
      body: randomBytes(4096 + Math.floor(Math.random() * 4096)),
    });
    expect(res.status).toBe(200);
  }
  const segments = [];
  for (let i = 0; i < n; i++) {
    const start = from + 2 * i;
    const shared = i === n - 1;
    const object = objects[shared ? n - 2 : i] as { object_id: string };
    segments.push({
      object_id: object.object_id,
      timerange: `[${start}:0_${start + 2}:0)`,
      last_duration: '0:40000000',
      key_frame_count: i >= n - 2 ? 2 : 1 + (i % 3),
      // The shared object's two segments each take half of it, on the Flow's own timeline.
      ...(i >= n - 2
        ? {
            sample_offset: shared ? 50 : 0,
            sample_count: 50,
            object_timerange: `[${from + 2 * (n - 2)}:0_${from + 2 * n}:0)`,
          }
        : { ts_offset: `-${start}:500` }),
    });
  }
  const res = await v8.post(`/flows/${flowId}/segments`, segments);
  expect(res.status, res.text).toBe(201);
  return [...new Set(segments.map((s) => s.object_id))];
}

/** Every segment of a Flow through a mount, following the paging keys. */
export async function segmentsOf(
  client: HttpClient,
  flowId: string,
  query: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let page: string | undefined;
  do {
    const res = await client.get<Record<string, unknown>[]>(`/flows/${flowId}/segments`, {
      query: { limit: 100, ...query, ...(page !== undefined && { page }) },
    });
    expect(res.status, res.text).toBe(200);
    all.push(...res.body);
    page = res.headers.get('x-paging-nextkey') ?? undefined;
  } while (page !== undefined);
  return all;
}

/** A segment without its URLs (each store hands out its own) and its init object's URLs. */
export function fieldsOf(segment: Record<string, unknown>): Record<string, unknown> {
  const { get_urls: _urls, ...rest } = segment;
  const init = rest.init_object as { object_id: string } | undefined;
  if (init !== undefined) rest.init_object = { object_id: init.object_id };
  return rest;
}

/** What two stores must agree on of a Flow: everything but dates and who made it when. */
const LOCAL = ['created', 'updated', 'metadata_updated', 'segments_updated', 'collected_by'];
export function flowFieldsOf(flow: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...flow };
  for (const key of LOCAL) delete copy[key];
  return copy;
}

/** Reads bytes from a get_url. */
export async function bytesAt(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** A replication job as GET /replications/{id} answers it: what the suites read of it. */
export interface ReplicationJob {
  id: string;
  state: string;
  want: string;
  flows: number;
  segments_copied: number;
  segments_refused: number;
  objects_copied: number;
  bytes_copied: number;
  origin_requests: number;
  restarts: number;
  follow_by?: string;
  follow_note?: string;
  last_error?: string;
  origin: { url: string; version?: string; auth: string };
}

/** Waits for the job to reach a state, read from `destination`; a timeout says where it stood. */
export async function jobUntil(
  destination: HttpClient,
  id: string,
  done: (job: ReplicationJob) => boolean,
): Promise<ReplicationJob> {
  let last: ReplicationJob | undefined;
  try {
    return await waitFor(`replication job ${id}`, async () => {
      const res = await destination.get<ReplicationJob>(`/replications/${id}`);
      expect(res.status, res.text).toBe(200);
      last = res.body;
      return done(res.body) ? res.body : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}; the job: ${JSON.stringify(last)}`);
  }
}
