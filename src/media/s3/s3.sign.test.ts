/**
 * The fast presigner against the AWS SDK's: for the same client settings, key, content type,
 * expiry and instant, S3MediaStore's URLs must equal `getSignedUrl`'s byte for byte. s3rver (the
 * S3 server of the integration tests) checks no signatures, so this comparison is what proves
 * the signatures AWS, VAST and MinIO will verify.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { prng as random } from '../../../test/support/time/time.testkit.ts';
import type { StorageBackendDescriptor } from '../media.types.ts';
import { S3MediaStore } from './s3.store.ts';

const DESCRIPTOR: StorageBackendDescriptor = {
  id: '0d3c6f7e-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
  store_type: 'http_object_store',
  provider: 'test',
  store_product: 's3',
};

interface Target {
  region: string;
  bucket: string;
  endpoint?: string;
  forcePathStyle?: boolean;
}

const TARGETS: Target[] = [
  { region: 'us-east-1', bucket: 'media' },
  { region: 'eu-west-2', bucket: 'tams-media-eu' },
  { region: 'ap-southeast-2', bucket: 'my.dotted.bucket' },
  { region: 'eu-west-1', bucket: 'forced', forcePathStyle: true },
  { region: 'us-east-1', bucket: 'local', endpoint: 'http://127.0.0.1:4568', forcePathStyle: true },
  { region: 'us-east-1', bucket: 'vast-media', endpoint: 'https://s3.vast.example' },
  { region: 'eu-central-1', bucket: 'based', endpoint: 'https://S3.Example.COM:8443/base/' },
  { region: 'us-east-1', bucket: 'minio', endpoint: 'http://minio.local:9000', forcePathStyle: true },
  { region: 'us-east-1', bucket: 'Upper_Case', endpoint: 'http://10.0.0.7:80' },
];

const CREDENTIALS = [
  { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  {
    accessKeyId: 'ASIAEXAMPLETEMPORARY',
    secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY+',
    sessionToken: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+Dm/X=',
  },
  { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
];

const CONTENT_TYPES = [
  'video/mp2t',
  'video/mp4',
  'application/octet-stream',
  'text/plain; charset=utf-8',
  'multipart/mixed; boundary="a b"',
  'image/x-exr',
  '  video/mp2t  ',
  'audio/aac;  rate=48000',
];

const PREFIXES = ['', 'tams/', 'a b/ü/'];

/** Key characters: unreserved, reserved needing RFC 3986 encoding, `%`, and non-ASCII. */
const ALPHABET = [...'abcxyzABCXYZ0189-_.~ !\'()*+=&?#%:@,;$[]{}|^`"<>\\', 'é', 'ü', '日', '本', 'Ω', '😀'];

function pick<T>(rnd: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rnd() * items.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
}

function randomKey(rnd: () => number): string {
  const segments = 1 + Math.floor(rnd() * 4);
  const parts: string[] = [];
  for (let s = 0; s < segments; s++) {
    let segment = '';
    const length = 1 + Math.floor(rnd() * 12);
    for (let i = 0; i < length; i++) segment += pick(rnd, ALPHABET);
    // `.` and `..` segments are refused (URL parsers resolve them away); see the rejection test.
    parts.push(segment === '.' || segment === '..' ? `${segment}x` : segment);
  }
  return parts.join('/');
}

interface Case {
  target: Target;
  credentials: (typeof CREDENTIALS)[number];
  prefix: string;
  key: string;
  contentType?: string;
  /** A conditional PUT: `If-None-Match: *` signed. */
  conditional?: boolean;
  expiresIn: number;
  at: number;
}

function cases(count: number, seed: number): Case[] {
  const rnd = random(seed);
  const start = Date.UTC(2020, 0, 1);
  const span = Date.UTC(2035, 0, 1) - start;
  return Array.from({ length: count }, (_, i) => {
    // One in four lands within a second of midnight, where the signing day changes.
    const midnight = Date.UTC(2026, 10, 22) + Math.floor(rnd() * 2000) - 1000;
    return {
      target: pick(rnd, TARGETS),
      credentials: pick(rnd, CREDENTIALS),
      prefix: pick(rnd, PREFIXES),
      key: i % 10 === 0 ? `${pick(rnd, ['flow', 'a'])}/0b5e8f0e-3c1f-4d6a-9b7e-2f1a3c4d5e6f` : randomKey(rnd),
      contentType: i % 2 === 0 ? undefined : pick(rnd, CONTENT_TYPES),
      conditional: i % 4 === 1,
      expiresIn: pick(rnd, [1, 60, 900, 3600, 86400, 604800, 1 + Math.floor(rnd() * 604799)]),
      at: rnd() < 0.25 ? midnight : start + Math.floor(rnd() * span),
    };
  });
}

async function sdkUrl(c: Case): Promise<string> {
  const client = new S3Client({
    region: c.target.region,
    endpoint: c.target.endpoint,
    forcePathStyle: c.target.forcePathStyle,
    credentials: c.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Key = c.prefix + c.key;
  const options = { expiresIn: c.expiresIn, signingDate: new Date(c.at) };
  try {
    if (c.contentType === undefined) {
      return await getSignedUrl(client, new GetObjectCommand({ Bucket: c.target.bucket, Key }), options);
    }
    const put = new PutObjectCommand({
      Bucket: c.target.bucket,
      Key,
      ContentType: c.contentType,
      IfNoneMatch: c.conditional ? '*' : undefined,
    });
    return await getSignedUrl(client, put, { ...options, signableHeaders: new Set(['content-type']) });
  } finally {
    client.destroy();
  }
}

function ourUrl(c: Case): string {
  const store = new S3MediaStore({
    descriptor: DESCRIPTOR,
    ...c.target,
    credentials: c.credentials,
    keyPrefix: c.prefix,
    conditionalPut: c.conditional === true,
    now: () => c.at,
  });
  const ctx = { baseUrl: 'http://tams.invalid', expiresIn: c.expiresIn };
  return c.contentType === undefined
    ? store.presignGet(c.key, ctx)
    : store.presignPut(c.key, c.contentType, ctx).url;
}

describe('S3 presigning', () => {
  it('produces the AWS SDK presigner URLs byte for byte (600 generated cases)', async () => {
    const all = cases(600, 20261122);
    const mismatches: string[] = [];
    for (const c of all) {
      const expected = await sdkUrl(c);
      const actual = ourUrl(c);
      if (actual !== expected)
        mismatches.push(`${JSON.stringify(c)}\n  sdk:  ${expected}\n  ours: ${actual}`);
    }
    expect(mismatches.slice(0, 3).join('\n')).toBe('');
    // The generator did produce what the comparison is about.
    expect(all.some((c) => c.credentials.sessionToken !== undefined && c.contentType !== undefined)).toBe(
      true,
    );
    expect(all.filter((c) => c.contentType !== undefined && c.conditional).length).toBeGreaterThan(100);
    expect(all.filter((c) => c.contentType !== undefined && !c.conditional).length).toBeGreaterThan(100);
    expect(all.some((c) => /[^\x20-\x7e]/.test(c.key))).toBe(true);
    expect(all.some((c) => c.key.includes('/') && /[ !'()*]/.test(c.key))).toBe(true);
  });

  it('signs the content type of a PUT, with the signature changing with it', () => {
    const c: Case = {
      target: TARGETS[4] as Target,
      credentials: CREDENTIALS[0] as Case['credentials'],
      prefix: '',
      key: 'a/b',
      contentType: 'video/mp2t',
      expiresIn: 60,
      at: Date.UTC(2026, 10, 22, 10),
    };
    const url = new URL(ourUrl(c));
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    const other = new URL(ourUrl({ ...c, contentType: 'video/mp4' }));
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(url.searchParams.get('X-Amz-Signature'));
  });

  it('signs If-None-Match: * into conditional PUT URLs (the default), and tells clients to send it', () => {
    const store = new S3MediaStore({
      descriptor: DESCRIPTOR,
      ...(TARGETS[4] as Target),
      credentials: CREDENTIALS[0] as Case['credentials'],
    });
    const ctx = { baseUrl: 'http://tams.invalid', expiresIn: 60 };
    const put = store.presignPut('a/b', 'video/mp2t', ctx);
    expect(put.headers).toEqual({ 'If-None-Match': '*' });
    expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host;if-none-match');
    const plain = new S3MediaStore({
      descriptor: DESCRIPTOR,
      ...(TARGETS[4] as Target),
      credentials: CREDENTIALS[0] as Case['credentials'],
      conditionalPut: false,
    }).presignPut('a/b', 'video/mp2t', ctx);
    expect(plain.headers).toBeUndefined();
    expect(new URL(plain.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
  });

  it('refuses keys, content types and expiries that no URL can carry', () => {
    const store = new S3MediaStore({
      descriptor: DESCRIPTOR,
      ...(TARGETS[4] as Target),
      credentials: CREDENTIALS[0] as Case['credentials'],
    });
    const ctx = { baseUrl: 'http://tams.invalid', expiresIn: 60 };
    const badKeys = ['', 'a/../b', '..', './a', 'a/.', 'x//y', '/lead', 'a/', 'a\nb', 'a\u0000', '\ud800x'];
    for (const key of [...badKeys, 'x'.repeat(1025)]) {
      expect(() => store.presignGet(key, ctx), JSON.stringify(key)).toThrow(/invalid storage path/);
    }
    for (const type of ['', '   ', 'video/mp2t\r\nx-evil: 1', 'vidéo/mp4', 'a\tb']) {
      expect(() => store.presignPut('k', type, ctx), JSON.stringify(type)).toThrow(/invalid content type/);
    }
    for (const expiresIn of [0, -1, 1.5, 604801]) {
      expect(() => store.presignGet('k', { ...ctx, expiresIn }), String(expiresIn)).toThrow(/expiry/);
    }
    expect(
      () =>
        new S3MediaStore({
          descriptor: DESCRIPTOR,
          ...(TARGETS[4] as Target),
          credentials: CREDENTIALS[0] as Case['credentials'],
          keyPrefix: '../',
        }),
    ).toThrow(/key prefix/);
  });
});
