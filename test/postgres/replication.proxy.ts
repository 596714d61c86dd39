/**
 * A counting HTTP proxy in the test process, in front of a server on a loopback port: every
 * request is forwarded as it came (method, path, headers, body) and recorded with its answer, so
 * a test counts what a client asked of the server behind it, media GETs above all, and can act
 * the moment a given one arrives. It forwards to a port, not to a process: the server behind it
 * may be stopped and started again on that port, and meanwhile the proxy answers 502 as a load
 * balancer would.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request through the proxy. */
export interface Proxied {
  method: string;
  /** The path without its query (a presigned URL's signature changes, the object does not). */
  path: string;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** The status answered: the server's, or 502 when it could not be reached. */
  status?: number;
  /** The whole answer was handed to the client's connection. */
  complete: boolean;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export function isMediaGet(r: Proxied): boolean {
  return r.method === 'GET' && r.path.startsWith('/media/');
}

export class CountingProxy {
  /** Every request so far, in arrival order. */
  readonly requests: Proxied[] = [];
  private server: Server | undefined;
  private port = 0;
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  private constructor(private readonly target: number) {}

  /** A proxy on a free loopback port forwarding to 127.0.0.1:`target`. */
  static async start(target: number): Promise<CountingProxy> {
    const proxy = new CountingProxy(target);
    const server = createServer((req, res) => proxy.forward(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.server = server;
    proxy.port = (server.address() as AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Media GETs so far. */
  mediaGets(): Proxied[] {
    return this.requests.filter(isMediaGet);
  }

  /**
   * Resolves as the `count`-th media GET arrives, before it is forwarded: a test acts at that
   * point of a client's work rather than at whatever point a poll would find it. Rejects after
   * `timeoutMs`.
   */
  mediaGet(count: number, timeoutMs: number): Promise<void> {
    if (this.mediaGets().length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for media GET ${count}: ${this.mediaGets().length} so far`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** GETs of the API counted by path, ids folded (`/tams/v8.2/flows/{id}/segments`). */
  apiGets(requests: readonly Proxied[] = this.requests): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of requests) {
      if (r.method !== 'GET' || isMediaGet(r)) continue;
      const path = r.path.replace(UUID, '{id}');
      counts[path] = (counts[path] ?? 0) + 1;
    }
    return counts;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const entry: Proxied = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] as string,
      at: Date.now(),
      complete: false,
    };
    this.requests.push(entry);
    if (isMediaGet(entry)) this.wake();
    // A connection of its own per request (no agent): one kept alive to a server since killed
    // would fail the first request after its restart for no fault of the client.
    const upstream = request(
      {
        host: '127.0.0.1',
        port: this.target,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      entry.status = 502;
      const body = JSON.stringify({
        type: 'BadGateway',
        summary: `the server behind the proxy: ${error.code ?? error.message}`,
        time: new Date().toISOString(),
      });
      res.writeHead(502, { 'content-type': 'application/json' }).end(body);
    });
    res.on('finish', () => {
      entry.complete = true;
    });
    // The client went away first (a replica killed mid-transfer): the server's side is let go too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  private wake(): void {
    const count = this.mediaGets().length;
    for (const waiter of this.waiters.filter((w) => w.count <= count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}
