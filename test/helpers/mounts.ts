/**
 * A test server's API as one of its mounts serves it (src/http/api.version.ts): the same
 * requests as TestServer's, each path under the mount's prefix (`/flows` is
 * `/tams/v7.0/flows`). A full URL (a `Link` or `Location` the server built) is taken as it is.
 */
import { type HttpClient, httpClient, type RequestOptions } from './server.ts';

export function mountClient(server: { url: string }, prefix: string): HttpClient {
  const base = httpClient(server.url);
  const at = (path: string) => (/^https?:/.test(path) ? path : `${prefix}${path}`);
  return {
    request: <T>(method: string, path: string, options?: RequestOptions) =>
      base.request<T>(method, at(path), options),
    get: (path, options) => base.get(at(path), options),
    head: (path, options) => base.head(at(path), options),
    put: (path, body, options) => base.put(at(path), body, options),
    post: (path, body, options) => base.post(at(path), body, options),
    delete: (path, options) => base.delete(at(path), options),
  };
}
