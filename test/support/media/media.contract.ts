import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaStore, PutRequest, UrlContext } from '../../../src/media/media.types.ts';

/**
 * What every media backend must do, through real HTTP: the URLs a store hands out are what TAMS
 * clients use (DIGEST §7: PUT to `put_url` with its content type; §6.2: GET `get_urls`).
 * `setup` runs once per suite and must return a store whose URLs are answered by a live server
 * (fs: the server's own media routes; S3: an S3-protocol server).
 */
export interface MediaContractEnv {
  store: MediaStore;
  ctx: UrlContext;
  /** False for servers that accept any signature (s3rver); the signature tests then skip. */
  verifiesSignatures: boolean;
  /**
   * False for servers that ignore `If-None-Match: *` on PUT (s3rver) and so replace an object
   * on a second upload; the write-once test then skips.
   */
  refusesOverwrite: boolean;
  teardown(): Promise<void>;
}

const SIGNATURE_NAMES = /^(sig|signature|x-amz-signature)$/i;
const TS = 'video/mp2t';

interface Download {
  res: Response;
  body: Buffer;
}

async function download(url: string, headers: Record<string, string> = {}): Promise<Download> {
  const res = await fetch(url, { headers });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The URL with one character of its signature changed. */
function tamper(url: string): string {
  const parsed = new URL(url);
  const name = [...parsed.searchParams.keys()].find((key) => SIGNATURE_NAMES.test(key));
  expect(name, `no signature parameter in ${parsed.pathname}`).toBeDefined();
  const sig = parsed.searchParams.get(name ?? '') ?? '';
  const flipped = sig.slice(0, 4) + (sig[4] === 'A' ? 'B' : 'A') + sig.slice(5);
  parsed.searchParams.set(name ?? '', flipped);
  return parsed.toString();
}

export function describeMediaStoreContract(name: string, setup: () => Promise<MediaContractEnv>): void {
  describe(`media store contract: ${name}`, () => {
    let env: MediaContractEnv;
    const run = randomUUID();
    let counter = 0;
    const newPath = (label: string) => `contract/${run}/${label}-${++counter}`;

    beforeAll(async () => {
      env = await setup();
    });
    afterAll(async () => {
      await env?.teardown();
    });

    async function upload(path: string, bytes: Uint8Array, contentType = TS): Promise<Response> {
      return send(env.store.presignPut(path, contentType, env.ctx), bytes);
    }

    /** A PUT to a presigned upload, with every header the upload asks for. */
    async function send(put: PutRequest, bytes: Uint8Array): Promise<Response> {
      const res = await fetch(put.url, {
        method: 'PUT',
        headers: { ...put.headers, 'content-type': put['content-type'] },
        body: bytes,
      });
      await res.arrayBuffer();
      return res;
    }

    async function stored(path: string, bytes: Uint8Array, contentType = TS): Promise<string> {
      const res = await upload(path, bytes, contentType);
      expect(res.status).toBe(200);
      const etag = res.headers.get('etag');
      expect(etag).toBeTruthy();
      return etag ?? '';
    }

    it('round-trips an object: presigned PUT, head, presigned GET', async () => {
      const path = newPath('roundtrip');
      const bytes = randomBytes(100_000);
      const put = env.store.presignPut(path, TS, env.ctx);
      expect(put['content-type']).toBe(TS);
      await stored(path, bytes);

      const info = await env.store.head(path);
      expect(info).toMatchObject({ path, size: bytes.length, contentType: TS });
      expect(info?.lastModified).toBeInstanceOf(Date);

      const { res, body } = await download(env.store.presignGet(path, env.ctx));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(TS);
      expect(res.headers.get('content-length')).toBe(String(bytes.length));
      expect(body.equals(bytes)).toBe(true);
    });

    it('presigns a page of GET URLs at once: each downloads its own object', async () => {
      // Paths as the store allocates them (<flow>/<object>), plus one of another shape.
      const flow = randomUUID();
      const paths = [
        `contract/${run}/${flow}/${randomUUID()}`,
        `contract/${run}/${flow}/${randomUUID()}`,
        `contract/${run}/${randomUUID()}/${randomUUID()}`,
        newPath('page'),
      ];
      const contents = paths.map(() => randomBytes(64));
      for (const [i, path] of paths.entries()) await stored(path, contents[i] as Buffer);
      const urls = env.store.presignGets(paths, env.ctx);
      expect(urls).toHaveLength(paths.length);
      for (const [i, url] of urls.entries()) {
        const { res, body } = await download(url);
        expect(res.status).toBe(200);
        expect(body.equals(contents[i] as Buffer)).toBe(true);
      }
    });

    it('gives the ETag of the PUT on GET and in head', async () => {
      const path = newPath('etag');
      const etag = await stored(path, randomBytes(1000));
      const { res } = await download(env.store.presignGet(path, env.ctx));
      expect(res.headers.get('etag')).toBe(etag);
      expect((await env.store.head(path))?.etag).toBe(etag);
      const other = await stored(newPath('etag'), randomBytes(1000));
      expect(other).not.toBe(etag);
    });

    it('answers single byte ranges with 206 and Content-Range', async () => {
      const path = newPath('range');
      const bytes = randomBytes(5000);
      await stored(path, bytes);
      const url = env.store.presignGet(path, env.ctx);

      const cases: [string, number, number][] = [
        ['bytes=10-19', 10, 19],
        ['bytes=-100', 4900, 4999],
        ['bytes=4990-', 4990, 4999],
        ['bytes=4000-99999', 4000, 4999],
        ['bytes=0-0', 0, 0],
      ];
      for (const [range, start, end] of cases) {
        const { res, body } = await download(url, { range });
        expect(res.status, range).toBe(206);
        expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/5000`);
        expect(res.headers.get('content-length'), range).toBe(String(end - start + 1));
        expect(body.equals(bytes.subarray(start, end + 1)), range).toBe(true);
      }
    });

    it('answers an unsatisfiable range with 416', async () => {
      const path = newPath('range416');
      await stored(path, randomBytes(100));
      const { res } = await download(env.store.presignGet(path, env.ctx), { range: 'bytes=100-' });
      expect(res.status).toBe(416);
      // RFC 9110 says a server should tell the length this way; MinIO does not, so clients
      // cannot count on it.
      const range = res.headers.get('content-range');
      if (range !== null) expect(range).toBe('bytes */100');
    });

    it('writes an object once: a replayed PUT gets 412 and readers keep the first bytes', async (test) => {
      if (!env.refusesOverwrite) return test.skip();
      const path = newPath('once');
      const first = randomBytes(3000);
      const put = env.store.presignPut(path, TS, env.ctx);
      const ok = await send(put, first);
      expect(ok.status).toBe(200);
      const etag = ok.headers.get('etag');
      // The same URL again (a replay within its validity), then another URL for the same path.
      expect((await send(put, randomBytes(1234))).status).toBe(412);
      expect((await upload(path, randomBytes(10), 'video/mp4')).status).toBe(412);
      const { res, body } = await download(env.store.presignGet(path, env.ctx));
      expect(res.headers.get('content-type')).toBe(TS);
      expect(res.headers.get('etag')).toBe(etag);
      expect(body.equals(first)).toBe(true);
      expect(await env.store.head(path)).toMatchObject({ size: 3000, contentType: TS, etag });
    });

    it('refuses a PUT that leaves out the headers of its put_url', async (test) => {
      const path = newPath('headers');
      const put = env.store.presignPut(path, TS, env.ctx);
      if (!env.verifiesSignatures || Object.keys(put.headers ?? {}).length === 0) return test.skip();
      const res = await fetch(put.url, {
        method: 'PUT',
        headers: { 'content-type': put['content-type'] },
        body: randomBytes(10),
      });
      await res.arrayBuffer();
      // AWS answers 403 SignatureDoesNotMatch; MinIO 400 AccessDenied.
      expect([400, 403]).toContain(res.status);
      expect(await env.store.head(path)).toBeNull();
    });

    it('reads byte ranges of an object itself: within, across and past its end', async () => {
      const path = newPath('read');
      const bytes = randomBytes(300_000);
      await stored(path, bytes, 'text/vtt');
      const head = await env.store.read(path, { offset: 0, length: 1000 });
      expect(head).toMatchObject({ size: bytes.length, contentType: 'text/vtt' });
      expect(Buffer.from(head?.bytes ?? []).equals(bytes.subarray(0, 1000))).toBe(true);
      const middle = await env.store.read(path, { offset: 123_457, length: 70_001 });
      expect(Buffer.from(middle?.bytes ?? []).equals(bytes.subarray(123_457, 193_458))).toBe(true);
      const tail = await env.store.read(path, { offset: 299_990, length: 1000 });
      expect(Buffer.from(tail?.bytes ?? []).equals(bytes.subarray(299_990))).toBe(true);
      expect(tail?.size).toBe(bytes.length);
      const whole = await env.store.read(path, { offset: 0, length: 1_000_000 });
      expect(Buffer.from(whole?.bytes ?? []).equals(bytes)).toBe(true);
      for (const past of [
        { offset: 300_000, length: 10 },
        { offset: 400_000, length: 10 },
        { offset: 5, length: 0 },
      ]) {
        const none = await env.store.read(path, past);
        expect(none?.bytes.length, JSON.stringify(past)).toBe(0);
        expect(none?.size).toBe(bytes.length);
      }
      expect(await env.store.read(newPath('never-written'), { offset: 0, length: 10 })).toBeNull();
      expect(await env.store.read(newPath('never-written'), { offset: 0, length: 0 })).toBeNull();
      await expect(env.store.read(path, { offset: -1, length: 10 })).rejects.toThrow(RangeError);
      await expect(env.store.read(path, { offset: 0, length: 1.5 })).rejects.toThrow(RangeError);
    });

    it('deletes objects, and deleting a missing one resolves', async () => {
      const path = newPath('delete');
      await stored(path, randomBytes(10));
      await env.store.delete(path);
      expect(await env.store.head(path)).toBeNull();
      const { res } = await download(env.store.presignGet(path, env.ctx));
      expect([403, 404]).toContain(res.status);
      await expect(env.store.delete(path)).resolves.toBeUndefined();
      await expect(env.store.delete(newPath('never-written'))).resolves.toBeUndefined();
    });

    it('lists objects recursively, by string prefix', async () => {
      const base = newPath('list');
      const paths = [`${base}/a/1`, `${base}/a/2`, `${base}/ab`, `${base}/b/c/3`];
      for (const [i, path] of paths.entries()) await stored(path, randomBytes(i + 1));
      const listed = async (prefix?: string) => {
        const found = [];
        for await (const info of env.store.list(prefix)) found.push(info);
        return found;
      };

      const all = await listed(`${base}/`);
      expect(all.map((o) => o.path).sort()).toEqual(paths);
      expect(all.find((o) => o.path === `${base}/b/c/3`)?.size).toBe(4);
      expect((await listed(`${base}/a/`)).map((o) => o.path).sort()).toEqual(paths.slice(0, 2));
      expect((await listed(`${base}/a`)).map((o) => o.path).sort()).toEqual(paths.slice(0, 3));
      expect(await listed(`${base}/zzz`)).toEqual([]);
      const everything = (await listed()).map((o) => o.path);
      for (const path of paths) expect(everything).toContain(path);
    });

    it('round-trips a large object', async () => {
      const path = newPath('large');
      const bytes = randomBytes(20 * 1024 * 1024);
      await stored(path, bytes, 'application/octet-stream');
      expect((await env.store.head(path))?.size).toBe(bytes.length);
      const url = env.store.presignGet(path, env.ctx);
      const { res, body } = await download(url);
      expect(res.status).toBe(200);
      expect(sha256(body)).toBe(sha256(bytes));
      const slice = await download(url, { range: 'bytes=10000000-10000099' });
      expect(slice.body.equals(bytes.subarray(10_000_000, 10_000_100))).toBe(true);
    });

    it('refuses an expired URL', async (test) => {
      if (!env.verifiesSignatures) return test.skip();
      const path = newPath('expired');
      await stored(path, randomBytes(10));
      const url = env.store.presignGet(path, { ...env.ctx, expiresIn: 1 });
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await download(url)).res.status).toBe(403);
      expect((await download(env.store.presignGet(path, env.ctx))).res.status).toBe(200);
    });

    it('refuses a tampered signature, or one made for another path or method', async (test) => {
      if (!env.verifiesSignatures) return test.skip();
      const path = newPath('tamper');
      const other = newPath('tamper');
      const bytes = randomBytes(10);
      await stored(path, bytes);
      await stored(other, randomBytes(10));
      const url = env.store.presignGet(path, env.ctx);
      expect((await download(url)).res.status).toBe(200);
      expect((await download(tamper(url))).res.status).toBe(403);
      const forOther = env.store.presignGet(other, env.ctx);
      const swapped = forOther.replace(other, path);
      expect(swapped).not.toBe(forOther);
      expect((await download(swapped)).res.status).toBe(403);

      // The same for URLs signed a page at a time, for objects of one Flow.
      const flow = randomUUID();
      const [a, b] = [`contract/${run}/${flow}/${randomUUID()}`, `contract/${run}/${flow}/${randomUUID()}`];
      await stored(a, randomBytes(10));
      await stored(b, randomBytes(10));
      const [urlA, urlB] = env.store.presignGets([a, b], env.ctx) as [string, string];
      expect((await download(urlA)).res.status).toBe(200);
      expect((await download(tamper(urlA))).res.status).toBe(403);
      expect((await download(urlB.replace(b, a))).res.status).toBe(403);

      const res = await fetch(url, { method: 'PUT', headers: { 'content-type': TS }, body: randomBytes(10) });
      await res.arrayBuffer();
      expect(res.status).toBe(403);
      expect((await download(url)).body.equals(bytes)).toBe(true);
    });

    it('refuses a PUT whose Content-Type differs from the signed one', async (test) => {
      if (!env.verifiesSignatures) return test.skip();
      const path = newPath('ctype');
      const put = env.store.presignPut(path, TS, env.ctx);
      const res = await fetch(put.url, {
        method: 'PUT',
        headers: { ...put.headers, 'content-type': 'video/mp4' },
        body: randomBytes(10),
      });
      await res.arrayBuffer();
      expect(res.status).toBe(403);
      expect(await env.store.head(path)).toBeNull();
    });
  });
}
