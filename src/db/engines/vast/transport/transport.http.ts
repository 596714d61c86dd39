import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
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
  readonly headers: OutgoingHttpHeaders;
  readonly body: readonly Uint8Array[];
  readonly signal?: AbortSignal;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: VastHeaders;
  /** The body as it arrives; errors while reading it are VastConnectionErrors (sent). */
  readonly body: AsyncIterable<Uint8Array>;
  /** Drops the connection (a body no one will read). */
  discard(): void;
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
      const fail = (error: unknown) => {
        clearTimeout(connectTimer);
        if (req.signal?.aborted) return reject(req.signal.reason);
        if (error instanceof VastConnectionError) return reject(error);
        reject(new VastConnectionError(this.origin, connected, reasonOf(error), { cause: error }));
      };
      const request = client.request({
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: this.url.port,
        method: req.method,
        path: req.target,
        headers: req.headers,
        agent: this.agent,
        signal: req.signal,
      });
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
      request.on('error', fail);
      request.on('response', (res) => {
        clearTimeout(connectTimer);
        request.off('error', fail);
        // Errors raised on the request once the answer began (a timeout) end the body.
        request.on('error', (error) => res.destroy(error));
        resolve({
          status: res.statusCode ?? 0,
          headers: flatten(res.headers),
          body: this.read(res, req.signal),
          discard: () => res.destroy(),
        });
      });
      for (const chunk of req.body) request.write(chunk);
      request.end();
    });
  }

  /** The response as an async iterable whose failures are typed like the send's. */
  private async *read(res: IncomingMessage, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of res) yield chunk as Buffer;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof VastConnectionError) throw error;
      throw new VastConnectionError(this.origin, true, reasonOf(error), { cause: error });
    }
    if (!res.complete) throw new VastConnectionError(this.origin, true, 'connection closed mid-answer');
  }

  /** Closes every connection, idle or not. */
  close(): void {
    this.agent.destroy();
  }
}
