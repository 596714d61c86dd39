/**
 * A TCP gate in front of a server (a database): connections to it wait, unanswered, until the
 * test opens the gate, then each is piped to the server. Server processes started together reach
 * their database at moments seconds apart (a start through tsx takes 2-20 s on a loaded machine);
 * each behind a gate of its own, they wait there, and go on from the same moment once the test
 * has seen every one arrive.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface Gate {
  /** The loopback port to connect to instead of the server's. */
  readonly port: number;
  /** Connections that arrived (held until open, piped after). */
  arrived(): number;
  /** Lets every held connection through, and every later one at once. */
  open(): void;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
}

export async function startGate(target: { host: string; port: number }): Promise<Gate> {
  const sockets = new Set<Socket>();
  const held: Socket[] = [];
  let arrived = 0;
  let opened = false;
  const through = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const server = createServer((client) => {
    arrived++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (opened) through(client);
    else held.push(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('gate has no TCP address');
  return {
    port: address.port,
    arrived: () => arrived,
    open() {
      opened = true;
      for (const client of held.splice(0)) through(client);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
