/**
 * The server's close (app.close(): what the graceful shutdown awaits) ends once no request is in
 * flight, whatever connections clients hold: one opened and never used (Node counts it as
 * mid-request and server.close() stops the timer that would cut it), and a keep-alive one whose
 * request ended after the close began. Before the fix either kept the close waiting for the client:
 * the static-JWT matrix of test/auth/auth.matrix.test.ts hung on VAST on a connection undici's
 * fetch had opened and never used.
 */
import { once } from 'node:events';
import { Agent, type IncomingMessage, request } from 'node:http';
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { startServer } from '../helpers/server.ts';

it('a connection that has sent nothing does not hold the close', async () => {
  const server = await startServer({ workers: false });
  const accepted = once(server.app.server, 'connection');
  const { port } = new URL(server.url);
  const idle = connect(Number(port), '127.0.0.1');
  await accepted;
  const ended = once(idle, 'close');
  await server.close();
  await ended;
});

it('a keep-alive connection whose request ends after the close began does not hold it', async () => {
  const server = await startServer({ workers: false });
  const agent = new Agent({ keepAlive: true });
  try {
    const { port } = new URL(server.url);
    const body = JSON.stringify('a label');
    const arrived = once(server.app.server, 'request');
    const req = request({
      host: '127.0.0.1',
      port: Number(port),
      method: 'PUT',
      path: '/flows/7c9e6679-7425-40de-944b-e07fc1f90ae7/label',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const answered = once(req, 'response') as Promise<[IncomingMessage]>;
    // The request is in flight (its body half sent) when the close begins.
    req.write(body.slice(0, 3));
    await arrived;
    const closed = server.close();
    await expect.poll(() => server.app.server.listening).toBe(false);
    req.end(body.slice(3));
    const [res] = await answered;
    res.resume();
    await once(res, 'end');
    expect(res.statusCode).toBe(404);
    // Routed before the close began: the connection stays open after the answer.
    expect(res.headers.connection).toBe('keep-alive');
    await closed;
  } finally {
    agent.destroy();
  }
});
