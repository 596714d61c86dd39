import { EndpointPool } from './transport.endpoints.ts';
import {
  type EndpointFailure,
  VastConnectionError,
  VastHttpError,
  VastUnavailableError,
  vastHttpError,
} from './transport.errors.ts';
import { type ConnectionOptions, EndpointConnection, type RawResponse } from './transport.http.ts';
import {
  backoffDelay,
  DEFAULT_RETRY,
  type RetryOptions,
  realTimers,
  retryDecision,
  type Timers,
} from './transport.retry.ts';
import { encodePath, encodeQuery, payloadHash, VastSigner } from './transport.signer.ts';
import type { VastRequest, VastResponse, VastStreamResponse } from './transport.types.ts';

export interface VastTransportOptions {
  /** Endpoint URLs (`http(s)://host[:port]`), VAST's VIPs; used in turn. */
  readonly endpoints: readonly string[];
  readonly accessKey: string;
  readonly secretKey: string;
  /** SigV4 region; default '' as VAST's Python SDK signs (transport.config.ts says why). */
  readonly region?: string;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly connectionsPerEndpoint?: number;
  /** PEM CA certificates for https endpoints. */
  readonly ca?: string | Buffer;
  /** Skip certificate verification (explicit, for test clusters only). */
  readonly insecure?: boolean;
  readonly retry?: Partial<RetryOptions>;
  /** How long an endpoint that failed to connect is skipped. */
  readonly cooldownMs?: number;
  readonly timers?: Partial<Timers>;
}

/** Headers the transport sets itself: the caller's of the same names are left out. */
const OWN_HEADERS = new Set([
  'host',
  'x-amz-date',
  'x-amz-content-sha256',
  'authorization',
  'user-agent',
  'content-length',
]);

/** Error bodies are small XML documents; a larger one is cut here. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * The HTTP client of VAST DataBase's tabular API: signs each request (SigV4), sends it over
 * keep-alive connections to several endpoints in turn, retries what may be retried, and turns
 * VAST's XML errors into VastHttpError. A call that finds no endpoint able to serve it throws
 * VastUnavailableError (a DbUnavailableError: the API answers 503).
 */
export class VastTransport {
  private readonly pool: EndpointPool<EndpointConnection>;
  private readonly signer: VastSigner;
  private readonly retry: RetryOptions;
  private readonly timers: Timers;
  /** Encoded paths by path (a few dozen tables). */
  private readonly paths = new Map<string, string>();

  constructor(options: VastTransportOptions) {
    this.timers = { ...realTimers, ...options.timers };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    const connection: ConnectionOptions = {
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 15_000,
      maxConnections: options.connectionsPerEndpoint ?? 16,
      ca: options.ca,
      insecure: options.insecure,
    };
    const endpoints = options.endpoints.map((e) => new EndpointConnection(new URL(e), connection));
    this.pool = new EndpointPool(endpoints, {
      cooldownMs: options.cooldownMs ?? 5_000,
      now: this.timers.now,
    });
    this.signer = new VastSigner({
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region ?? '',
      now: this.timers.now,
    });
  }

  /** Sends the request and reads the whole answer. Non-200 answers are thrown. */
  async request(req: VastRequest): Promise<VastResponse> {
    return this.exchange(req, async (raw, endpoint) => ({
      status: raw.status,
      headers: raw.headers,
      body: await raw.readAll(),
      endpoint,
    }));
  }

  /**
   * Sends the request and hands the answer over as it arrives (QueryData). Retries end once the
   * status line is in: failures while reading are thrown to the reader, who resumes (QueryData
   * from its cursors).
   */
  async stream(req: VastRequest): Promise<VastStreamResponse> {
    return this.exchange(req, async (raw, endpoint) => ({
      status: raw.status,
      headers: raw.headers,
      body: raw.body,
      endpoint,
    }));
  }

  /** Closes every connection. Calls under way fail. */
  close(): void {
    for (const endpoint of this.pool.endpoints) endpoint.close();
  }

  private async exchange<T>(
    req: VastRequest,
    take: (raw: RawResponse, endpoint: string) => Promise<T>,
  ): Promise<T> {
    const body = req.body === undefined ? [] : req.body instanceof Uint8Array ? [req.body] : req.body;
    const length = body.reduce((n, c) => n + c.byteLength, 0);
    let path = this.paths.get(req.path);
    if (path === undefined) {
      if (this.paths.size >= 1024) this.paths.clear();
      path = encodePath(req.path);
      this.paths.set(req.path, path);
    }
    const query = req.query ?? [];
    const target = query.length > 0 ? `${path}?${encodeQuery(query)}` : path;
    const hash = payloadHash(req.body);
    const idempotent = req.idempotent === true;
    const started = this.timers.now();
    // Endpoints that refused this call: it goes to the others before anything waits.
    const refused = new Set<EndpointConnection>();
    const failures: EndpointFailure[] = [];
    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      const endpoint = this.pool.next(refused);
      if (endpoint === undefined) throw this.unavailable(failures);
      let error: unknown;
      try {
        const signed = this.signer.sign({
          method: req.method,
          host: endpoint.host,
          path,
          query,
          payloadHash: hash,
        });
        // A flat name/value list: node:http then writes it as given, without its per-header
        // bookkeeping (setHeader, a lower-cased map), ~10% of its CPU per request.
        const headers: string[] = [];
        const own = req.headers;
        if (own !== undefined) {
          for (const name in own) if (!OWN_HEADERS.has(name)) headers.push(name, own[name] as string);
        }
        headers.push(
          'host',
          signed.host,
          'x-amz-date',
          signed['x-amz-date'],
          'x-amz-content-sha256',
          signed['x-amz-content-sha256'],
          'authorization',
          signed.authorization,
          'user-agent',
          'tams-server',
        );
        if (length > 0 || req.method === 'POST' || req.method === 'PUT')
          headers.push('content-length', String(length));
        if (req.tries !== undefined) req.tries.sent++;
        const raw = await endpoint.send({ method: req.method, target, headers, body, signal: req.signal });
        this.pool.markUp(endpoint);
        if (raw.status === 200) return await take(raw, endpoint.origin);
        const errorBody = await raw.readAll(MAX_ERROR_BODY);
        error = vastHttpError(raw.status, raw.headers, errorBody, req.method, req.path);
      } catch (caught) {
        if (req.tries !== undefined && caught instanceof VastConnectionError && !caught.sent)
          req.tries.sent--;
        if (req.signal?.aborted) throw req.signal.reason;
        error = caught;
      }
      const decision = retryDecision(error, idempotent);
      if (error instanceof VastConnectionError)
        failures.push({ endpoint: error.endpoint, reason: error.reason });
      if (decision === 'next_endpoint' && error instanceof VastConnectionError) {
        this.pool.markDown(endpoint, error.reason);
        refused.add(endpoint);
        if (attempt < this.retry.maxAttempts) continue;
        throw this.unavailable(failures, error);
      }
      if (decision === 'backoff') {
        const delay = backoffDelay(attempt, this.retry, this.timers.random());
        const inBudget = this.timers.now() + delay - started <= this.retry.maxTotalMs;
        if (attempt < this.retry.maxAttempts && inBudget) {
          await this.timers.sleep(delay, req.signal);
          continue;
        }
      }
      throw this.final(error, failures);
    }
  }

  /** The error a call ends with once it is not retried (again). */
  private final(error: unknown, failures: readonly EndpointFailure[]): unknown {
    if (error instanceof VastHttpError && error.status === 503) {
      const why =
        error.kind === 'slow_down' ? 'the cluster asks clients to slow down' : 'the cluster answered 503';
      return new VastUnavailableError(why, failures, 1, { cause: error });
    }
    if (error instanceof VastConnectionError) {
      return new VastUnavailableError(`${error.reason} during the call`, failures, 1, { cause: error });
    }
    return error;
  }

  private unavailable(failures: readonly EndpointFailure[], cause?: unknown): VastUnavailableError {
    const down = failures.length > 0 ? failures : this.pool.down();
    const reasons = [...new Set(down.map((f) => f.reason))].join(', ') || 'no endpoint usable';
    const wait = this.pool.msUntilUsable();
    const retryAfter = Math.max(1, Math.ceil((Number.isFinite(wait) ? wait : 1000) / 1000));
    return new VastUnavailableError(
      `no endpoint could be reached (${this.pool.endpoints.length} tried or cooling down: ${reasons})`,
      down,
      retryAfter,
      { cause },
    );
  }
}
