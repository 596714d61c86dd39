/**
 * A loopback HTTP relay between one of BBC's example scripts and the server it talks to: every
 * request is passed on unchanged (method, path, headers, body; the answer likewise), except that
 * the script's segment registrations (`POST …/flows/{id}/segments`) after the first `holdAfter`
 * wait until the test releases them. It makes a live ingest hold still at a known point, so that
 * what happens while the script is still running (a replication job catching up with a Flow that
 * is half written) is a state the test waits for, not a race it hopes to win.
 *
 * The server builds media URLs from each request's Host (TAMS_PUBLIC_URL unset), so the script's
 * object uploads come through the relay too: passed on, never held.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Relay {
  /** `http://127.0.0.1:N`: what the script is given in place of the server's origin. */
  url: string;
  /** Segment registrations waiting for release(). */
  held(): number;
  /** Passes on what is held and everything after it. */
  release(): void;
  /** Releases, then ends every connection and stops listening. */
  close(): Promise<void>;
}

const SEGMENTS_POST = /\/flows\/[^/]+\/segments$/;

export async function startRelay(target: string, holdAfter: number): Promise<Relay> {
  const upstream = new URL(target);
  let passed = 0;
  let held = 0;
  let released = false;
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    const isSegments =
      req.method === 'POST' && SEGMENTS_POST.test(new URL(req.url ?? '/', 'http://relay').pathname);
    if (!isSegments) return forward(req, res);
    if (released || passed < holdAfter) {
      passed++;
      return forward(req, res);
    }
    held++;
    void gate.then(() => {
      held--;
      passed++;
      forward(req, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  const release = (): void => {
    released = true;
    open();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    held: () => held,
    release,
    close: async () => {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
