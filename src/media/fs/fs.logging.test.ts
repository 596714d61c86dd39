import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FsMediaServer, startFsMediaServer } from '../../../test/support/media/fs/fs.testkit.ts';
import { loggerOptions } from '../../http/logging.ts';

describe('fs media routes and logs', () => {
  const lines: string[] = [];
  const secret = randomBytes(32);
  let server: FsMediaServer;

  beforeAll(async () => {
    const stream = { write: (line: string) => lines.push(line) };
    server = await startFsMediaServer({
      secret,
      maxObjectBytes: 1000,
      logger: { ...loggerOptions('trace'), stream },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('never logs signatures or the signing secret', async () => {
    const ctx = { baseUrl: server.baseUrl, expiresIn: 60 };
    const put = server.store.presignPut('log/obj', 'video/mp2t', ctx);
    const get = server.store.presignGet('log/obj', ctx);
    const expired = server.store.presignGet('log/obj', { ...ctx, expiresIn: -10 });
    const urls = [put.url, get, expired];
    const send = (url: string, init?: RequestInit) =>
      fetch(url, init).then((res) => res.arrayBuffer().then(() => res.status));

    expect(await send(put.url, { method: 'PUT', headers: { 'content-type': 'video/mp2t' }, body: 'x' })).toBe(
      200,
    );
    expect(await send(put.url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x' })).toBe(
      403,
    );
    expect(
      await send(put.url, {
        method: 'PUT',
        headers: { 'content-type': 'video/mp2t' },
        body: randomBytes(2000),
      }),
    ).toBe(413);
    expect(await send(get)).toBe(200);
    expect(await send(get, { method: 'HEAD' })).toBe(200);
    expect(await send(expired)).toBe(403);
    expect(await send(`${get}x`)).toBe(403);

    const text = lines.join('\n');
    expect(text).toContain('sig=[REDACTED]');
    const signatures = [...urls, `${get}x`].map((url) => new URL(url).searchParams.get('sig') ?? '');
    for (const sig of signatures) {
      expect(sig.length).toBeGreaterThan(40);
      expect(text).not.toContain(sig);
    }
    for (const encoding of ['hex', 'base64', 'base64url'] as const)
      expect(text).not.toContain(secret.toString(encoding));
  });
});
