import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FsMediaServer,
  startFsMediaServer,
  TEST_DESCRIPTOR,
} from '../../../test/support/media/fs/fs.testkit.ts';
import { describeMediaStoreContract } from '../../../test/support/media/media.contract.ts';
import { isValidKey, isValidPrefix } from './fs.paths.ts';
import { createFsMediaStore, FsMediaStore } from './fs.store.ts';

describeMediaStoreContract('fs', async () => {
  const server = await startFsMediaServer();
  return {
    store: server.store,
    ctx: { baseUrl: server.baseUrl, expiresIn: 3600 },
    verifiesSignatures: true,
    refusesOverwrite: true,
    teardown: () => server.close(),
  };
});

describe('fs storage paths', () => {
  it('accepts server-generated keys', () => {
    for (const key of ['ab/cd/0b5e8f0e-3c1f-4d6a-9b7e-2f1a3c4d5e6f', 'a', 'x.ts', 'a_b-c/.hidden', 'a/..b']) {
      expect(isValidKey(key), key).toBe(true);
    }
  });

  it('rejects traversal, absolute and odd paths', () => {
    const bad = [
      '',
      '..',
      '.',
      '../etc/passwd',
      'a/../../b',
      'a/./b',
      '/etc/passwd',
      'a//b',
      'a/',
      'a\\b',
      'a b',
      'a%2F..',
      'a~meta.json',
      'caf\u00e9',
      'a\nb',
      'x'.repeat(201),
      `${'abc/'.repeat(300)}d`,
    ];
    for (const key of bad) expect(isValidKey(key), JSON.stringify(key)).toBe(false);
  });

  it('checks list prefixes with the same charset', () => {
    expect(['', 'a/', 'a/b', 'ab/c'].every(isValidPrefix)).toBe(true);
    expect(['../', '/a', 'a//', 'a/../b', 'a~'].some(isValidPrefix)).toBe(false);
  });

  it('refuses to sign or touch an invalid path', async () => {
    const server = await startFsMediaServer();
    try {
      const ctx = { baseUrl: server.baseUrl, expiresIn: 60 };
      expect(() => server.store.presignPut('/abs', 'video/mp2t', ctx)).toThrow(/invalid storage path/);
      expect(() => server.store.presignPut('a/../b', 'video/mp2t', ctx)).toThrow(/invalid storage path/);
      // GET URLs are not checked when made (their keys were, at allocation), but a URL for an
      // invalid key reaches nothing: the route refuses the path (or, once the client has resolved
      // the `..`, the signature no longer matches it).
      for (const url of [
        server.store.presignGet('a/../b', ctx),
        server.store.directGetUrl('a/%2e%2e/b', ctx),
      ]) {
        expect([403, 404]).toContain((await fetch(url)).status);
      }
      await expect(server.store.head('../x')).rejects.toThrow(/invalid storage path/);
      await expect(server.store.sizes(['../x'])).rejects.toThrow(/invalid storage path/);
      await expect(server.store.delete('/etc/passwd')).rejects.toThrow(/invalid storage path/);
      const list = async () => {
        for await (const _ of server.store.list('../')) return;
      };
      await expect(list()).rejects.toThrow(/invalid storage path prefix/);
    } finally {
      await server.close();
    }
  });
});

describe('fs media store', () => {
  let server: FsMediaServer;
  beforeAll(async () => {
    server = await startFsMediaServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('builds URLs under the route prefix, signed or not', () => {
    const ctx = { baseUrl: `${server.baseUrl}/`, expiresIn: 60 };
    expect(server.store.directGetUrl('ab/cd', ctx)).toBe(`${server.baseUrl}/media/ab/cd`);
    expect(server.store.presignGet('ab/cd', ctx)).toMatch(
      new RegExp(`^${server.baseUrl}/media/ab/cd\\?expires=\\d+&sig=[A-Za-z0-9_-]{43}$`),
    );
    const put = server.store.presignPut('ab/cd', 'video/mp2t', ctx);
    expect(put['content-type']).toBe('video/mp2t');
    expect(put.url).not.toBe(server.store.presignGet('ab/cd', ctx));
    expect(() => server.store.presignPut('ab/cd', 'video/mp2t\r\nx: y', ctx)).toThrow(/content type/);
  });

  it('lists only objects: no sidecars, temp files or foreign files', async () => {
    const put = server.store.presignPut('skip/obj', 'video/mp2t', { baseUrl: server.baseUrl, expiresIn: 60 });
    const res = await fetch(put.url, { method: 'PUT', headers: { 'content-type': 'video/mp2t' }, body: 'x' });
    expect(res.status).toBe(200);
    await writeFile(join(server.root, 'skip', 'obj~0000.tmp'), 'partial');
    await writeFile(join(server.root, 'skip', 'bad name'), 'foreign');
    await symlink('/etc/hostname', join(server.root, 'skip', 'link'));
    const names = (await readdir(join(server.root, 'skip'))).sort();
    expect(names).toHaveLength(5);
    expect(names.slice(0, 4)).toEqual(['bad name', 'link', 'obj', 'obj~0000.tmp']);
    expect(names[4]).toMatch(/^obj~meta-\d+\.json$/);
    const listed = [];
    for await (const info of server.store.list('skip/')) listed.push(info.path);
    expect(listed).toEqual(['skip/obj']);
    expect(await server.store.head('skip/link')).toBeNull();
    expect(await server.store.sizes(['skip/obj', 'skip/link', 'skip/none', 'skip/obj/under'])).toEqual([
      BigInt((await server.store.head('skip/obj'))?.size ?? -1),
      null,
      null,
      null,
    ]);
    // A link loop in the path: no file, for head and sizes alike.
    await mkdir(join(server.root, 'looped'));
    await symlink('self', join(server.root, 'looped', 'self'));
    expect(await server.store.head('looped/self/obj')).toBeNull();
    expect(await server.store.sizes(['looped/self/obj'])).toEqual([null]);
    const link = await fetch(
      server.store.directGetUrl('skip/link', { baseUrl: server.baseUrl, expiresIn: 1 }),
    );
    expect(link.status).toBe(404);
  });

  it('serves an object whose sidecar is missing or stale with default metadata', async () => {
    const ctx = { baseUrl: server.baseUrl, expiresIn: 60 };
    const put = server.store.presignPut('stale/obj', 'video/mp2t', ctx);
    await fetch(put.url, { method: 'PUT', headers: { 'content-type': 'video/mp2t' }, body: 'hello' });
    // Same size, another file renamed in: what a reader sees after an interrupted overwrite.
    await writeFile(join(server.root, 'stale', 'next'), 'HELLO');
    await rename(join(server.root, 'stale', 'next'), join(server.root, 'stale', 'obj'));
    const info = await server.store.head('stale/obj');
    expect(info).toMatchObject({ size: 5, contentType: 'application/octet-stream', etag: undefined });
    // The size alone reads no sidecar, and says what head says.
    expect(await server.store.sizes(['stale/obj'])).toEqual([5n]);
    const res = await fetch(server.store.presignGet('stale/obj', ctx));
    expect(await res.text()).toBe('HELLO');
    expect(res.headers.get('etag')).toBeNull();
  });

  it('answers 409 when a path collides with a directory of other objects', async () => {
    const ctx = { baseUrl: server.baseUrl, expiresIn: 60 };
    const nested = server.store.presignPut('dir/child', 'video/mp2t', ctx);
    expect(
      (await fetch(nested.url, { method: 'PUT', headers: { 'content-type': 'video/mp2t' }, body: 'a' }))
        .status,
    ).toBe(200);
    const clash = server.store.presignPut('dir', 'video/mp2t', ctx);
    const res = await fetch(clash.url, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp2t' },
      body: 'b',
    });
    expect(res.status).toBe(409);
    expect(await server.store.head('dir')).toBeNull();
    expect(await server.store.sizes(['dir'])).toEqual([null]);
    const under = server.store.presignPut('dir/child/deeper', 'video/mp2t', ctx);
    const res2 = await fetch(under.url, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp2t' },
      body: 'c',
    });
    expect(res2.status).toBe(409);
  });

  it('lets one of concurrent PUTs to a path win; the others get 412 and leave nothing', async () => {
    const ctx = { baseUrl: server.baseUrl, expiresIn: 60 };
    const bodies = Array.from({ length: 6 }, () => randomBytes(200_000));
    const types = bodies.map((_, i) => (i % 2 === 0 ? 'video/mp2t' : 'video/mp4'));
    const answers = await Promise.all(
      bodies.map(async (body, i) => {
        const put = server.store.presignPut('race/obj', types[i] as string, ctx);
        const res = await fetch(put.url, {
          method: 'PUT',
          headers: { 'content-type': put['content-type'] },
          body,
        });
        await res.arrayBuffer();
        return { status: res.status, etag: res.headers.get('etag') };
      }),
    );
    const winners = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.status === 412)).toHaveLength(5);
    const won = winners[0] as number;
    const res = await fetch(server.store.presignGet('race/obj', ctx));
    expect(Buffer.from(await res.arrayBuffer()).equals(bodies[won] as Buffer)).toBe(true);
    expect(res.headers.get('content-type')).toBe(types[won]);
    expect(res.headers.get('etag')).toBe(answers[won]?.etag);
    // The data file and its own sidecar: no temp file, no sidecar of a refused upload.
    const names = (await readdir(join(server.root, 'race'))).sort();
    expect(names).toHaveLength(2);
    expect(names[1]).toMatch(/^obj~meta-\d+\.json$/);
  });

  it('reads and deletes the sidecars of objects written before they were named by inode', async () => {
    const ctx = { baseUrl: server.baseUrl, expiresIn: 60 };
    const put = server.store.presignPut('legacy/obj', 'video/mp4', ctx);
    const res = await fetch(put.url, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp4' },
      body: 'old',
    });
    const etag = res.headers.get('etag');
    const dir = join(server.root, 'legacy');
    const [sidecar] = (await readdir(dir)).filter((n) => n.includes('~meta-'));
    await rename(join(dir, sidecar as string), join(dir, 'obj~meta.json'));
    expect(await server.store.head('legacy/obj')).toMatchObject({ size: 3, contentType: 'video/mp4', etag });
    await server.store.delete('legacy/obj');
    expect(await readdir(dir)).toEqual([]);
  });

  it('stores an empty object', async () => {
    const ctx = { baseUrl: server.baseUrl, expiresIn: 60 };
    const put = server.store.presignPut('empty/obj', 'video/mp2t', ctx);
    const res = await fetch(put.url, { method: 'PUT', headers: { 'content-type': 'video/mp2t' }, body: '' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
    const get = await fetch(server.store.presignGet('empty/obj', ctx));
    expect(get.status).toBe(200);
    expect(get.headers.get('content-length')).toBe('0');
    expect(await get.text()).toBe('');
  });
});

describe('fs media store lifecycle', () => {
  it('creates its root on start, and check() fails once the root is gone or read-only', async () => {
    const server = await startFsMediaServer();
    const root = join(server.root, '..', 'fresh', 'nested');
    const store = await createFsMediaStore({ root, secret: randomBytes(32), descriptor: TEST_DESCRIPTOR });
    await expect(store.check()).resolves.toBeUndefined();
    expect(await readdir(root)).toEqual([]);
    if (process.getuid?.() !== 0) {
      await chmod(root, 0o555);
      await expect(store.check()).rejects.toThrow();
      await chmod(root, 0o755);
    }
    const missing = new FsMediaStore({
      root: join(root, 'gone'),
      secret: randomBytes(32),
      descriptor: TEST_DESCRIPTOR,
    });
    await expect(missing.check()).rejects.toThrow(/ENOENT/);
    await mkdir(join(root, 'file-parent'));
    await writeFile(join(root, 'file-parent', 'f'), '');
    const notDir = new FsMediaStore({
      root: join(root, 'file-parent', 'f'),
      secret: randomBytes(32),
      descriptor: TEST_DESCRIPTOR,
    });
    await expect(notDir.check()).rejects.toThrow(/not a directory/);
    await server.close();
  });

  it('refuses a short secret and an odd route prefix', () => {
    const base = { root: '/tmp/x', descriptor: TEST_DESCRIPTOR };
    expect(() => new FsMediaStore({ ...base, secret: Buffer.alloc(8) })).toThrow(/16 bytes/);
    for (const routePrefix of ['media', '/media/', '/', '/a b']) {
      expect(() => new FsMediaStore({ ...base, secret: randomBytes(32), routePrefix }), routePrefix).toThrow(
        /prefix/,
      );
    }
  });
});
