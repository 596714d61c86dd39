import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../http/errors.ts';
import type { UiBootstrap } from './ui.bootstrap.ts';
import { uiBuilt } from './ui.dir.ts';

export interface UiRoutesDeps {
  /** The built UI (index.html, assets/). */
  dir: string;
  /** GET /ui/config.json: what the sign-in page needs (the identity provider to offer). */
  bootstrap: UiBootstrap;
}

/** Vite names everything under assets/ by its content's hash: a changed file is a new URL. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets, so browsers check it again on every load. */
const REVALIDATE = 'no-cache';

/**
 * The page's own rules: scripts, styles and workers from the server alone (hls.js runs its
 * demuxer in a blob: worker, and feeds the video element from blob: URLs; its full build gives
 * a subtitle track the empty `data:,WEBVTT` as its source before filling it with cues); requests anywhere,
 * as presigned media URLs may point at any S3 endpoint; no framing; no Referer leaving the page,
 * so the URLs of the UI never reach storage logs.
 */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: data:",
    "worker-src 'self' blob:",
    "connect-src 'self' http: https:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; '),
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const HIDDEN = { schema: { hide: true } };

function notBuilt(request: FastifyRequest, reply: FastifyReply) {
  return sendError(
    request,
    reply,
    503,
    'ServiceUnavailable',
    'The web UI is not built: run `npm run build:ui` (npm install runs it), or set TAMS_UI=false.',
  );
}

/** Paths the UI's router owns (deep links): no file extension, and not under assets/. */
function isPagePath(rest: string): boolean {
  return !rest.startsWith('assets/') && !/\.[A-Za-z0-9]+$/.test(rest);
}

/**
 * The web UI (ui/, built by Vite) at /ui: its files with long-lived caching for hashed assets
 * and revalidation for the rest, brotli or gzip copies made at build time sent to browsers that
 * take them, and index.html for every page path so that deep links and reloads work. Hidden from
 * the OpenAPI document; public, like /docs (the auth hook's public URLs): the page holds no data,
 * and asks the API for everything with the credentials signed in with.
 */
export async function uiRoutes(app: FastifyInstance, deps: UiRoutesDeps): Promise<void> {
  if (!uiBuilt(deps.dir)) {
    app.log.warn({ dir: deps.dir }, 'web UI not built: /ui answers 503 (npm run build:ui)');
    app.get('/ui', HIDDEN, notBuilt);
    app.get('/ui/*', HIDDEN, notBuilt);
    return;
  }
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: deps.dir,
      prefix: '/ui/',
      // One route per file found now: a build is served as it was at start, and the page
      // paths below never shadow or get shadowed by a file.
      wildcard: false,
      index: false,
      preCompressed: true,
      // Routes for the compressed copies are not needed: preCompressed picks them.
      globIgnore: ['**/*.br', '**/*.gz'],
      dotfiles: 'ignore',
      cacheControl: false,
      setHeaders: (res, path) => {
        const asset = path.startsWith(`${deps.dir}/assets/`);
        res.header('cache-control', asset ? IMMUTABLE : REVALIDATE);
        if (path.endsWith('.html')) {
          for (const [name, value] of Object.entries(PAGE_HEADERS)) res.header(name, value);
        }
      },
    });
    const page = (_request: FastifyRequest, reply: FastifyReply) => reply.sendFile('index.html');
    scope.get('/ui', HIDDEN, (request, reply) => {
      const query = request.url.indexOf('?');
      return reply.redirect(query < 0 ? '/ui/' : `/ui/${request.url.slice(query)}`, 301);
    });
    scope.get('/ui/', HIDDEN, page);
    // Read before anyone signs in, so public; a changed setting shows at the next page load.
    scope.get('/ui/config.json', HIDDEN, (_request, reply) =>
      reply.header('cache-control', REVALIDATE).send(deps.bootstrap),
    );
    scope.get<{ Params: { '*': string } }>('/ui/*', HIDDEN, (request, reply) => {
      if (isPagePath(request.params['*'])) return page(request, reply);
      return sendError(request, reply, 404, 'NotFound', 'No such file in the web UI.');
    });
  });
}
