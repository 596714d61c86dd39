/**
 * The origin of the Replication page's browser test: a second real server, open to readers
 * (authentication off) on a loopback port, holding a video Flow written through its HTTP API as
 * an ingest client writes one (PUT the Flow, allocate objects, PUT their bytes, register segments).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';

export interface Origin {
  server: TestServer;
  flowId: string;
  sourceId: string;
  segments: number;
  /** The size of each segment's object. */
  objectBytes: number;
}

interface Allocated {
  media_objects: {
    object_id: string;
    put_url: { url: string; 'content-type': string; headers?: Record<string, string> };
  }[];
}

const OBJECT_BYTES = 2048;

/** A server of its own, with a Flow of `segments` two-second segments of random bytes. */
export async function startOrigin(segments: number, label: string): Promise<Origin> {
  // Its own replication off: it is only read from.
  const server = await startServer({ env: { TAMS_REPLICATION: 'false' } });
  try {
    const flowId = randomUUID();
    const sourceId = randomUUID();
    await writeFlow(server, flowId, sourceId, segments, label);
    return { server, flowId, sourceId, segments, objectBytes: OBJECT_BYTES };
  } catch (error) {
    await server.close();
    throw error;
  }
}

async function writeFlow(
  origin: HttpClient,
  flowId: string,
  sourceId: string,
  segments: number,
  label: string,
): Promise<void> {
  const flow = await origin.put(`/flows/${flowId}`, {
    id: flowId,
    source_id: sourceId,
    label,
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    container: 'video/mp2t',
    essence_parameters: { frame_width: 1920, frame_height: 1080, frame_rate: { numerator: 25 } },
  });
  expect(flow.status, flow.text).toBe(201);
  const allocated = await origin.post<Allocated>(`/flows/${flowId}/storage`, { limit: segments });
  expect(allocated.status, allocated.text).toBe(201);
  const objects = allocated.body.media_objects;
  for (const { put_url } of objects) {
    const put = await fetch(put_url.url, {
      method: 'PUT',
      headers: { ...put_url.headers, 'content-type': put_url['content-type'] },
      body: randomBytes(OBJECT_BYTES),
    });
    expect(put.status, await put.text()).toBe(200);
  }
  const registered = await origin.post(
    `/flows/${flowId}/segments`,
    objects.map(({ object_id }, i) => ({ object_id, timerange: `[${2 * i}:0_${2 * i + 2}:0)` })),
  );
  expect(registered.status, registered.text).toBe(201);
}
