import { createHash, hash as oneShotHash } from 'node:crypto';
import {
  canonicalHeaderValue,
  canonicalPath,
  canonicalQuery,
  SIGV4_ALGORITHM,
  SigV4Signer,
  uriEncode,
} from '../../../../common/sigv4.ts';
import type { VastMethod, VastQueryParam } from './transport.types.ts';

/** SHA-256 of no bytes, the payload hash of a request without a body. */
export const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Hex SHA-256 of a body given whole or in chunks. Chunks are fed to one hash in turn: a body of
 * many Arrow messages is never copied into one buffer to be hashed.
 */
export function payloadHash(body: Uint8Array | readonly Uint8Array[] | undefined): string {
  if (body === undefined) return EMPTY_PAYLOAD_HASH;
  // One call for a whole body (no Hash object): half the cost for the small bodies of the hot path.
  if (body instanceof Uint8Array) return oneShotHash('sha256', body, 'hex');
  if (body.length === 1) return oneShotHash('sha256', body[0] as Uint8Array, 'hex');
  const hash = createHash('sha256');
  for (const chunk of body instanceof Uint8Array ? [body] : body) hash.update(chunk);
  return hash.digest('hex');
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

const SIGNED_HEADERS = 'host;x-amz-content-sha256;x-amz-date';
/** Canonical paths kept at most (one per table the engine uses, in practice a few dozen). */
const PATH_CACHE = 1024;

/**
 * AWS SigV4 (service `s3`) for VAST's tabular API. Signed headers: `host`,
 * `x-amz-content-sha256` and `x-amz-date`, as VAST's Java client signs (AWS4Signer); the Python
 * SDK signs only `host;x-amz-date`, the body hash besides: signing it too binds the body. The
 * path is encoded a second time in the canonical request, as both of VAST's clients do (Python's
 * aws_requests_auth quotes the sent path; Java's AWS4Signer double-encodes by default): the same
 * for every name of plain characters, and the reference clients' choice where it differs.
 *
 * The SigV4 itself is common/sigv4.ts, which replaced the AWS SDK's signer
 * (@smithy/signature-v4): that one is generic (request cloning, header filtering, an HMAC of the
 * credentials on every call to find its key cache, four awaits) and cost ~35 µs per request, a
 * few percent of the server's CPU per VAST round trip. With the date formatted once per second,
 * the signing key derived once per day and the canonical path of each table kept, a request
 * costs a SHA-256 of the canonical request and an HMAC of the string to sign, synchronously.
 * transport.signer.test.ts proves it identical to @smithy/signature-v4 on thousands of generated
 * requests.
 */
export class VastSigner {
  private readonly now: () => number;
  private readonly accessKey: string;
  private readonly signer: SigV4Signer;
  private readonly paths = new Map<string, string>();

  constructor(options: SignerOptions) {
    this.now = options.now ?? Date.now;
    this.accessKey = options.accessKey;
    this.signer = new SigV4Signer({
      secretAccessKey: options.secretKey,
      region: options.region,
      service: 's3',
    });
  }

  sign(input: SignInput): SignedHeaders {
    const instant = this.signer.at(this.now());
    let path = this.paths.get(input.path);
    if (path === undefined) {
      if (this.paths.size >= PATH_CACHE) this.paths.clear();
      path = canonicalPath(input.path);
      this.paths.set(input.path, path);
    }
    // The header's value is canonicalised; the request's last line is the hash as given.
    const signature = instant.sign(
      `${input.method}\n${path}\n${canonicalQuery(input.query)}\n` +
        `host:${canonicalHeaderValue(input.host)}\nx-amz-content-sha256:${canonicalHeaderValue(input.payloadHash)}\n` +
        `x-amz-date:${instant.longDate}\n\n${SIGNED_HEADERS}\n${input.payloadHash}`,
    );
    return {
      host: input.host,
      'x-amz-date': instant.longDate,
      'x-amz-content-sha256': input.payloadHash,
      authorization: `${SIGV4_ALGORITHM} Credential=${this.accessKey}/${instant.scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
    };
  }
}
