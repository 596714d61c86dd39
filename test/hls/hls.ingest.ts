/**
 * Ingest through the TAMS API as a client does (README "Try it"): create the Flow, allocate
 * storage, PUT each object to its presigned put_url, register the segments, and for fragmented
 * MP4 name the init segment's object in the Flow's `_tams-server_init_object_id` tag.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import type { GeneratedStream } from './hls.media.ts';

export const INIT_TAG = '_tams-server_init_object_id';

export interface IngestOptions {
  sourceId: string;
  /** Where the Flow's timeline starts (nanoseconds, TAI). */
  start: bigint;
  /** Segments (by index) left out: a gap in the timeline. */
  skip?: readonly number[];
  /** Request headers carrying credentials. */
  headers?: Record<string, string>;
  label?: string;
  /** Flow fields that replace the defaults (a multi Flow of the stream's container). */
  fields?: Record<string, unknown>;
}

export interface Ingested {
  flowId: string;
  /** The registered segments in time order: their timerange and uploaded bytes. */
  segments: { timerange: string; start: bigint; bytes: Buffer }[];
  init?: Buffer;
}

interface Allocation {
  media_objects: {
    object_id: string;
    put_url: { url: string; 'content-type'?: string; headers?: Record<string, string> };
  }[];
}

function ts(ns: bigint): string {
  return `${ns / 1_000_000_000n}:${ns % 1_000_000_000n}`;
}

export async function ingest(
  server: TestServer,
  stream: GeneratedStream,
  options: IngestOptions,
): Promise<Ingested> {
  const flowId = randomUUID();
  const headers = options.headers ?? {};
  const created = await server.put(
    `/flows/${flowId}`,
    {
      id: flowId,
      source_id: options.sourceId,
      format: 'urn:x-nmos:format:multi',
      container: stream.container,
      label: options.label ?? `${stream.container} test pattern`,
      ...options.fields,
    },
    { headers },
  );
  expect(created.status, created.text).toBe(201);
  const count = stream.segments.length + (stream.init ? 1 : 0);
  const allocated = await server.post<Allocation>(`/flows/${flowId}/storage`, { limit: count }, { headers });
  expect(allocated.status, allocated.text).toBe(201);
  const objects = allocated.body.media_objects;
  const upload = async (i: number, bytes: Buffer) => {
    const target = objects[i];
    if (!target) throw new Error(`no object ${i} allocated`);
    // Presigned: no credentials. The headers put_url names are part of its signature (a
    // conditional `If-None-Match: *` on S3): an S3 server that checks signatures refuses the PUT
    // without them.
    const put = await fetch(target.put_url.url, {
      method: 'PUT',
      headers: {
        ...target.put_url.headers,
        'content-type': target.put_url['content-type'] ?? stream.container,
      },
      body: bytes,
    });
    expect(put.status, await put.text()).toBeLessThan(300);
    return target.object_id;
  };
  const segments: Ingested['segments'] = [];
  const posts: { object_id: string; timerange: string }[] = [];
  let t = options.start;
  for (const [i, segment] of stream.segments.entries()) {
    const start = t;
    t += segment.durationNs;
    if (options.skip?.includes(i)) continue;
    const objectId = await upload(i, segment.bytes);
    const timerange = `[${ts(start)}_${ts(t)})`;
    posts.push({ object_id: objectId, timerange });
    segments.push({ timerange, start, bytes: segment.bytes });
  }
  const registered = await server.post(`/flows/${flowId}/segments`, posts, { headers });
  expect(registered.status, registered.text).toBe(201);
  if (stream.init) {
    const initId = await upload(stream.segments.length, stream.init);
    const tagged = await server.put(`/flows/${flowId}/tags/${INIT_TAG}`, JSON.stringify(initId), { headers });
    expect(tagged.status, tagged.text).toBe(204);
  }
  return { flowId, segments, init: stream.init };
}
