/**
 * Object ids clients choose (issue 60, item 8): `.` and `..` cannot be addressed in a URL
 * (`/objects/..` is the parent path to every URL parser, `%2E%2E` too), so every route that
 * takes an object id from a client, on every mount, refuses them with a 400: allocation, segment
 * registration (the object and 8.2's init object), `/objects/{id}` and its instances. And a copy
 * asked for onto the backend the object's own bytes are on changes nothing (a 201, as docs say).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { type Doc, expectError } from '../http/fixtures.ts';
import { allocate, backend, newFlow, secs, upload } from './helpers.ts';

let server: TestServer;
let v8: HttpClient;
beforeAll(async () => {
  server = await startServer({ workers: false });
  v8 = mountClient(server, '/tams/v8.2');
});
afterAll(() => server?.close());

const DOTS = ['.', '..'];
const MOUNTS = ['', '/tams/v7.0', '/tams/v8.2'];

/** A request sent with its path exactly as written (fetch would resolve `.`, `..` and `%2E`). */
function raw(method: string, path: string, body?: unknown): Promise<{ status: number; json: Doc }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += String(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('object ids . and ..', () => {
  it('are refused when allocating storage, on every mount', async () => {
    const flowId = await newFlow(server);
    for (const mount of MOUNTS) {
      for (const id of DOTS) {
        const res = await server.post(`${mount}/flows/${flowId}/storage`, { object_ids: [id] });
        expectError(res, 400);
        expect((res.body as Doc).summary, mount).toMatch(/object id/);
      }
    }
  });

  it('are refused when registering a segment, on every mount', async () => {
    const flowId = await newFlow(server);
    let t = 0;
    for (const mount of MOUNTS) {
      for (const id of DOTS) {
        const res = await server.post(`${mount}/flows/${flowId}/segments`, {
          object_id: id,
          timerange: secs(t, t + 1),
          get_urls: [{ url: 'https://media.example.com/a.ts', label: 'elsewhere' }],
        });
        t += 1;
        expectError(res, 400);
        expect((res.body as Doc).summary, `${mount} ${id}`).toMatch(/object id/);
      }
    }
    const [media] = await allocate(server, flowId);
    for (const id of DOTS) {
      const res = await v8.post(`/flows/${flowId}/segments`, {
        object_id: media?.object_id,
        timerange: secs(100, 101),
        init_object_id: id,
      });
      expectError(res, 400);
      expect((res.body as Doc).summary).toMatch(/object id/);
    }
  });

  it('are refused at /objects/{id} and its instances, however the path spells them', async () => {
    for (const spelled of ['.', '..', '%2E', '%2e%2E']) {
      for (const mount of MOUNTS) {
        for (const method of ['GET', 'HEAD']) {
          const res = await raw(method, `${mount}/objects/${spelled}`);
          expect(res.status, `${method} ${mount}/objects/${spelled}`).toBe(400);
        }
      }
      const post = await raw('POST', `/tams/v8.2/objects/${spelled}/instances`, {
        url: 'https://media.example.com/a.ts',
        label: 'elsewhere',
      });
      expect(post.status, spelled).toBe(400);
      expect(post.json.summary).toMatch(/object id/);
      const del = await raw('DELETE', `/tams/v8.2/objects/${spelled}/instances?label=elsewhere`);
      expect(del.status, spelled).toBe(400);
    }
  });

  it('ids that merely contain dots are still objects like any other', async () => {
    const flowId = await newFlow(server);
    for (const [i, id] of ['...', '.hidden', 'a/../b', 'clip.ts'].entries()) {
      const res = await server.post(`/flows/${flowId}/segments`, {
        object_id: id,
        timerange: secs(i, i + 1),
        get_urls: [{ url: 'https://media.example.com/a.ts', label: 'elsewhere' }],
      });
      expect(res.status, `${id}: ${res.text}`).toBe(201);
      expect((await server.get(`/objects/${encodeURIComponent(id)}`)).status, id).toBe(200);
    }
  });
});

describe('a copy onto the backend holding the object', () => {
  it('is a 201 that changes nothing: the object already has its instance there', async () => {
    const flowId = await newFlow(server);
    const [object] = await allocate(server, flowId);
    if (!object) throw new Error('nothing allocated');
    await upload(object);
    const registered = await server.post(`/flows/${flowId}/segments`, {
      object_id: object.object_id,
      timerange: secs(0, 1),
    });
    expect(registered.status, registered.text).toBe(201);
    const before = await v8.get<Doc>(`/objects/${object.object_id}`);
    const own = await backend(server);
    const res = await v8.post(`/objects/${object.object_id}/instances`, { storage_id: own.id });
    expect(res.status, res.text).toBe(201);
    const after = await v8.get<Doc>(`/objects/${object.object_id}`);
    // A presigned URL is signed anew at each read (its X-Amz-Date moves on): compared without
    // its query, the instances are the same ones.
    const instances = (doc: Doc) =>
      (doc.get_urls as { url: string }[]).map((u) => ({ ...u, url: u.url.split('?')[0] }));
    expect(instances(after.body)).toEqual(instances(before.body));
  });
});
