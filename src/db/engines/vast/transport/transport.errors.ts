import { DbUnavailableError } from '../../../db.errors.ts';
import type { VastHeaders } from './transport.types.ts';

/** The name API clients and operators see for this backend. */
export const VAST_BACKEND = 'VAST DataBase';

/**
 * What a non-200 answer means, after VAST's Python SDK (vastdb/errors.py): one kind per status,
 * `slow_down` for 503 SlowDown (the retried one), `unsupported_column_type` for the code
 * TabularUnsupportedColumnType whatever the status.
 */
export type VastErrorKind =
  | 'bad_request'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'conflict'
  | 'internal'
  | 'not_implemented'
  | 'unavailable'
  | 'slow_down'
  | 'insufficient_capacity'
  | 'unsupported_column_type'
  | 'unexpected';

const BY_STATUS: Readonly<Record<number, VastErrorKind>> = {
  400: 'bad_request',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  500: 'internal',
  501: 'not_implemented',
  503: 'unavailable',
  507: 'insufficient_capacity',
};

/** What a 404 says is missing, when its code tells (codes as S3 and VAST's SDK name them). */
export type VastMissing = 'bucket' | 'schema' | 'table';
const MISSING: Readonly<Record<string, VastMissing>> = {
  NoSuchBucket: 'bucket',
  MissingBucket: 'bucket',
  NoSuchSchema: 'schema',
  MissingSchema: 'schema',
  NoSuchTable: 'table',
  MissingTable: 'table',
};

/** VAST answered with a status other than 200: its S3-style XML error, typed. */
export class VastHttpError extends Error {
  readonly kind: VastErrorKind;
  /** For a 404, what is missing when the code says so. */
  readonly missing: VastMissing | undefined;

  constructor(
    readonly status: number,
    /** `<Code>`; '' when the body had none. */
    readonly code: string,
    /** `<Message>`; '' when the body had none. */
    readonly vastMessage: string,
    /** `<RequestId>` or the `x-amz-request-id` header: what VAST support asks for. */
    readonly requestId: string,
    /** `<Resource>`, else the request path. */
    readonly resource: string,
    readonly method: string,
    /** The answer's headers (`server` names VAST and its version even on a refusal). */
    readonly headers: VastHeaders = {},
  ) {
    super(`VAST ${method} ${resource}: ${status} ${code || 'error'}${vastMessage ? `: ${vastMessage}` : ''}`);
    this.name = 'VastHttpError';
    this.kind =
      code === 'TabularUnsupportedColumnType'
        ? 'unsupported_column_type'
        : status === 503 && code === 'SlowDown'
          ? 'slow_down'
          : (BY_STATUS[status] ?? 'unexpected');
    this.missing = status === 404 ? MISSING[code] : undefined;
  }

  /** 503 (SlowDown or not): the server is alive but refuses work for now. */
  get retryable(): boolean {
    return this.status === 503;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** The text of `<name>` directly in the `<Error>` document; '' when absent. */
function element(xml: string, name: string): string {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m?.[1] === undefined ? '' : unescapeXml(m[1].trim());
}

/**
 * The typed error of a non-200 answer. The body is read as `<Error><Code/><Message/>
 * <Resource/><RequestId/></Error>`; a body that is not such XML leaves code and message empty
 * (as the Python SDK does), never fails the parse.
 */
export function vastHttpError(
  status: number,
  headers: VastHeaders,
  body: Uint8Array,
  method: string,
  path: string,
): VastHttpError {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const xml = /<Error[\s>]/.test(text) ? text : '';
  return new VastHttpError(
    status,
    element(xml, 'Code'),
    element(xml, 'Message'),
    element(xml, 'RequestId') || (headers['x-amz-request-id'] ?? ''),
    element(xml, 'Resource') || path,
    method,
    headers,
  );
}

/**
 * The connection to one endpoint failed. `sent` false: it failed before the request could leave
 * (refused, unreachable, connect timeout, TLS handshake), so sending it elsewhere is safe;
 * true: VAST may have received it (reset, timeout while waiting for the answer).
 */
export class VastConnectionError extends Error {
  constructor(
    readonly endpoint: string,
    readonly sent: boolean,
    /** Short, client-safe: 'connection refused', 'connect timeout', 'connection reset'... */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`VAST endpoint ${endpoint}: ${reason}`, options);
    this.name = 'VastConnectionError';
  }
}

export interface EndpointFailure {
  readonly endpoint: string;
  readonly reason: string;
}

/**
 * No endpoint could serve the call. Extends the engine-neutral DbUnavailableError, so the HTTP
 * layer answers 503 without knowing VAST; `failures` names each endpoint and why (for logs).
 */
export class VastUnavailableError extends DbUnavailableError {
  constructor(
    reason: string,
    readonly failures: readonly EndpointFailure[],
    retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(
      VAST_BACKEND,
      reason,
      retryAfterSeconds,
      failures.map((f) => `${f.endpoint}: ${f.reason}`).join('; '),
    );
    this.name = 'VastUnavailableError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
