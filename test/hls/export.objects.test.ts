/**
 * Export (GET /flows/{id}/export) over HTTP with objects of known bytes (no media tools needed):
 * TAMS 8.2 init segments (each segment's `init_object`) sent once before their segments, and a
 * timerange in which the init segment changes refused with where it changes; a 7.0 init tag
 * naming no object a 404; and the reads of storage stopping when the client goes away.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyingOf } from '../../src/media/media.copy.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { type Doc, expectError } from '../http/fixtures.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import { type AllocatedObject, allocate, newFlow, secs, upload } from '../segments/helpers.ts';

let server: TestServer;
let v8: HttpClient;
beforeAll(async () => {
  server = await startServer();
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(() => server?.close());

async function allocated(flowId: string, body: Doc): Promise<AllocatedObject[]> {
  const res = await v8.post<{ media_objects: AllocatedObject[] }>(`/flows/${flowId}/storage`, body);
  expect(res.status, res.text).toBe(201);
  return res.body.media_objects;
}

async function register(client: HttpClient, flowId: string, segments: Doc[]): Promise<void> {
  const res = await client.post(`/flows/${flowId}/segments`, segments);
  expect(res.status, res.text).toBe(201);
}

async function exported(flowId: string, timerange: string): Promise<Response> {
  return fetch(`${server.url}/flows/${flowId}/export?timerange=${encodeURIComponent(timerange)}`);
}

describe('export with TAMS 8.2 init segments', () => {
  let flowId: string;
  const bytes = new Map<string, Buffer>();
  let ids: { initA: string; initB: string; media: string[] };

  beforeAll(async () => {
    const flow = initSegmentsFlow();
    const created = await v8.put(`/flows/${flow.id}`, flow);
    expect(created.status, created.text).toBe(201);
    flowId = flow.id as string;
    const inits = await allocated(flowId, { limit: 2, content_type: 'application/mp4' });
    const media = await allocated(flowId, { limit: 3 });
    for (const o of [...inits, ...media]) {
      const b = randomBytes(2000);
      bytes.set(o.object_id, b);
      await upload(o, b);
    }
    const [a, b] = inits.map((o) => o.object_id) as [string, string];
    ids = { initA: a, initB: b, media: media.map((o) => o.object_id) };
    await register(v8, flowId, [
      { object_id: ids.media[0], timerange: secs(0, 2), init_object_id: a },
      { object_id: ids.media[1], timerange: secs(2, 4), init_object_id: a },
      { object_id: ids.media[2], timerange: secs(4, 6), init_object_id: b },
    ]);
  });

  const of = (...objectIds: (string | undefined)[]) =>
    Buffer.concat(objectIds.map((id) => bytes.get(id ?? '') ?? Buffer.alloc(0)));

  it('sends the init segment once, then the segments', async () => {
    const first = await exported(flowId, secs(1, 3));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('video/mp4');
    expect(first.headers.get('x-export-timerange')).toBe('[0:0_4:0)');
    expect(Buffer.from(await first.arrayBuffer()).equals(of(ids.initA, ids.media[0], ids.media[1]))).toBe(
      true,
    );
    const last = await exported(flowId, secs(4, 6));
    expect(Buffer.from(await last.arrayBuffer()).equals(of(ids.initB, ids.media[2]))).toBe(true);
  });

  it('refuses a timerange in which the init segment changes, saying where', async () => {
    const res = await server.get(`/flows/${flowId}/export`);
    expectError(res, 400);
    expect((res.body as { summary: string }).summary).toContain(
      `changes within the timerange, at [4:0_6:0) (from object ${ids.initA} to object ${ids.initB})`,
    );
    expect((res.body as { summary: string }).summary).toContain('Export [0:0_4:0) and the rest');
  });
});

describe('export with a 7.0 init tag', () => {
  it('answers 404 when the tag names no object', async () => {
    const flowId = await newFlow(server, { container: 'video/mp4' });
    const [object] = await allocate(server, flowId);
    if (!object) throw new Error('no object allocated');
    await upload(object);
    await register(server, flowId, [{ object_id: object.object_id, timerange: secs(0, 1) }]);
    const tagged = await server.put(`/flows/${flowId}/tags/_tams-server_init_object_id`, '"no-such-object"');
    expect(tagged.status).toBe(204);
    const res = await server.get(`/flows/${flowId}/export`);
    expectError(res, 404);
    expect((res.body as { summary: string }).summary).toContain('The init segment object no-such-object');
  });
});

describe('a client that goes away', () => {
  it('stops the reads of storage: the objects after are never opened', async () => {
    const flowId = await newFlow(server, { container: 'video/mp2t' });
    const objects = await allocate(server, flowId, { limit: 20 });
    for (const o of objects) await upload(o, randomBytes(64 * 1024));
    await register(
      server,
      flowId,
      objects.map((o, i) => ({ object_id: o.object_id, timerange: secs(i, i + 1) })),
    );
    // The server's reads of this backend, counted; the third one held until the client has gone.
    const backend = server.runtime.media.stores[0];
    const copying = backend && copyingOf(backend);
    if (!copying) throw new Error('the backend cannot stream');
    const original = copying.readStream.bind(copying);
    const reads = { opened: 0, closed: 0, held: false };
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    copying.readStream = async (path: string) => {
      if (reads.opened === 2) {
        reads.held = true;
        await released;
      }
      const stream = await original(path);
      if (stream) {
        reads.opened++;
        (stream.body as Readable).once('close', () => reads.closed++);
      }
      return stream;
    };
    // When the server has seen the client go (its response closed).
    let gone = false;
    const onRequest = (request: IncomingMessage, response: ServerResponse) => {
      if (request.url?.startsWith(`/flows/${flowId}/export`)) response.once('close', () => (gone = true));
    };
    server.app.server.on('request', onRequest);
    try {
      const controller = new AbortController();
      const res = await fetch(`${server.url}/flows/${flowId}/export`, { signal: controller.signal });
      expect(res.status).toBe(200);
      // The client reads until the server waits for the third object, then leaves.
      const reading = (async () => {
        const reader = res.body?.getReader();
        for (;;) if ((await reader?.read())?.done !== false) return;
      })().catch(() => undefined);
      await expect.poll(() => reads.held).toBe(true);
      controller.abort();
      await reading;
      await expect.poll(() => gone).toBe(true);
      release();
      // The third object, opened once released, is closed at once, and no other is opened.
      await expect.poll(() => reads.closed).toBe(3);
      expect(reads.opened).toBe(3);
    } finally {
      release();
      server.app.server.off('request', onRequest);
      copying.readStream = original;
    }
  });
});
