/**
 * The fake VAST server's check of AWS Signature Version 4 (header form), written from AWS's
 * description of the algorithm with node:crypto alone, so that the engine's signer (VastSigner on
 * src/common/sigv4.ts) is checked by a second, independent implementation.
 *
 * Canonical URI: the path as received, URI-encoded once more (a `%` becomes `%25`), which is
 * what VAST's clients sign (Python aws_requests_auth quotes the sent path, Java's AWS4Signer
 * double-encodes by default). Canonical query: parameters decoded and re-encoded strictly,
 * sorted by name then value, valueless ones as `name=`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SigV4Failure =
  | 'AccessDenied'
  | 'AuthorizationHeaderMalformed'
  | 'InvalidAccessKeyId'
  | 'SignatureDoesNotMatch'
  | 'RequestTimeTooSkewed'
  | 'XAmzContentSHA256Mismatch';

export type SigV4Result =
  | { readonly ok: true; readonly accessKey: string }
  | { readonly ok: false; readonly status: 400 | 403; readonly code: SigV4Failure; readonly message: string };

export interface SigV4Request {
  readonly method: string;
  /** The request target as received: raw path and query (`/b/s/t?rows`). */
  readonly target: string;
  /** Header names in lower case (as node:http gives them). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: Uint8Array;
}

export interface SigV4Options {
  /** Access key -> secret key. */
  readonly keys: ReadonlyMap<string, string>;
  /** Milliseconds since the epoch, for the skew check. */
  readonly now: number;
  /** Largest accepted clock difference (S3: 15 minutes). */
  readonly maxSkewMs?: number;
  /** Only this region is accepted in the credential scope; any when absent. */
  readonly region?: string;
}

const UNSIGNED = 'UNSIGNED-PAYLOAD';

function encode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

export function canonicalUri(rawPath: string): string {
  return rawPath === '' ? '/' : rawPath.split('/').map(encode).join('/');
}

export function canonicalQuery(rawQuery: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([encode(decode(name)), encode(decode(value))]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function headerValue(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const joined = typeof value === 'string' ? value : value.join(',');
  return joined.trim().replace(/\s+/g, ' ');
}

/** `20150830T123600Z` -> milliseconds, or NaN. */
function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

function fail(status: 400 | 403, code: SigV4Failure, message: string): SigV4Result {
  return { ok: false, status, code, message };
}

/**
 * The derived signing key of a day, region and service: four HMACs, the same for every request of
 * the day, so kept (as AWS's own signers keep it) rather than derived for each request.
 */
const signingKeys = new Map<string, Buffer>();
function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${secret}\n${day}\n${region}\n${service}`;
  let key = signingKeys.get(id);
  if (key === undefined) {
    key = hmac(`AWS4${secret}`, day);
    for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
    if (signingKeys.size >= 64) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

/** Checks the request's `Authorization` header; the S3 error code when it does not hold. */
export function verifySigV4(req: SigV4Request, options: SigV4Options): SigV4Result {
  const auth = headerValue(req.headers.authorization);
  if (auth === undefined) return fail(403, 'AccessDenied', 'Anonymous access is not allowed');
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
    auth,
  );
  if (!m) return fail(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed');
  const [, credential = '', signedList = '', signature = ''] = m;
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    return fail(400, 'AuthorizationHeaderMalformed', 'The credential is malformed');
  }
  const [accessKey = '', day = '', region = '', service = ''] = scope;
  const secret = options.keys.get(accessKey);
  if (secret === undefined) return fail(403, 'InvalidAccessKeyId', 'The access key does not exist');
  if (service !== 's3' || (options.region !== undefined && region !== options.region)) {
    return fail(
      400,
      'AuthorizationHeaderMalformed',
      `The credential scope ${day}/${region}/${service} is wrong`,
    );
  }
  const amzDate = headerValue(req.headers['x-amz-date']) ?? '';
  const at = parseAmzDate(amzDate);
  if (Number.isNaN(at) || amzDate.slice(0, 8) !== day) {
    return fail(403, 'AccessDenied', 'x-amz-date is missing or does not match the credential scope');
  }
  if (Math.abs(options.now - at) > (options.maxSkewMs ?? 15 * 60_000)) {
    return fail(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the server time is too large',
    );
  }
  const bodyHash = sha256Hex(req.body);
  const declared = headerValue(req.headers['x-amz-content-sha256']);
  if (declared !== undefined && declared !== UNSIGNED && declared !== bodyHash) {
    return fail(400, 'XAmzContentSHA256Mismatch', 'The x-amz-content-sha256 header does not match the body');
  }
  const names = signedList.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) {
    return fail(403, 'SignatureDoesNotMatch', 'host and x-amz-date must be signed');
  }
  const lines: string[] = [];
  for (const name of names) {
    const value = headerValue(req.headers[name]);
    if (value === undefined) return fail(403, 'SignatureDoesNotMatch', `signed header ${name} is missing`);
    lines.push(`${name}:${value}\n`);
  }
  const q = req.target.indexOf('?');
  const rawPath = q < 0 ? req.target : req.target.slice(0, q);
  const rawQuery = q < 0 ? '' : req.target.slice(q + 1);
  const canonicalRequest = [
    req.method,
    canonicalUri(rawPath),
    canonicalQuery(rawQuery),
    lines.join(''),
    signedList,
    declared ?? bodyHash,
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${day}/${region}/${service}/aws4_request`,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const key = signingKey(secret, day, region, service);
  const expected = Buffer.from(createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided',
    );
  }
  return { ok: true, accessKey };
}
