import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Whether the request's Accept header names HTML and not JSON: a browser navigating (it sends
 * `text/html,…,*\/*;q=0.8`), not an API client (curl sends `*\/*`, SDKs `application/json`).
 * A media range with `q=0` is a refusal and does not count.
 */
export function wantsHtmlPage(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (typeof accept !== 'string') return false;
  const ranges = accept
    .split(',')
    .map((part) => part.split(';').map((p) => p.trim().toLowerCase()))
    .filter(([, ...params]) => !params.some((p) => /^q=0(\.0*)?$/.test(p)))
    .map(([range]) => range);
  return ranges.includes('text/html') && !ranges.includes('application/json');
}

/**
 * A browser opening the server's root is sent to the web UI (302 to `/ui/`) instead of the
 * API's 401 JSON body; every other client of `GET /` gets what it always got. An onRequest hook
 * registered before authentication's, since `/` needs credentials a browser has not sent.
 */
export function registerBrowserLanding(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    if (request.url !== '/' || !wantsHtmlPage(request)) return;
    // Caches keep the API's answer and the browser's apart.
    return reply.header('vary', 'accept').redirect('/ui/', 302);
  });
}
