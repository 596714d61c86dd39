/**
 * The hand-written SigV4 signer against the AWS SDK's (@smithy/signature-v4, called as the
 * transport called it before): the same headers for thousands of generated requests, times and
 * credentials, through one signer instance per credential set so that its day key and date
 * caches are exercised across seconds, days and years, forwards and back.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { prng as random } from '../../../../../test/support/time/time.testkit.ts';
import {
  encodePath,
  payloadHash,
  type SignedHeaders,
  type SignInput,
  VastSigner,
} from './transport.signer.ts';
import type { VastMethod, VastQueryParam } from './transport.types.ts';

interface Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
}

/** The library's answer, called with the options and request shape the transport used. */
async function smithySign(creds: Credentials, input: SignInput, now: number): Promise<SignedHeaders> {
  const signer = new SignatureV4({
    service: 's3',
    region: creds.region,
    credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const query: Record<string, string | string[]> = {};
  for (const [name, value = ''] of input.query) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: 'https:',
      hostname: input.host,
      path: input.path,
      query,
      headers: { host: input.host, 'x-amz-content-sha256': input.payloadHash },
    },
    { signingDate: new Date(now) },
  );
  return {
    host: input.host,
    'x-amz-date': signed.headers['x-amz-date'] ?? '',
    'x-amz-content-sha256': input.payloadHash,
    authorization: signed.headers.authorization ?? '',
  };
}

// Characters that stress encoding and canonicalisation: reserved and sub-delims, percent,
// spaces and tabs, slashes and dots (path segments `.`, `..`, empty), non-ASCII of 2-4 bytes.
const ALPHABET = [
  ...'abcXYZ019-._~',
  ...`!'()*`,
  ...'%&=+?#/;:,@$[] \t',
  'é',
  'ß',
  '表',
  '😀',
  '.',
  '..',
  '/',
];

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)] as T;
}

function text(rnd: () => number, max: number): string {
  const n = Math.floor(rnd() * (max + 1));
  let out = '';
  for (let i = 0; i < n; i++) out += pick(rnd, ALPHABET);
  return out;
}

function generate(rnd: () => number): SignInput {
  const method = pick<VastMethod>(rnd, ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']);
  const segments = Math.floor(rnd() * 4);
  const raw = `/${Array.from({ length: segments }, () => text(rnd, 8)).join('/')}`;
  const query: VastQueryParam[] = [];
  const names = [
    'data',
    'schema',
    'rows',
    'name',
    'table',
    'x-amz-signature',
    'X-Amz-Signature',
    text(rnd, 5),
  ];
  for (let i = Math.floor(rnd() * 5); i > 0; i--) {
    const name = pick(rnd, names);
    query.push(rnd() < 0.4 ? [name] : [name, text(rnd, 10)]);
  }
  const host = pick(rnd, ['vast.example', '10.0.0.1:8080', ' padded.example ', 'a\tb  c', 'h\r\nx', '']);
  const hash =
    rnd() < 0.8 ? payloadHash(Buffer.from(text(rnd, 20))) : pick(rnd, ['UNSIGNED-PAYLOAD', '', ' x ']);
  return { method, host, path: encodePath(raw), query, payloadHash: hash };
}

const CREDENTIALS: Credentials[] = [
  { accessKey: 'AKIAEXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: '' },
  { accessKey: 'AK', secretKey: 'secret/with+odd=chars', region: 'us-east-1' },
  { accessKey: 'ünï', secretKey: 'clé secrète 😀', region: 'vast-1' },
];

describe('VastSigner against @smithy/signature-v4', () => {
  it('signs thousands of generated requests identically', async () => {
    const rnd = random(20261123);
    let at = Date.UTC(2026, 11, 31, 23, 59, 58, 500);
    let compared = 0;
    for (const creds of CREDENTIALS) {
      let now = at;
      const signer = new VastSigner({ ...creds, now: () => now });
      for (let i = 0; i < 1500; i++) {
        // Mostly the same second (the cached date), sometimes the next seconds or days (new
        // year included), sometimes back in time (an earlier day's key must be derived again).
        const step = rnd();
        if (step < 0.5) now += Math.floor(rnd() * 300);
        else if (step < 0.8) now += Math.floor(rnd() * 5000);
        else if (step < 0.95) now += Math.floor(rnd() * 3) * 86_400_000 + Math.floor(rnd() * 1000);
        else now -= Math.floor(rnd() * 2 * 86_400_000);
        const input = generate(rnd);
        expect(signer.sign(input), JSON.stringify({ input, now })).toEqual(
          await smithySign(creds, input, now),
        );
        compared++;
      }
      at += 1_000_003;
    }
    expect(compared).toBe(4500);
  });

  it('signs the requests the engine sends identically', async () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const creds = CREDENTIALS[0] as Credentials;
    const signer = new VastSigner({ ...creds, now: () => now });
    const body = payloadHash(Buffer.from('computeir'));
    const cases: SignInput[] = [
      {
        method: 'GET',
        host: 'vast.example',
        path: '/',
        query: [['transaction']],
        payloadHash: payloadHash(undefined),
      },
      {
        method: 'GET',
        host: '10.0.0.1:8080',
        path: encodePath('/db/tams/segments'),
        query: [['data']],
        payloadHash: body,
      },
      {
        method: 'PUT',
        host: 'vast.example',
        path: encodePath('/db/tams/naïve table (1)'),
        query: [['table'], ['tabular-new-table-name', 'tams/b*c']],
        payloadHash: body,
      },
      {
        method: 'DELETE',
        host: 'vast.example',
        path: encodePath('/db/a/b'),
        query: [['rows'], ['a', '1'], ['rows'], ['a', '0']],
        payloadHash: body,
      },
    ];
    for (const input of cases) expect(signer.sign(input)).toEqual(await smithySign(creds, input, now));
  });

  it('throws as the library does on a name it cannot encode', async () => {
    const signer = new VastSigner({ ...(CREDENTIALS[0] as Credentials), now: () => 0 });
    const input: SignInput = { method: 'GET', host: 'h', path: '/', query: [['\ud800']], payloadHash: '' };
    expect(() => signer.sign(input)).toThrow(URIError);
    await expect(smithySign(CREDENTIALS[0] as Credentials, input, 0)).rejects.toThrow(URIError);
  });
});
