import { createHmac, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CmacKey, cmacKey, GetTagger, subkey, TAG_BYTES } from './fs.cmac.ts';
import { UrlSigner } from './fs.signer.ts';

describe('CMAC of one block', () => {
  // NIST SP 800-38B, appendix D.3 (AES-256), example 2: a 16-byte message.
  const key = Buffer.from('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4', 'hex');
  const message = Buffer.from('6bc1bee22e409f96e93d7e117393172a', 'hex');

  it('derives the subkey K1 of the standard', () => {
    expect(cmacKey(key).k1.toString('hex')).toBe('cad1ed03299eedac2e9a99808621502f');
  });

  it('computes the standard tag', () => {
    const { cipher, k1 } = cmacKey(key);
    const block = Buffer.alloc(TAG_BYTES);
    for (let i = 0; i < TAG_BYTES; i++) block[i] = (message[i] as number) ^ (k1[i] as number);
    expect(cipher.update(block).toString('hex')).toBe('28a7023f452e8f82bd4bf28d8c37c35c');
  });

  it('computes the tag of two blocks as OpenSSL does', () => {
    // `openssl mac -cipher AES-256-CBC -macopt hexkey:<key> CMAC` of the example's first 32 bytes.
    const two = Buffer.from('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51', 'hex');
    expect(twoBlockCmac(cmacKey(key), two.subarray(0, 16), two.subarray(16)).toString('hex')).toBe(
      '5a722d2d8516f854b8677a537b1b669a',
    );
  });

  it('doubles in GF(2^128) with the reduction when the top bit is set', () => {
    expect(subkey(Buffer.from('80000000000000000000000000000001', 'hex')).toString('hex')).toBe(
      '00000000000000000000000000000085',
    );
    expect(subkey(Buffer.from('40000000000000000000000000000001', 'hex')).toString('hex')).toBe(
      '80000000000000000000000000000002',
    );
  });
});

/** CMAC of two complete blocks, straight from SP 800-38B: AES(AES(m1) xor m2 xor K1). */
function twoBlockCmac({ cipher, k1 }: CmacKey, m1: Buffer, m2: Buffer): Buffer {
  const c1 = cipher.update(m1);
  const last = Buffer.alloc(TAG_BYTES);
  for (let i = 0; i < TAG_BYTES; i++) last[i] = (c1[i] as number) ^ (m2[i] as number) ^ (k1[i] as number);
  return cipher.update(last);
}

describe('GetTagger', () => {
  it('tags a name with the CMAC of (expiry, UUID) under the key derived for its directory', () => {
    const secret = randomBytes(32);
    const tagger = new GetTagger(createSecretKey(secret));
    const [dir, name, expires] = [`media/${randomUUID()}`, randomUUID(), '1800000000'];
    const derived = createHmac('sha256', secret).update(`tams-fs-get-cmac\nGET\n${dir}`).digest();
    const first = Buffer.alloc(TAG_BYTES);
    first[0] = expires.length;
    first.write(expires, 1, 'latin1');
    const expected = twoBlockCmac(cmacKey(derived), first, Buffer.from(name.replaceAll('-', ''), 'hex'));
    expect(tagger.tag(dir, name, expires).equals(expected)).toBe(true);
    expect(tagger.tags(dir, [randomUUID(), name], expires)[1]).toBe(expected.toString('base64url'));
  });
});

describe('UrlSigner GET signatures made a page at a time', () => {
  const signer = new UrlSigner(randomBytes(32));
  const now = 1_800_000_000;
  const flow = randomUUID();
  const names = Array.from({ length: 5 }, () => randomUUID());
  const paths = names.map((n) => `${flow}/${n}`);
  const verify = (path: string, sig: string, expires = now, method: 'GET' | 'PUT' = 'GET', at = now) =>
    signer.verify(method, path, String(expires), sig, '', at);

  it('gives each UUID-named path a 128-bit tag its URL verifies with, until it expires', () => {
    const sigs = signer.signGets(paths, now);
    expect(sigs).toHaveLength(paths.length);
    expect(new Set(sigs).size).toBe(paths.length);
    sigs.forEach((sig, i) => {
      expect(sig).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(verify(paths[i] as string, sig)).toBe('valid');
      expect(verify(paths[i] as string, sig, now, 'GET', now + 1)).toBe('expired');
    });
  });

  it('gives a path the same signature alone as in a page, whatever else the page holds', () => {
    const mixed = [`${randomUUID()}/${randomUUID()}`, paths[2] as string, 'plain/key.ts', paths[0] as string];
    const together = signer.signGets(mixed, now);
    mixed.forEach((path, i) => {
      expect(signer.signGets([path], now)[0]).toBe(together[i]);
      expect(verify(path, together[i] as string)).toBe('valid');
    });
  });

  it('binds the tag to the object, the directory, the expiry and the GET method', () => {
    const [sig] = signer.signGets([paths[0] as string], now) as [string];
    expect(verify(paths[1] as string, sig)).toBe('invalid');
    expect(verify(`${randomUUID()}/${names[0]}`, sig)).toBe('invalid');
    expect(verify(`x/${flow}/${names[0]}`, sig)).toBe('invalid');
    expect(verify(names[0] as string, sig)).toBe('invalid');
    expect(verify(paths[0] as string, sig, now + 1)).toBe('invalid');
    expect(verify(paths[0] as string, sig, now, 'PUT')).toBe('invalid');
    expect(signer.verify('GET', paths[0] as string, `0${now}`, sig, '', now)).toBe('invalid');
  });

  it('refuses tags from another secret and altered tags', () => {
    const [other] = new UrlSigner(randomBytes(32)).signGets([paths[0] as string], now) as [string];
    const [sig] = signer.signGets([paths[0] as string], now) as [string];
    expect(verify(paths[0] as string, other)).toBe('invalid');
    const flipped = Buffer.from(sig, 'base64url');
    flipped[7] = (flipped[7] as number) ^ 1;
    expect(verify(paths[0] as string, flipped.toString('base64url'))).toBe('invalid');
    expect(verify(paths[0] as string, sig.slice(0, -1))).toBe('invalid');
    expect(verify(paths[0] as string, `${sig}A`)).toBe('invalid');
  });

  it('signs other names (not a canonical lowercase UUID) with the HMAC, as before', () => {
    const upper = `${flow}/${(names[0] as string).toUpperCase()}`;
    for (const path of ['a/b', 'key-without-dir', upper, `${flow}/${names[0]}.ts`]) {
      const [sig] = signer.signGets([path], now) as [string];
      expect(sig).toBe(signer.sign('GET', path, now));
      expect(verify(path, sig)).toBe('valid');
    }
    // A tag is never accepted for a name the tag scheme does not sign.
    const [tag] = signer.signGets([paths[0] as string], now) as [string];
    expect(verify(upper, tag)).toBe('invalid');
  });
});
