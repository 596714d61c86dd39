/**
 * A Flow written as a live encoder writes it, for the live browser tests: created with its
 * `flow_status` tag `ingesting` (live whatever the machine's load), every object uploaded up
 * front to its presigned put_url (a fragmented MP4 stream's init segment named by the Flow's
 * init tag), then its segments registered one at a time by the test.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import { INIT_TAG } from '../hls/hls.ingest.ts';
import type { GeneratedStream } from '../hls/hls.media.ts';

const S = 1_000_000_000n;

function ts(ns: bigint): string {
  return `${ns / S}:${ns % S}`;
}

interface Allocation {
  media_objects: {
    object_id: string;
    put_url: { url: string; 'content-type'?: string; headers?: Record<string, string> };
  }[];
}

export interface LiveFlow {
  flowId: string;
  /** The end of each segment registered so far. */
  ends: bigint[];
  /** Registers the next segment; its end. */
  registerNext(): Promise<bigint>;
}

export async function liveFlow(
  server: TestServer,
  stream: GeneratedStream,
  options: {
    start: bigint;
    headers: Record<string, string>;
    label: string;
    /** Flow fields that replace the defaults (a multi Flow of the stream's container). */
    fields?: Record<string, unknown>;
  },
): Promise<LiveFlow> {
  const { headers } = options;
  const flowId = randomUUID();
  const created = await server.put(
    `/flows/${flowId}`,
    {
      id: flowId,
      source_id: randomUUID(),
      format: 'urn:x-nmos:format:multi',
      container: stream.container,
      label: options.label,
      segment_duration: { numerator: 1 },
      tags: { flow_status: 'ingesting' },
      ...options.fields,
    },
    { headers },
  );
  expect(created.status, created.text).toBe(201);
  const allocated = await server.post<Allocation>(
    `/flows/${flowId}/storage`,
    { limit: stream.segments.length + (stream.init ? 1 : 0) },
    { headers },
  );
  expect(allocated.status, allocated.text).toBe(201);
  const objects: string[] = [];
  for (const [i, target] of allocated.body.media_objects.entries()) {
    const put = await fetch(target.put_url.url, {
      method: 'PUT',
      headers: {
        ...target.put_url.headers,
        'content-type': target.put_url['content-type'] ?? stream.container,
      },
      body: stream.segments[i]?.bytes ?? stream.init,
    });
    expect(put.status, await put.text()).toBeLessThan(300);
    objects.push(target.object_id);
  }
  const initId = stream.init ? objects[stream.segments.length] : undefined;
  if (initId !== undefined) {
    const tagged = await server.put(`/flows/${flowId}/tags/${INIT_TAG}`, JSON.stringify(initId), { headers });
    expect(tagged.status, tagged.text).toBe(204);
  }
  const ends: bigint[] = [];
  const registerNext = async () => {
    const i = ends.length;
    const segment = stream.segments[i];
    const object = objects[i];
    if (!segment || !object) throw new Error(`no segment ${i} left to register`);
    const start = ends.at(-1) ?? options.start;
    const end = start + segment.durationNs;
    const posted = await server.post(
      `/flows/${flowId}/segments`,
      { object_id: object, timerange: `[${ts(start)}_${ts(end)})` },
      { headers },
    );
    expect(posted.status, posted.text).toBe(201);
    ends.push(end);
    return end;
  };
  return { flowId, ends, registerNext };
}
