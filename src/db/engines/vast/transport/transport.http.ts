import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { VastConnectionError } from './transport.errors.ts';
import type { VastHeaders } from './transport.types.ts';

export interface ConnectionOptions {
  /** Longest wait for a new connection (TCP and TLS) to open. */
  readonly connectTimeoutMs: number;
  /** Longest silence on a connection in use (sending, waiting for or reading the answer). */
  readonly requestTimeoutMs: number;
  /** How long an unused keep-alive connection stays open. */
  readonly idleTimeoutMs: number;
  /** Connections to one endpoint at most; further requests queue for one. */
  readonly maxConnections: number;
  /** PEM certificates trusted for https endpoints (besides none: they replace Node's list). */
  readonly ca?: string | Buffer;
  /** Accept any certificate (test clusters with self-signed ones): explicit, never a default. */
  readonly insecure?: boolean;
}

export interface RawRequest {
  readonly method: string;
  /** Encoded path and query, as on the request line. */
  readonly target: string;
  /** Names and values in turn, sent as they are (with `host` and `content-length` among them). */
  readonly headers: readonly string[];
  readonly body: readonly Uint8Array[];
  readonly signal?: AbortSignal;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: VastHeaders;
  /** The body as it arrives; errors while reading it are VastConnectionErrors (sent). */
  readonly body: AsyncIterable<Uint8Array>;
  /** The whole body, at most `limit` bytes of it kept (the rest is read and dropped). */
  readAll(limit?: number): Promise<Uint8Array>;
}

const NOT_SENT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
};

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return NOT_SENT[code] ?? (code === 'ECONNRESET' ? 'connection reset' : code);
  return error instanceof Error ? error.message : String(error);
}

function flatten(headers: IncomingMessage['headers']): VastHeaders {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Chunks queued unread before the socket is paused (a consumer slower than the network). */
const HIGH_WATER = 16;

/**
 * The body of one answer, read with 'data' listeners into a small queue rather than through the
 * stream's generic async iterator (whose per-chunk promises, end-of-stream helper and listener
 * churn cost tens of microseconds per round trip). Iterated once, or read whole.
 */
class Body implements AsyncIterable<Uint8Array> {
  private readonly chunks: Buffer[] = [];
  private failure: unknown = null;
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly res: IncomingMessage,
    private readonly connection: EndpointConnection,
    private readonly signal: AbortSignal | undefined,
  ) {
    res.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      if (this.chunks.length >= HIGH_WATER) res.pause();
      this.notify();
    });
    res.on('end', () => this.finish(null));
    res.on('error', (error) => this.finish(error));
    // A socket closed before the end of the body: no 'end' (and not always an 'error').
    res.on('close', () => this.finish(null));
  }

  private finish(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== null) this.failure = this.typed(error);
    else if (!this.res.complete) {
      this.failure = new VastConnectionError(this.connection.origin, true, 'connection closed mid-answer');
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private typed(error: unknown): unknown {
    if (this.signal?.aborted) return this.signal.reason;
    if (error instanceof VastConnectionError) return error;
    return new VastConnectionError(this.connection.origin, true, reasonOf(error), { cause: error });
  }

  async readAll(limit = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
    const kept: Buffer[] = [];
    let size = 0;
    for await (const chunk of this) {
      if (size >= limit) continue;
      kept.push(chunk as Buffer);
      size += chunk.byteLength;
    }
    return kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept, size);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        for (;;) {
          const chunk = this.chunks.shift();
          if (chunk !== undefined) {
            if (this.chunks.length === 0 && this.res.isPaused()) this.res.resume();
            return { value: chunk, done: false };
          }
          if (this.failure !== null) throw this.failure;
          if (this.ended) return { value: undefined, done: true };
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
        }
      },
      // Left before the end (a break, an error in the loop): the connection cannot be reused.
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        if (!this.ended) this.res.destroy();
        return { value: undefined, done: true };
      },
    };
  }
}

/** Keep-alive connections to one VAST endpoint (a VIP), over node:http or node:https. */
export class EndpointConnection {
  /** `scheme://host[:port]`, the endpoint's name in errors and logs (no path, no credentials). */
  readonly origin: string;
  /** The Host header (and what SigV4 signs): no port when it is the scheme's default. */
  readonly host: string;
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  constructor(
    readonly url: URL,
    private readonly options: ConnectionOptions,
  ) {
    this.origin = url.origin;
    this.host = url.host;
    this.secure = url.protocol === 'https:';
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxConnections,
      // Applies to idle pooled sockets: the agent closes them after this long unused.
      timeout: options.idleTimeoutMs,
    };
    this.agent = this.secure
      ? new https.Agent({ ...agentOptions, ca: options.ca, rejectUnauthorized: options.insecure !== true })
      : new http.Agent(agentOptions);
  }

  /** Sends one request; resolves once the status line and headers are in. */
  send(req: RawRequest): Promise<RawResponse> {
    const client = this.secure ? https : http;
    return new Promise<RawResponse>((resolve, reject) => {
      // False until the connection is open: an error before that means nothing left this host.
      let connected = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const request = client.request({
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: this.url.port,
        method: req.method,
        path: req.target,
        headers: req.headers as string[],
        agent: this.agent,
        signal: req.signal,
      });
      const onError = (error: unknown) => {
        clearTimeout(connectTimer);
        if (req.signal?.aborted) return reject(req.signal.reason);
        if (error instanceof VastConnectionError) return reject(error);
        reject(new VastConnectionError(this.origin, connected, reasonOf(error), { cause: error }));
      };
      request.on('socket', (socket: Socket) => {
        // A pooled connection is open already; a new one is still connecting (always async).
        if (!socket.connecting) {
          connected = true;
          return;
        }
        connectTimer = setTimeout(() => {
          request.destroy(new VastConnectionError(this.origin, false, 'connect timeout'));
        }, this.options.connectTimeoutMs);
        socket.once(this.secure ? 'secureConnect' : 'connect', () => {
          connected = true;
          clearTimeout(connectTimer);
        });
      });
      request.setTimeout(this.options.requestTimeoutMs, () => {
        request.destroy(new VastConnectionError(this.origin, connected, 'timeout waiting for the server'));
      });
      request.on('error', onError);
      request.on('response', (res: IncomingMessage) => {
        clearTimeout(connectTimer);
        request.off('error', onError);
        // Errors raised on the request once the answer began (a timeout) end the body.
        request.on('error', (error) => res.destroy(error));
        const body = new Body(res, this, req.signal);
        resolve({
          status: res.statusCode ?? 0,
          headers: flatten(res.headers),
          body,
          readAll: (limit) => body.readAll(limit),
        });
      });
      const chunks = req.body;
      if (chunks.length === 1) request.end(chunks[0]);
      else {
        for (const chunk of chunks) request.write(chunk);
        request.end();
      }
    });
  }

  /** Closes every connection, idle or not. */
  close(): void {
    this.agent.destroy();
  }
}
