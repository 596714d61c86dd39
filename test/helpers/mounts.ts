/**
 * A test server's API as one of its mounts serves it (src/http/api.version.ts): the same
 * requests as TestServer's, each path under the mount's prefix (`/flows` is
 * `/tams/v7.0/flows`). A full URL (a `Link` or `Location` the server built) is taken as it is.
 * mountedServer: a file's server with its clients of both mounts.
 */
import { sharedServer } from './server.shared.ts';
import {
  type HttpClient,
  httpClient,
  type RequestOptions,
  startServer,
  type TestServer,
  type TestServerOptions,
} from './server.ts';

export function mountClient(server: { readonly url: string }, prefix: string): HttpClient {
  // The server's URL is read at each request: a client of a sharedServer is made before it runs.
  const base = () => httpClient(server.url);
  const at = (path: string) => (/^https?:/.test(path) ? path : `${prefix}${path}`);
  return {
    request: <T>(method: string, path: string, options?: RequestOptions) =>
      base().request<T>(method, at(path), options),
    get: (path, options) => base().get(at(path), options),
    head: (path, options) => base().head(at(path), options),
    put: (path, body, options) => base().put(at(path), body, options),
    post: (path, body, options) => base().post(at(path), body, options),
    delete: (path, options) => base().delete(at(path), options),
  };
}

/**
 * The server a test file's tests share (sharedServer: started before them, closed after them)
 * and its clients at /tams/v7.0 and /tams/v8.2 (it answers at / itself).
 */
export function mountedServer(options: TestServerOptions = {}): {
  server: TestServer;
  v7: HttpClient;
  v8: HttpClient;
} {
  const server = sharedServer(() => startServer(options));
  return { server, v7: mountClient(server, '/tams/v7.0'), v8: mountClient(server, '/tams/v8.2') };
}
