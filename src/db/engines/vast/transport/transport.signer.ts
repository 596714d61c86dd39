import { createHash } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { VastMethod, VastQueryParam } from './transport.types.ts';

/** SHA-256 of no bytes, the payload hash of a request without a body. */
export const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Hex SHA-256 of a body given whole or in chunks. Chunks are fed to one hash in turn: a body of
 * many Arrow messages is never copied into one buffer to be hashed.
 */
export function payloadHash(body: Uint8Array | readonly Uint8Array[] | undefined): string {
  if (body === undefined) return EMPTY_PAYLOAD_HASH;
  const hash = createHash('sha256');
  for (const chunk of body instanceof Uint8Array ? [body] : body) hash.update(chunk);
  return hash.digest('hex');
}

/** RFC 3986 encoding: every byte but the unreserved `A-Za-z0-9-._~` (what SigV4 asks for). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `/bucket/schema/table` with each segment encoded, as it goes on the request line. */
export function encodePath(path: string): string {
  if (!path.startsWith('/')) throw new Error(`VAST path must start with '/' (got ${JSON.stringify(path)})`);
  return path.split('/').map(uriEncode).join('/');
}

/**
 * The query string as VAST's clients write it: in the given order, valueless parameters bare
 * (`schema`, not `schema=`), names and values strictly encoded so that the line sent is already
 * in SigV4's canonical encoding (a server that signs the raw line and one that re-encodes the
 * decoded parameters then compute the same canonical query).
 */
export function encodeQuery(query: readonly VastQueryParam[]): string {
  return query
    .map((p) => (p.length === 1 ? uriEncode(p[0]) : `${uriEncode(p[0])}=${uriEncode(p[1])}`))
    .join('&');
}

export interface SignerOptions {
  readonly accessKey: string;
  readonly secretKey: string;
  /** The credential scope's region; '' as VAST's Python SDK signs (see transport.config.ts). */
  readonly region: string;
  /** Milliseconds since the epoch (tests pin the signing time). */
  readonly now?: () => number;
}

export interface SignInput {
  readonly method: VastMethod;
  /** `host[:port]` exactly as the Host header carries it (no port for 80/443). */
  readonly host: string;
  /** The encoded path (encodePath). */
  readonly path: string;
  readonly query: readonly VastQueryParam[];
  /** Hex SHA-256 of the body (payloadHash), sent as `x-amz-content-sha256`. */
  readonly payloadHash: string;
}

/** The headers a signed request carries; add the `tabular-*` ones beside them (unsigned). */
export interface SignedHeaders {
  readonly host: string;
  readonly 'x-amz-date': string;
  readonly 'x-amz-content-sha256': string;
  readonly authorization: string;
}

/**
 * AWS SigV4 (service `s3`) with the signer the AWS SDK itself uses. Signed headers: `host`,
 * `x-amz-content-sha256` and `x-amz-date`, as VAST's Java client signs (AWS4Signer); the Python
 * SDK signs only `host;x-amz-date`, the body hash besides: signing it too binds the body. The
 * path is encoded a second time in the canonical request, as both of VAST's clients do (Python's
 * aws_requests_auth quotes the sent path; Java's AWS4Signer double-encodes by default): the same
 * for every name of plain characters, and the reference clients' choice where it differs.
 */
export class VastSigner {
  private readonly signer: SignatureV4;
  private readonly now: () => number;

  constructor(options: SignerOptions) {
    this.now = options.now ?? Date.now;
    this.signer = new SignatureV4({
      service: 's3',
      region: options.region,
      credentials: { accessKeyId: options.accessKey, secretAccessKey: options.secretKey },
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: true,
      applyChecksum: false,
    });
  }

  async sign(input: SignInput): Promise<SignedHeaders> {
    const query: Record<string, string | string[]> = {};
    for (const [name, value = ''] of input.query) {
      const seen = query[name];
      // Repeated names sign as SigV4 sorts them: every value, in order.
      query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
    const signed = await this.signer.sign(
      {
        method: input.method,
        protocol: 'https:',
        hostname: input.host,
        // The signer reads the already-encoded path; it decodes nothing.
        path: input.path,
        query,
        headers: { host: input.host, 'x-amz-content-sha256': input.payloadHash },
      },
      { signingDate: new Date(this.now()) },
    );
    const h = signed.headers;
    return {
      host: input.host,
      'x-amz-date': h['x-amz-date'] ?? '',
      'x-amz-content-sha256': input.payloadHash,
      authorization: h.authorization ?? '',
    };
  }
}
