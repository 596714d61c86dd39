import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How often connections are looked at again while the server closes. */
const SWEEP_MS = 50;

/**
 * Lets the server's close (app.close(): tests, and the graceful shutdown of main.ts) finish once
 * no request is in flight. Node's server.close() ends only the connections it counts as idle,
 * once, and two kinds stay open and hold the close until the client goes:
 * - a connection that has not sent a byte yet: Node counts it as mid-request from the moment it
 *   is accepted (for its headers timeout), and server.close() stops the timer that would cut it.
 *   Clients open such connections ahead of need: undici's fetch opens a spare one after a
 *   response with `Connection: close` (GET /events), browsers preconnect.
 * - a keep-alive connection whose request finished after the close began.
 * From the first preClose hook until the server has closed, both are ended at once and then
 * every SWEEP_MS (connections accepted while the preClose hooks run are swept too). A
 * connection with a request in flight, or with part of one received, is left to finish.
 */
export function registerConnectionDrain(app: FastifyInstance): void {
  const server = app.server;
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  const sweep = () => {
    server.closeIdleConnections();
    // bytesRead counts what the socket received, read by Node's HTTP parser included.
    for (const socket of open) if (socket.bytesRead === 0) socket.destroy();
  };
  app.addHook('preClose', async () => {
    if (!server.listening) return;
    sweep();
    const timer = setInterval(sweep, SWEEP_MS);
    timer.unref();
    server.once('close', () => clearInterval(timer));
  });
}
