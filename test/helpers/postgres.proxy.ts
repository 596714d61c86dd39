/**
 * A TCP proxy between an engine and a test PostgreSQL that loses connections on purpose: it
 * refuses new ones, or cuts the one carrying a statement at a chosen point of the protocol (before
 * the statement reaches the server, part way through a COPY's data, or once the server answered).
 * What a retry may do depends on exactly where a connection was lost, so the tests put it there.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** ReadyForQuery (before its status byte): the server's answer to a statement is complete. */
const READY = Buffer.from([0x5a, 0, 0, 0, 5]);
/** CopyDone from the client: a COPY's data all sent. */
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

/** What the proxy does to the next connection that sends `trigger` (a statement's text). */
export type Cut =
  /** Cut before the statement reaches the server. */
  | { trigger: string; after: 'nothing' }
  /** Cut once `bytes` more have gone to the server after the statement (COPY's data part way). */
  | { trigger: string; after: 'bytes'; bytes: number }
  /** Hold the server's answer to the statement and cut when it is complete (it may have committed). */
  | { trigger: string; after: 'answer' }
  /** The same for a COPY: from the end of its data (the client needs the server's CopyInResponse). */
  | { trigger: string; after: 'copy answer' };

export class CuttingProxy {
  /** New connections to close at once (before PostgreSQL's startup). */
  refuse = 0;
  /** The next cut; undefined again once a connection took it. */
  cut: Cut | undefined;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(target: number) {
    this.server = createServer((client) => this.relay(client, target));
  }

  static async start(target: number): Promise<CuttingProxy> {
    const proxy = new CuttingProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  url(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no proxy address');
    return `postgres://postgres@127.0.0.1:${address.port}/postgres`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private relay(client: Socket, target: number): void {
    this.track(client);
    if (this.refuse > 0) {
      this.refuse--;
      client.destroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    this.track(upstream);
    let mine: Cut | undefined;
    let sent = 0;
    let holding = false;
    // The end of the previous chunk: a trigger or CopyDone may straddle two.
    let tail = Buffer.alloc(0);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const seen = Buffer.concat([tail, chunk]);
      tail = seen.subarray(-Math.max(COPY_DONE.length, this.cut?.trigger.length ?? 0) + 1);
      if (mine === undefined && this.cut !== undefined && seen.includes(this.cut.trigger)) {
        mine = this.cut;
        this.cut = undefined;
        if (mine.after === 'nothing') return cut();
        if (mine.after === 'answer') holding = true;
      } else if (mine?.after === 'bytes') {
        if (sent + chunk.length > mine.bytes) return cut();
        sent += chunk.length;
      } else if (mine?.after === 'copy answer' && seen.includes(COPY_DONE)) {
        holding = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!holding) client.write(chunk);
      else if (chunk.includes(READY)) cut();
    });
    for (const s of [client, upstream]) {
      s.on('error', cut);
      s.on('end', cut);
    }
  }
}
