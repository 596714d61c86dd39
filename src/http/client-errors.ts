import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from './errors.ts';

/** What Node reports for a connection it could not read a request from (`clientError`). */
interface ConnectionError extends Error {
  code?: string;
}

/**
 * Node's internal (its own handler reads it too): the response being written on the socket. Later
 * pipelined responses wait in a queue and are attached in turn as each one finishes.
 */
interface HttpSocket extends Socket {
  _httpMessage?: ServerResponse | null;
}

/**
 * How long a connection refused this way may stay open for the client to read the answer and
 * close its side, before it is cut: a client that goes on sending is not served anyway.
 */
const LINGER_MS = 5000;

const handled = new WeakSet<Socket>();

function statusOf(error: ConnectionError): { status: number; type: string; summary: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        type: 'RequestHeaderFieldsTooLarge',
        summary: 'The request line and headers exceed the size this server accepts.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, type: 'RequestTimeout', summary: 'The request was not received in time.' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, type: 'PayloadTooLarge', summary: 'The chunk extensions are too large.' };
    default:
      return {
        status: 400,
        type: 'BadRequest',
        // llhttp's reason ("Invalid method encountered", "Invalid header value char") helps a
        // client's author and carries nothing of the request itself.
        summary: `The request is not valid HTTP/1.1 (${error.code ?? 'unknown error'}: ${error.message}).`,
      };
  }
}

/**
 * Answers connections that sent something Node's HTTP parser refuses (a malformed request line,
 * headers over the size limit, a request that never arrived in time) with a TAMS error body and
 * `Connection: close`, like every other error of the API. Fastify's default writes its own body
 * and destroys the socket at once, which resets the connection under a client that has more
 * bytes in flight (pipelined or keep-alive requests) and can lose the answer. Here the socket is
 * half-closed instead: what the client still sends is read and dropped, and the connection ends
 * when the client closes it, or after LINGER_MS.
 */
export function clientErrorHandler(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // The parser stays in its error state and reports each later chunk again.
  if (handled.has(socket)) return;
  handled.add(socket);
  const { status, type, summary } = statusOf(error);
  this.log.debug({ code: error.code, status }, 'refused a request the HTTP parser could not read');
  // Requests read before the bad one (pipelined, or in flight on a keep-alive connection) are
  // answered first: the refusal goes after them, as the last response of the connection.
  afterResponses(socket as HttpSocket, () => refuse(socket, status, type, summary));
}

function afterResponses(socket: HttpSocket, then: () => void): void {
  const current = socket._httpMessage;
  if (!current || current.writableFinished) {
    then();
    return;
  }
  // Node attaches the next queued response when this one finishes: look again after that.
  current.once('finish', () => setImmediate(() => afterResponses(socket, then)));
}

function refuse(socket: Socket, status: number, type: string, summary: string): void {
  if (socket.destroyed || !socket.writable) return;
  const body: ErrorBody = {
    type,
    summary,
    time: new Date().toISOString(),
    message: STATUS_CODES[status] ?? 'Error',
  };
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
