import { randomBytes, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FsMediaServer, startFsMediaServer } from '../../../test/support/media/fs/fs.testkit.ts';

const TS = 'video/mp2t';

async function errorBody(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toBe('application/json');
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['message', 'summary', 'time', 'type']);
  return body;
}

/** Every file under `dir`, recursively (relative names). */
async function files(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => `${e.parentPath.slice(dir.length)}/${e.name}`);
}

describe('fs media routes', () => {
  let server: FsMediaServer;
  let clock = Date.now();
  const ctx = () => ({ baseUrl: server.baseUrl, expiresIn: 60 });
  const bytes = randomBytes(2000);
  let etag = '';

  beforeAll(async () => {
    server = await startFsMediaServer({ maxObjectBytes: 64 * 1024, now: () => clock });
    const put = server.store.presignPut('obj/one', TS, ctx());
    const res = await fetch(put.url, { method: 'PUT', headers: { 'content-type': TS }, body: bytes });
    etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses an unsigned PUT with 403', async () => {
    const url = server.store.directGetUrl('obj/unsigned', ctx());
    const res = await fetch(url, { method: 'PUT', headers: { 'content-type': TS }, body: 'x' });
    expect(res.status).toBe(403);
    expect((await errorBody(res)).type).toBe('Forbidden');
    expect(await server.store.head('obj/unsigned')).toBeNull();
  });

  it('refuses an unsigned put_url naming its object where no allocation check holds it', async () => {
    const put = server.store.directPutUrl('obj/plain', TS, ctx(), 'plain');
    expect(new URL(put.url).search).toBe('?object=plain');
    const res = await fetch(put.url, { method: 'PUT', headers: { 'content-type': TS }, body: 'x' });
    expect(res.status).toBe(403);
    expect((await errorBody(res)).type).toBe('Forbidden');
    expect(await server.store.head('obj/plain')).toBeNull();
  });

  it('refuses expired URLs with a TAMS error, and accepts them until the second they expire', async () => {
    const url = server.store.presignGet('obj/one', { ...ctx(), expiresIn: 10 });
    clock += 10_000;
    expect((await fetch(url)).status).toBe(200);
    clock += 1000;
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await errorBody(res)).toMatchObject({
      type: 'Forbidden',
      summary: 'The presigned URL has expired.',
    });
    clock = Date.now();
  });

  it('refuses a missing, malformed or repeated signature parameter', async () => {
    const url = new URL(server.store.presignGet('obj/one', ctx()));
    const sig = url.searchParams.get('sig') ?? '';
    const variants = [
      `${url.origin}${url.pathname}?expires=${url.searchParams.get('expires')}`,
      `${url.origin}${url.pathname}?sig=${sig}`,
      `${url}&sig=${sig}`,
      url.toString().replace(/sig=.*/, `sig=${sig}=`),
      url.toString().replace(/expires=\d+/, 'expires=+1e12'),
    ];
    for (const variant of variants) expect((await fetch(variant)).status, variant).toBe(403);
  });

  it('serves HEAD with the GET headers and no body, presigned or not', async () => {
    for (const url of [
      server.store.presignGet('obj/one', ctx()),
      server.store.directGetUrl('obj/one', ctx()),
    ]) {
      const res = await fetch(url, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe('2000');
      expect(res.headers.get('content-type')).toBe(TS);
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(Date.parse(res.headers.get('last-modified') ?? '')).not.toBeNaN();
      expect(await res.text()).toBe('');
    }
  });

  it('serves the unsigned URL (for credentialed clients) like the presigned one', async () => {
    const res = await fetch(server.store.directGetUrl('obj/one', ctx()), { headers: { range: 'bytes=0-9' } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(0, 10))).toBe(true);
  });

  it('answers 304 to a matching If-None-Match or a later If-Modified-Since', async () => {
    const url = server.store.presignGet('obj/one', ctx());
    for (const value of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await fetch(url, { headers: { 'if-none-match': value } });
      expect(res.status, value).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
    }
    expect((await fetch(url, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    const later = new Date(Date.now() + 60_000).toUTCString();
    expect((await fetch(url, { headers: { 'if-modified-since': later } })).status).toBe(304);
    const earlier = new Date(Date.now() - 3_600_000).toUTCString();
    expect((await fetch(url, { headers: { 'if-modified-since': earlier } })).status).toBe(200);
  });

  it('answers several ranges, malformed ranges and stale If-Range with the whole object', async () => {
    const url = server.store.presignGet('obj/one', ctx());
    const cases: Record<string, string>[] = [
      { range: 'bytes=0-1,5-6' },
      { range: 'bytes=9-3' },
      { range: 'items=0-1' },
      { range: 'bytes=0-9', 'if-range': '"stale"' },
    ];
    for (const headers of cases) {
      const res = await fetch(url, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
    const current = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': etag } });
    expect(current.status).toBe(206);
  });

  it('answers an unsatisfiable range with 416 and the length in Content-Range', async () => {
    const res = await fetch(server.store.presignGet('obj/one', ctx()), { headers: { range: 'bytes=2000-' } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */2000');
    expect((await errorBody(res)).type).toBe('RangeNotSatisfiable');
  });

  it('answers 404 with a TAMS error for missing objects and invalid paths', async () => {
    const missing = await fetch(server.store.presignGet('obj/missing', ctx()));
    expect(missing.status).toBe(404);
    expect((await errorBody(missing)).type).toBe('NotFound');
    for (const path of [
      '/media/..%2F..%2Fetc%2Fpasswd',
      '/media/a/%2e%2e/b',
      '/media//etc/passwd',
      '/media/',
      '/media/a%20b',
    ]) {
      const res = await fetch(`${server.baseUrl}${path}`);
      expect(res.status, path).toBe(404);
      await errorBody(res);
    }
  });

  it('answers 413 beyond maxObjectBytes, declared or streamed, and stores nothing', async () => {
    const put = server.store.presignPut('big/declared', TS, ctx());
    const res = await fetch(put.url, {
      method: 'PUT',
      headers: { 'content-type': TS },
      body: randomBytes(65 * 1024),
    });
    expect(res.status).toBe(413);
    expect((await errorBody(res)).type).toBe('PayloadTooLarge');

    const streamed = server.store.presignPut('big/streamed', TS, ctx());
    const chunks = [randomBytes(40 * 1024), randomBytes(40 * 1024)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res2 = await fetch(streamed.url, {
      method: 'PUT',
      headers: { 'content-type': TS },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res2.status).toBe(413);
    expect(await server.store.head('big/streamed')).toBeNull();
    expect(await server.store.head('big/declared')).toBeNull();
    expect((await files(server.root)).filter((f) => f.startsWith('/big'))).toEqual([]);
  });

  it('leaves nothing behind when the client aborts an upload', async () => {
    const put = new URL(server.store.presignPut('aborted/obj', TS, ctx()).url);
    const req = httpRequest(put, {
      method: 'PUT',
      headers: { 'content-type': TS, 'content-length': 50_000 },
    });
    const closed = new Promise<void>((resolve) =>
      req.on('error', () => resolve()).on('close', () => resolve()),
    );
    req.write(randomBytes(20_000));
    const uploading = async () => (await files(server.root)).filter((f) => f.startsWith('/aborted/'));
    // Wait until the server is mid-upload (its temp file exists) before cutting the connection.
    const poll = { timeout: 60_000, interval: 10 };
    await vi.waitFor(async () => expect((await uploading()).some((f) => f.includes('~'))).toBe(true), poll);
    req.destroy();
    await closed;
    // The server notices the reset asynchronously, then removes the temporary file.
    await vi.waitFor(async () => expect(await uploading()).toEqual([]), poll);
    expect((await files(server.root)).filter((f) => f.startsWith('/aborted/'))).toEqual([]);
    expect(await server.store.head('aborted/obj')).toBeNull();
  });

  it('does not let a PUT signature read, nor a GET signature write', async () => {
    const put = server.store.presignPut('obj/one', TS, ctx());
    expect((await fetch(put.url)).status).toBe(403);
    const asPut = await fetch(server.store.presignGet('obj/new', ctx()), {
      method: 'PUT',
      headers: { 'content-type': TS },
      body: 'x',
    });
    expect(asPut.status).toBe(403);
    const noType = await fetch(server.store.presignPut('obj/new', TS, ctx()).url, {
      method: 'PUT',
      body: new Uint8Array(3),
    });
    expect(noType.status).toBe(403);
    expect(await server.store.head('obj/new')).toBeNull();
  });

  it('serves presigned GET URLs ending in a media extension, and the same URLs without it', async () => {
    const dir = randomUUID();
    const id = randomUUID();
    const uuidBytes = randomBytes(500);
    const put = server.store.presignPut(`${dir}/${id}`, TS, ctx());
    expect(
      (await fetch(put.url, { method: 'PUT', headers: { 'content-type': TS }, body: uuidBytes })).status,
    ).toBe(200);
    const ts = { ...ctx(), extension: '.ts' };
    const uuidUrls = server.store.presignUuidGets(dir, Buffer.from(id.replaceAll('-', ''), 'hex'), 1, ts);
    const tagged = `${uuidUrls.head}${id}${uuidUrls.tail}${Buffer.from(uuidUrls.signatures).toString('latin1')}`;
    // Keys named by a UUID (signed with a tag) and others (an HMAC), each as presignGet makes it.
    const cases = [
      { url: server.store.presignGet('obj/one', ts), bytes },
      { url: server.store.presignGet(`${dir}/${id}`, ts), bytes: uuidBytes },
      { url: tagged, bytes: uuidBytes },
    ];
    expect(tagged).toBe(cases[1]?.url);
    for (const { url, bytes: expected } of cases) {
      const path = new URL(url).pathname;
      expect(path).toMatch(/\.ts$/);
      const got = await fetch(url);
      expect(got.status, url).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(expected)).toBe(true);
      expect((await fetch(url, { method: 'HEAD' })).headers.get('content-length')).toBe(
        String(expected.length),
      );
      // Without the extension: the URL as it was made before, with the same signature.
      const bare = url.replace(/\.ts\?/, '?');
      const old = await fetch(bare);
      expect(old.status, bare).toBe(200);
      expect(Buffer.from(await old.arrayBuffer()).equals(expected)).toBe(true);
    }
    expect(() => server.store.presignGet('obj/one', { ...ctx(), extension: '.exe' })).toThrow(/extension/);
  });

  it('binds a GET signature to its key whether or not the path ends in an extension', async () => {
    // Keys may hold dots: `obj/two.ts` and `obj/two` are two objects.
    const dotted = randomBytes(300);
    const plain = randomBytes(400);
    for (const [key, body] of [
      ['obj/two.ts', dotted],
      ['obj/two', plain],
    ] as const) {
      const put = server.store.presignPut(key, TS, ctx());
      expect((await fetch(put.url, { method: 'PUT', headers: { 'content-type': TS }, body })).status).toBe(
        200,
      );
    }
    const read = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());
    const forPlain = server.store.presignGet('obj/two', { ...ctx(), extension: '.ts' });
    const forDotted = server.store.presignGet('obj/two.ts', ctx());
    expect(new URL(forPlain).pathname).toBe(new URL(forDotted).pathname);
    expect((await read(forPlain)).equals(plain)).toBe(true);
    expect((await read(forDotted)).equals(dotted)).toBe(true);
    // Another key's signature on this path is refused, with or without an extension.
    const other = new URL(server.store.presignGet('obj/one', { ...ctx(), extension: '.ts' }));
    for (const path of ['/obj/two.ts', '/obj/two', '/obj/one.mp4.ts']) {
      const moved = `${other.origin}${new URL(forPlain).pathname.replace('/obj/two.ts', path)}${other.search}`;
      expect((await fetch(moved)).status, moved).toBe(403);
    }
  });
});

describe('fs media routes under another prefix', () => {
  it('serves its own prefix only', async () => {
    const server = await startFsMediaServer({ routePrefix: '/objects/v1' });
    try {
      const ctx = { baseUrl: server.baseUrl, expiresIn: 60 };
      const put = server.store.presignPut('a/b', TS, ctx);
      expect(put.url.startsWith(`${server.baseUrl}/objects/v1/a/b?`)).toBe(true);
      expect(
        (await fetch(put.url, { method: 'PUT', headers: { 'content-type': TS }, body: 'hi' })).status,
      ).toBe(200);
      expect(await (await fetch(server.store.presignGet('a/b', ctx))).text()).toBe('hi');
      expect((await fetch(`${server.baseUrl}/media/a/b`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
