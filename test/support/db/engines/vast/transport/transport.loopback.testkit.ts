/**
 * A real loopback HTTP(S) server for the transport's tests: it records every request (raw
 * target, headers, body, which connection) and answers with a handler the test gives.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { listenOnLoopback } from '../../../../../../tools/loopback.ts';

export interface Seen {
  readonly method: string;
  /** The request line's target, raw. */
  readonly target: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  /** Which connection carried it (1, 2, ... in order of opening). */
  readonly connection: number;
}

export type Handler = (seen: Seen, res: ServerResponse, req: IncomingMessage) => unknown;

export interface Loopback {
  readonly url: string;
  readonly port: number;
  readonly seen: Seen[];
  /** Connections opened so far. */
  connections(): number;
  /** Stops listening and drops every connection (the port then refuses). */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
}

export async function loopback(
  handler: Handler,
  tls?: { readonly key: string; readonly cert: string },
): Promise<Loopback> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let opened = 0;
  const ids = new WeakMap<Socket, number>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method ?? '',
        target: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        connection: ids.get(req.socket) ?? 0,
      };
      seen.push(entry);
      Promise.resolve(handler(entry, res, req)).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  server.keepAliveTimeout = 60_000;
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    ids.set(socket, ++opened);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => listenOnLoopback(server, port);
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    seen,
    connections: () => opened,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
    reopen: () => listen(port),
  };
}

/** Time the transport sees: moves only when a test (or a backoff wait) moves it. */
export function manualTimers(start = Date.UTC(2026, 10, 23, 12, 0, 0)) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
    timers: {
      now: () => now,
      random: () => 0.5,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

export function xmlError(code: string, message: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}</Error>`;
}
