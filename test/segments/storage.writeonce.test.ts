/**
 * Presigned PUT URLs of the fs store through the real app (issue 17): an object's bytes are
 * written once, so a put_url replayed within its validity cannot change the media of registered
 * segments (412, as S3 answers a conditional PUT); and a put_url whose object is gone (its Flow
 * deleted, its allocation released) writes nothing (404), even when the Flow goes while the
 * bytes are streaming.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FsMediaStore } from '../../src/media/fs/fs.store.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import {
  type AllocatedObject,
  addSegments,
  allocate,
  bytesExist,
  FAST_WORKERS,
  newFlow,
  storagePathOf,
  waitFor,
} from './helpers.ts';

let server: TestServer;
const media = tempDir('tams-media-once-');

beforeAll(async () => {
  server = await startServer({ env: { ...FAST_WORKERS, TAMS_MEDIA_DIR: media.path } });
});
afterAll(async () => {
  await server.close();
  media.remove();
});

/** PUTs `body` to a put_url as a client does: its content type and headers. */
async function put(object: AllocatedObject, body: Uint8Array | ReadableStream<Uint8Array>) {
  const res = await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { ...object.put_url.headers, 'content-type': object.put_url['content-type'] },
    body,
    duplex: 'half',
  } as RequestInit);
  const text = await res.text();
  return {
    status: res.status,
    etag: res.headers.get('etag'),
    body: text === '' ? undefined : JSON.parse(text),
  };
}

async function getUrls(flowId: string): Promise<string[]> {
  const res = await server.get<{ get_urls?: { url: string }[] }[]>(`/flows/${flowId}/segments`);
  return (res.body[0]?.get_urls ?? []).map((u) => u.url);
}

describe('fs put_url: objects are written once', () => {
  it('refuses a replayed put_url over an object that has bytes; readers still get the first', async () => {
    const flowId = await newFlow(server);
    const [object] = (await allocate(server, flowId, { limit: 1 })) as [AllocatedObject];
    const first = randomBytes(50_000);
    const ok = await put(object, first);
    expect(ok.status).toBe(200);
    await addSegments(server, flowId, { object_id: object.object_id, timerange: '[0:0_10:0)' });

    const replay = await put(object, randomBytes(50_000));
    expect(replay.status).toBe(412);
    expect(replay.body).toMatchObject({ type: 'PreconditionFailed' });

    const urls = await getUrls(flowId);
    expect(urls).toHaveLength(2);
    for (const url of urls) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(ok.etag);
      expect(Buffer.from(await res.arrayBuffer()).equals(first)).toBe(true);
    }
  });
});

describe('fs put_url of an object that is gone', () => {
  it('is refused once the Flow is deleted, before or after its bytes were collected', async () => {
    const flowId = await newFlow(server);
    const [sent, unsent] = (await allocate(server, flowId, { limit: 2 })) as [
      AllocatedObject,
      AllocatedObject,
    ];
    expect((await put(sent, randomBytes(1000))).status).toBe(200);
    await addSegments(server, flowId, { object_id: sent.object_id, timerange: '[0:0_10:0)' });
    expect((await server.delete(`/flows/${flowId}`)).status).toBe(204);

    const late = await put(unsent, randomBytes(1000));
    expect(late.status).toBe(404);
    expect(late.body).toMatchObject({ type: 'NotFound' });
    expect(await bytesExist(server, unsent.put_url.url)).toBe(false);

    await waitFor('the bytes collected', async () => !(await bytesExist(server, sent.put_url.url)));
    const replay = await put(sent, randomBytes(1000));
    expect(replay.status).toBe(404);
    expect(await bytesExist(server, sent.put_url.url)).toBe(false);
  });

  it('is refused when the Flow is deleted while the bytes stream, and stores nothing', async () => {
    const flowId = await newFlow(server);
    const [object] = (await allocate(server, flowId, { limit: 1 })) as [AllocatedObject];
    let feed: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        feed = controller;
      },
    });
    feed?.enqueue(randomBytes(20_000));
    const answer = put(object, body);
    // Mid-upload: the server has its temp file.
    const dir = join(media.path, flowId);
    await waitFor('the upload under way', async () => {
      const names = await readdir(dir).catch(() => [] as string[]);
      return names.some((n) => n.endsWith('.tmp'));
    });
    expect((await server.delete(`/flows/${flowId}`)).status).toBe(204);
    feed?.enqueue(randomBytes(20_000));
    feed?.close();

    const res = await answer;
    expect(res.status).toBe(404);
    expect(await bytesExist(server, object.put_url.url)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('fs put_url of client-chosen object ids', () => {
  it('names its object, signed; the upload works until the Flow goes', async () => {
    const flowId = await newFlow(server);
    const id = `client/${randomBytes(4).toString('hex')}&x=1 é#+`;
    const [object] = (await allocate(server, flowId, { object_ids: [id] })) as [AllocatedObject];
    const url = new URL(object.put_url.url);
    expect(url.searchParams.get('object')).toBe(id);
    // The path is ours (a random UUID), not the id.
    expect(storagePathOf(object.put_url.url).endsWith(id)).toBe(false);

    url.searchParams.set('object', `${id}x`);
    const tampered = await put(
      { ...object, put_url: { ...object.put_url, url: url.toString() } },
      randomBytes(10),
    );
    expect(tampered.status).toBe(403);
    expect((await put(object, randomBytes(10))).status).toBe(200);

    const [other] = (await allocate(server, flowId, { object_ids: [`${id}-2`] })) as [AllocatedObject];
    expect((await server.delete(`/flows/${flowId}`)).status).toBe(204);
    expect((await put(other, randomBytes(10))).status).toBe(404);
  });

  it('accepts put_urls made before they named their object (issued before an upgrade)', async () => {
    const flowId = await newFlow(server);
    const objects = [
      ...(await allocate(server, flowId, { limit: 1 })),
      ...(await allocate(server, flowId, { object_ids: [`legacy-${randomBytes(4).toString('hex')}`] })),
    ];
    const [store] = server.runtime.media.stores as [FsMediaStore];
    for (const object of objects) {
      const path = storagePathOf(object.put_url.url);
      const legacy = store.presignPut(path, 'video/mp2t', { baseUrl: server.url, expiresIn: 60 });
      expect(new URL(legacy.url).searchParams.has('object')).toBe(false);
      expect((await put({ ...object, put_url: legacy }, randomBytes(10))).status).toBe(200);
    }
    // Allocations not used yet, their Flow gone: no one can use them any more.
    expect((await server.delete(`/flows/${flowId}`)).status).toBe(204);
    for (const object of objects) {
      const path = storagePathOf(object.put_url.url);
      const legacy = store.presignPut(path, 'video/mp2t', { baseUrl: server.url, expiresIn: 60 });
      expect((await put({ ...object, put_url: legacy }, randomBytes(10))).status).toBe(404);
    }
  });
});
