/**
 * The request and response shapes of the VAST transport (transport.client.ts `VastTransport`).
 * The engine speaks only these; URLs, signing, connections, endpoints and retries stay below.
 */

export type VastMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/**
 * One query parameter in the order it is sent. `[name]` alone is a valueless parameter: VAST's
 * commands are written `?schema`, `?rows`, `?data&name=x` on the request line (and signed as
 * `schema=`, as SigV4 canonicalises them).
 */
export type VastQueryParam = readonly [name: string] | readonly [name: string, value: string];

export interface VastRequest {
  readonly method: VastMethod;
  /**
   * Unencoded names joined by `/`: `/{bucket}/{schema}/{table}`, or `/` for `?transaction`.
   * Each segment is percent-encoded by the transport; nested schema names keep their `/`.
   */
  readonly path: string;
  readonly query?: readonly VastQueryParam[];
  /** The `tabular-*` headers (sent, not signed, as VAST's own clients do). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The body, whole or as chunks (an Arrow IPC stream's messages): chunks are hashed and written
   * one after the other, never joined into a second copy. A select is a GET with a body.
   */
  readonly body?: Uint8Array | readonly Uint8Array[];
  /**
   * The call may be replayed after it may have reached the server (a select, a list, a stats
   * read, a keep-alive). Default false: a dropped connection or a 503 then fails the call, since
   * VAST may have applied it. A refused connection is always retried on another endpoint: the
   * request was never sent.
   */
  readonly idempotent?: boolean;
  readonly signal?: AbortSignal;
  /**
   * Counts the tries that may have reached the server (sent, answered or cut after sending):
   * the caller of an idempotent call can tell an answer to a resend from one to its first try.
   */
  readonly tries?: { sent: number };
}

/** Response headers, lower-case names; repeated headers joined with `, `. */
export type VastHeaders = Readonly<Record<string, string>>;

export interface VastResponse {
  /** Always 200: any other status is thrown as a VastHttpError (transport.errors.ts). */
  readonly status: number;
  readonly headers: VastHeaders;
  readonly body: Uint8Array;
  /** The endpoint that answered (its origin, e.g. `https://10.0.0.1`). */
  readonly endpoint: string;
}

export interface VastStreamResponse {
  readonly status: number;
  readonly headers: VastHeaders;
  /**
   * The body as it arrives (QueryData responses run to many MB). Consume it to the end or break
   * out of the loop: breaking closes the connection instead of returning it to the pool.
   */
  readonly body: AsyncIterable<Uint8Array>;
  readonly endpoint: string;
}
