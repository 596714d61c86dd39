/**
 * Requests Node's HTTP parser refuses before any route runs (a malformed request line, headers
 * over the size limit) are answered like every other error: a TAMS error body, and
 * `Connection: close`; the connection then ends cleanly (FIN) even when the client has more
 * bytes in flight, instead of being reset under it.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Exchange {
  /** Everything the server sent. */
  received: string;
  /** How the connection ended: the server's FIN, or an error such as ECONNRESET. */
  ending: 'end' | string;
}

/** Sends `chunks` on one connection, one after the other, and reads until the connection ends. */
function exchange(chunks: readonly (string | Buffer)[]): Promise<Exchange> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let settled = false;
    const finish = (ending: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ received, ending });
    };
    socket.on('data', (data) => {
      received += data.toString('latin1');
    });
    socket.on('end', () => finish('end'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        await new Promise<void>((done) => socket.write(chunk, () => done()));
      }
    });
  });
}

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The HTTP/1.1 responses in `raw`, in order (Content-Length framed, as this server sends them). */
function responses(raw: string): Parsed[] {
  const out: Parsed[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`incomplete response head: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    out.push({
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: rest.slice(end + 4, end + 4 + length),
    });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

function expectTamsRefusal(response: Parsed | undefined, status: number): void {
  expect(response?.status).toBe(status);
  expect(response?.headers['content-type']).toBe('application/json');
  expect(response?.headers.connection).toBe('close');
  const body = JSON.parse(response?.body ?? 'null');
  assertSpecValid('error.json', body);
  expect(Object.keys(body).sort()).toEqual(['message', 'summary', 'time', 'type']);
}

describe('requests the HTTP parser refuses', () => {
  it('a malformed request line: 400 with a TAMS error body and Connection: close', async () => {
    const { received, ending } = await exchange(['GET /service HTTP/1.1 extra\r\nHost: x\r\n\r\n']);
    const [response] = responses(received);
    expectTamsRefusal(response, 400);
    expect(JSON.parse(response?.body ?? '{}').type).toBe('BadRequest');
    expect(ending).toBe('end');
  });

  it('headers over the size limit: 431 with a TAMS error body and Connection: close', async () => {
    const big = `GET /service HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`;
    const { received, ending } = await exchange([big]);
    const [response] = responses(received);
    expectTamsRefusal(response, 431);
    expect(ending).toBe('end');
  });

  it('on a keep-alive connection, the request served before keeps its answer and the refusal follows', async () => {
    const good = 'GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n';
    const bad = 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n';
    const { received, ending } = await exchange([good, bad]);
    const [first, second, ...others] = responses(received);
    expect(first?.status).toBe(200);
    expect(JSON.parse(first?.body ?? '{}').openapi).toMatch(/^3\./);
    expectTamsRefusal(second, 400);
    expect(others).toEqual([]);
    expect(ending).toBe('end');
  });

  it('a client with more bytes in flight still reads the whole answer and sees a clean close', async () => {
    // After the refusal the client keeps writing (a pipelined body, 1 MiB): closing with unread
    // bytes would make the kernel reset the connection, and the client could lose the answer.
    const junk = Buffer.alloc(64 * 1024, 'x');
    const { received, ending } = await exchange([
      'GET /service HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      ...Array.from({ length: 16 }, () => junk),
    ]);
    const [response, ...others] = responses(received);
    expectTamsRefusal(response, 400);
    expect(others).toEqual([]);
    expect(ending).toBe('end');
  });

  it('the server goes on serving other connections', async () => {
    const res = await server.get('/openapi.json');
    expect(res.status).toBe(200);
  });
});
