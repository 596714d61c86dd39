/**
 * A loopback HTTP proxy in front of a (fake) VAST server, for tests that need one answer to be
 * what a real cluster might send: `intercept` sees every request and may answer it itself (a
 * status, headers, a body); what it leaves is forwarded unchanged (the Host header too, so SigV4
 * still verifies) and the server's answer streamed back.
 */
import http from 'node:http';
import { type Loopback, loopback, type Seen } from './transport/transport.loopback.testkit.ts';

export interface ProxyAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/**
 * Forward the request, let the server apply it, then drop the connection instead of passing the
 * answer on: an answer lost on the way back.
 */
export const LOSE_ANSWER = 'lose_answer';

/** An answer of the proxy's own, LOSE_ANSWER, or undefined to forward the request. */
export type Intercept = (seen: Seen) => ProxyAnswer | typeof LOSE_ANSWER | undefined;

export interface VastProxy extends Loopback {
  /** Decides per request; replace it at any time (default: forward everything). */
  intercept: Intercept;
}

/** An S3-style XML error as VAST sends it, with the `Server` header of `server`. */
export function vastRefusal(
  status: number,
  code: string,
  message: string,
  server = 'vast 5.3.0.0',
): ProxyAnswer {
  return {
    status,
    headers: { server, 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>proxy-1</RequestId></Error>`,
  };
}

/** `GET /?transaction` without a transaction: the version probe. */
export function isProbe(seen: Seen): boolean {
  const txid = seen.headers['tabular-txid'];
  return (
    seen.method === 'GET' && /^\/\?transaction(&|$)/.test(seen.target) && (txid === undefined || txid === '0')
  );
}

/** `PUT /?transaction`: a commit. */
export function isCommit(seen: Seen): boolean {
  return seen.method === 'PUT' && /^\/\?transaction(&|$)/.test(seen.target);
}

export async function vastProxy(targetUrl: string): Promise<VastProxy> {
  const target = new URL(targetUrl);
  const agent = new http.Agent({ keepAlive: true });
  let intercept: Intercept = () => undefined;
  const server = await loopback((seen, res) => {
    const own = intercept(seen);
    if (own !== undefined && own !== LOSE_ANSWER) {
      res.writeHead(own.status, { ...own.headers });
      res.end(own.body);
      return;
    }
    return new Promise<void>((resolve, reject) => {
      const forward = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: seen.method,
          path: seen.target,
          headers: seen.headers,
        },
        (answer) => {
          if (own === LOSE_ANSWER) {
            answer.resume();
            answer.on('end', () => {
              res.socket?.destroy();
              resolve();
            });
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', reject);
        },
      );
      forward.on('error', reject);
      forward.end(seen.body);
    });
  });
  return {
    url: server.url,
    port: server.port,
    seen: server.seen,
    connections: server.connections,
    reopen: server.reopen,
    close: async () => {
      agent.destroy();
      await server.close();
    },
    get intercept() {
      return intercept;
    },
    set intercept(fn: Intercept) {
      intercept = fn;
    },
  };
}
