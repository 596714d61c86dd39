/**
 * A webhook receiver for tests: a real HTTP server on loopback that records every POST and
 * answers as the test's `respond` says (a status code, or 'hang' to hold the request open; a
 * promise of a status holds the answer until the test settles it).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WAIT_MS } from './deadlines.ts';

export interface ReceivedEvent {
  event_timestamp: string;
  event_type: string;
  event: Record<string, unknown>;
}

export interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: ReceivedEvent;
  /** The body as it came, byte for byte (UTF-8). */
  raw: string;
  /** The status the receiver answered ('hang' when it never answered). */
  answered: number | 'hang';
  /** Date.now() on arrival. */
  at: number;
}

export type Respond = (
  delivery: Omit<Delivery, 'answered' | 'at'>,
  attempt: number,
) => number | 'hang' | Promise<number>;

export interface Receiver {
  /** `http://127.0.0.1:<port>/hook`. */
  readonly url: string;
  readonly port: number;
  /** Every POST received, in arrival order, whatever the answer. */
  readonly deliveries: Delivery[];
  /** The events of the deliveries answered 2xx. */
  accepted(): ReceivedEvent[];
  /** Changes how later requests are answered. */
  respond: Respond;
  /** Waits until `count` deliveries were accepted (2xx); returns them. */
  waitAccepted(count: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  /** Requests held open by 'hang'. */
  hanging(): number;
  close(): Promise<void>;
}

/** Starts a receiver; `port` reuses a port (a receiver coming back after being down). */
export async function startReceiver(respond: Respond = () => 200, port = 0): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const held = new Set<ServerResponse>();
  /** Requests whose answer is still a promise (recorded once it settles). */
  let pending = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const received = {
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(text) as ReceivedEvent,
        raw: text,
      };
      const at = Date.now();
      const answer = receiver.respond(received, deliveries.length + pending + 1);
      if (typeof answer === 'object') {
        pending++;
        void answer.then((status) => {
          pending--;
          deliveries.push({ ...received, answered: status, at });
          res.writeHead(status).end();
        });
        return;
      }
      deliveries.push({ ...received, answered: answer, at });
      if (answer === 'hang') {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const accepted = () =>
    deliveries.filter((d) => d.answered !== 'hang' && d.answered < 300).map((d) => d.body);
  const receiver: Receiver = {
    url: `http://127.0.0.1:${actual}/hook`,
    port: actual,
    deliveries,
    accepted,
    respond,
    async waitAccepted(count, timeoutMs = WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (accepted().length < count) {
        if (Date.now() > deadline) {
          const got = accepted().map((e) => e.event_type);
          throw new Error(
            `receiver: ${got.length} of ${count} events after ${timeoutMs} ms: ${got.join(', ')}`,
          );
        }
        await sleep(10);
      }
      return accepted();
    },
    hanging: () => held.size,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}
