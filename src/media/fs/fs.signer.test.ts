import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UrlSigner } from './fs.signer.ts';

describe('UrlSigner', () => {
  const signer = new UrlSigner(randomBytes(32));
  const now = 1_800_000_000;

  it('verifies its own signatures until the expiry second has passed', () => {
    const sig = signer.sign('PUT', 'a/b', now + 5, 'video/mp2t');
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signer.verify('PUT', 'a/b', String(now + 5), sig, 'video/mp2t', now + 5)).toBe('valid');
    expect(signer.verify('PUT', 'a/b', String(now + 5), sig, 'video/mp2t', now + 6)).toBe('expired');
  });

  it('binds method, path, expiry and content type', () => {
    const sig = signer.sign('PUT', 'a/b', now, 'video/mp2t');
    expect(signer.verify('GET', 'a/b', String(now), sig, 'video/mp2t', now)).toBe('invalid');
    expect(signer.verify('PUT', 'a/c', String(now), sig, 'video/mp2t', now)).toBe('invalid');
    expect(signer.verify('PUT', 'a/b', String(now + 1), sig, 'video/mp2t', now)).toBe('invalid');
    expect(signer.verify('PUT', 'a/b', String(now), sig, 'video/mp4', now)).toBe('invalid');
    expect(signer.verify('PUT', 'a/b', String(now), sig, '', now)).toBe('invalid');
  });

  it('refuses signatures from another secret, malformed values and an expired-and-forged URL alike', () => {
    const other = new UrlSigner(randomBytes(32)).sign('GET', 'a/b', now);
    const sig = signer.sign('GET', 'a/b', now);
    for (const [expires, signature] of [
      [String(now), other],
      [String(now), sig.slice(0, -1)],
      [String(now), `${sig}A`],
      [String(now), undefined],
      [undefined, sig],
      [`${now}.0`, sig],
      [[String(now)], sig],
      [String(now), [sig]],
    ] as const) {
      expect(signer.verify('GET', 'a/b', expires, signature, '', now)).toBe('invalid');
    }
    expect(signer.verify('GET', 'a/b', String(now), other, '', now + 100)).toBe('invalid');
  });

  it('refuses a secret shorter than 16 bytes', () => {
    expect(() => new UrlSigner(Buffer.alloc(15))).toThrow(/16 bytes/);
  });
});
