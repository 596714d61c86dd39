/**
 * GET /events honours back-pressure: a client that stops reading stops the server's reads of the
 * outbox, the server keeps a bounded amount for it, and everything arrives, in order, once the
 * client reads again. A client that never reads again does not hold up the server's close.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEvent } from '../../src/store/outbox/events.repo.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import type { TestServer } from '../helpers/server.ts';
import { waitFor } from '../segments/helpers.ts';
import { eventServer } from './events.fixture.ts';

const EVENTS = 2000;
const PADDING = 16 * 1024;
/** What one stream reads from the outbox at a time (src/events/events.stream.ts). */
const BATCH = 500;

/** A raw HTTP client of GET /events: it reads nothing until told to (a slow reader). */
function slowClient(server: TestServer): Socket {
  const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
  socket.write('GET /events HTTP/1.1\r\nHost: tams\r\nLast-Event-ID: 0\r\n\r\n');
  return socket;
}

/** Reads the stream from now on; resolves with the event numbers once `count` have arrived. */
function readEvents(socket: Socket, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const seen: number[] = [];
    let lastId = 0n;
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed after ${seen.length} events`)));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      // Each frame is one write, hence one whole chunk of the chunked encoding.
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const match = /id: (\d+)\nevent: flows\/updated\ndata: (.*)$/.exec(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (match === null) continue;
        const id = BigInt(match[1] as string);
        if (id <= lastId) reject(new Error(`event ${id} after ${lastId}`));
        lastId = id;
        seen.push((JSON.parse(match[2] as string) as { event: { n: number } }).event.n);
        if (seen.length === count) resolve(seen);
      }
    });
  });
}

describe('event stream back-pressure', () => {
  let server: TestServer;
  /** Events the server read from the outbox (all streams). */
  let read = 0;
  let frameBytes = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await eventServer({ workers: false });
    const { events } = server.runtime.store;
    for (let n = 0; n < EVENTS; n += 100) {
      await events.append(
        Array.from({ length: 100 }, (_, i) => ({
          event_type: 'flows/updated',
          event_timestamp: new Date(),
          flow_id: randomUUID(),
          payload: { n: n + i, padding: 'x'.repeat(PADDING) },
        })),
      );
    }
    const after = events.after.bind(events);
    events.after = async (...args: Parameters<typeof after>): Promise<OutboxEvent[]> => {
      const rows = await after(...args);
      read += rows.length;
      return rows;
    };
    server.app.server.on('connection', (socket: Socket) => sockets.push(socket));
    frameBytes = PADDING + 200;
  }, SLOW_TEST_MS);
  afterAll(() => server.close());

  it(
    'stops reading the outbox while the client does not read, and resumes when it does',
    async () => {
      const client = slowClient(server);
      const streams = server.runtime.streams;
      // Stalled: the stream waits with an event handed out, its connection's buffer full (the
      // kernel's buffers on both sides too). A server ignoring back-pressure reads everything.
      await waitFor(
        'the stream to wait for its client, or to read every event',
        async () => read >= EVENTS || (streams.waiting === 1 && sockets[0]?.writableNeedDrain === true),
        30_000,
      );
      const socket = sockets[0] as Socket;
      expect(read).toBeLessThan(EVENTS);
      // Held for the client: the response buffer (its high-water mark and the frame that crossed
      // it) and the rest of one outbox batch, whatever the outbox holds.
      expect(socket.writableLength).toBeLessThanOrEqual(socket.writableHighWaterMark + 2 * frameBytes);
      const written = Math.floor(socket.bytesWritten / frameBytes);
      expect(read - written).toBeLessThanOrEqual(BATCH);

      const numbers = await readEvents(client, EVENTS);
      expect(numbers).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
      expect(read).toBe(EVENTS);
      client.destroy();
      await waitFor('the stream to end', async () => streams.open === 0);
    },
    SLOW_TEST_MS,
  );

  it(
    'does not let a client that stopped reading hold up the server closing',
    async () => {
      const before = sockets.length;
      const client = slowClient(server);
      await waitFor(
        'the stream to wait for its client',
        async () => server.runtime.streams.waiting === 1 && sockets[before]?.writableNeedDrain === true,
        30_000,
      );
      const connection = sockets[before] as Socket;
      const dropped = new Promise<void>((resolve) => connection.on('close', () => resolve()));
      // The client learns of it only once it reads what was sent before: the server lets go at once.
      await server.close();
      await dropped;
      expect(server.runtime.streams.open).toBe(0);
      client.destroy();
    },
    SLOW_TEST_MS,
  );
});
