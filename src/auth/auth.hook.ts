import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { pathInMount } from '../http/api.version.ts';
import { sendError } from '../http/errors.ts';
import { appNoteScopes, type ScopeAlternatives, type ScopeMap } from './auth.appnote.ts';
import { readCredentials } from './auth.credentials.ts';
import { type Scope, scopeForMethod } from './auth.model.ts';
import type { AuthModule } from './auth.module.ts';
import type { AuthOutcome } from './auth.service.ts';

/**
 * Who may call a route: `public` (no credentials), `authenticated` (any valid credentials),
 * `admin` (the admin scope), `method` (read for GET/HEAD, write for PUT/POST, delete for
 * DELETE), or `method+read` (the method's scope and read as well). Routes can say so in their
 * config (`config: { tamsAuth: 'public' }`); otherwise `routePolicy` decides from the method and URL.
 */
export type RoutePolicy = 'public' | 'authenticated' | 'admin' | 'method' | 'method+read';

export interface AuthRouteConfig {
  tamsAuth?: RoutePolicy;
  /**
   * Set at registration where TAMS_AUTH_SCOPE_MAP=appnote-0016 and AppNote 0016's table has the
   * route: the scopes any one of which admits a request, instead of the policy's.
   */
  tamsScopes?: ScopeAlternatives;
  /** The operations routes (src/ops: /health, /ready, /metrics) mark themselves so. */
  tamsOps?: boolean;
}

/**
 * Public without credentials: the API's documentation, every mount's (Swagger UI must load
 * before it can be authorised) and the web UI's files (its sign-in page loads before any credentials exist; the
 * API calls it makes carry the token). The operations routes are public too, by their `tamsOps`
 * config: probes and Prometheus scrapes carry no API credentials (keep /metrics off public
 * networks).
 */
const PUBLIC_URLS = [/^\/openapi\.json$/, /^\/docs(\/.*)?$/, /^\/ui(\/.*)?$/];

/** Beyond the methods' scopes: changing the service settings is for administrators. */
const ADMIN_ROUTES = new Set(['POST /service']);

/**
 * Writes that hand out what only readers may see, so they need read as well as write: a webhook
 * receives Flows, Sources and media URLs; an EXR inspection answers with the catalogue's record
 * of the file (channels, attributes, the Flows using it, how often it was inspected, also for
 * posted bytes); publishing a transcript answers with its metadata (only its id is sent); stopping
 * or starting a recording job answers with the job. Writes
 * whose answer is what the caller sent (ids and times added) need write alone.
 */
const READING_WRITES = new Set([
  'POST /service/webhooks',
  // TAMS 8.2 (its mount only): changing what a webhook receives, answered with the webhook.
  'PUT /service/webhooks/:webhookId',
  // TAMS 8.2: an instance of an object, which only readers can name (its answers tell whether it
  // exists): a copy makes the server read the object's bytes into a backend the caller picks
  // (one it may read out of band), and a URL is handed to every reader of the object's segments.
  'POST /objects/:objectId/instances',
  'POST /exr/inspect',
  'POST /search/transcripts/:transcriptId/publish',
  // Answered with the job as stored (others' jobs too: its source, Flows, errors).
  'POST /recordings/:id/stop',
  'POST /recordings/:id/start',
  // A replication job writes what an origin holds, and answers with the job (others' too).
  'POST /replications',
  'POST /replications/:id/pause',
  'POST /replications/:id/resume',
]);

export const REALM = 'tams';

export interface RouteEntry {
  method: string;
  url: string;
  policy: RoutePolicy;
  /** AppNote 0016's alternatives, where they replace the policy's scopes (AuthRouteConfig.tamsScopes). */
  anyOf?: ScopeAlternatives;
}

export function routePolicy(method: string, url: string, config: AuthRouteConfig | undefined): RoutePolicy {
  if (config?.tamsAuth !== undefined) return config.tamsAuth;
  if (config?.tamsOps === true) return 'public';
  if (PUBLIC_URLS.some((re) => re.test(url))) return 'public';
  if (ADMIN_ROUTES.has(`${method} ${url}`)) return 'admin';
  if (READING_WRITES.has(`${method} ${url}`)) return 'method+read';
  return 'method';
}

/** The scopes a request needs under a policy, read first. */
export function neededScopes(policy: RoutePolicy, method: string): Scope[] {
  switch (policy) {
    case 'admin':
      return ['admin'];
    case 'method':
      return [scopeForMethod(method)];
    case 'method+read':
      return [...new Set<Scope>(['read', scopeForMethod(method)])];
    default:
      return [];
  }
}

const catalogues = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route of the app with its policy, as registered (tests cover each). */
export function registeredRoutes(app: FastifyInstance): readonly RouteEntry[] {
  return catalogues.get(app) ?? [];
}

function quoted(text: string): string {
  return text.replaceAll('"', "'").replaceAll('\\', '/');
}

/**
 * A request a script in a web page made (fetch or XHR: Swagger UI "Try it out"): browsers send
 * `Sec-Fetch-Site` on every request and `Sec-Fetch-Mode` other than `navigate` on these (Node's
 * fetch sends `Sec-Fetch-Mode: cors` alone). A Basic challenge in its 401 would make the browser
 * open its own login dialog over the page and hold the request until it is dismissed.
 */
function fromPageScript(request: FastifyRequest): boolean {
  const mode = request.headers['sec-fetch-mode'];
  return request.headers['sec-fetch-site'] !== undefined && typeof mode === 'string' && mode !== 'navigate';
}

function challenges(offerBasic: boolean, bearerError?: string, description?: string): string[] {
  const bearer =
    bearerError === undefined
      ? `Bearer realm="${REALM}"`
      : `Bearer realm="${REALM}", error="${bearerError}", error_description="${quoted(description ?? '')}"`;
  return offerBasic ? [bearer, `Basic realm="${REALM}", charset="UTF-8"`] : [bearer];
}

function unauthorized(
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: Extract<AuthOutcome, { ok: false }>,
) {
  if (outcome.retryAfter !== undefined) reply.header('retry-after', String(outcome.retryAfter));
  if (outcome.throttled) {
    request.log.info({ scheme: outcome.scheme, reason: outcome.reason }, 'authentication throttled');
    return sendError(
      request,
      reply,
      429,
      'TooManyRequests',
      `Authentication refused without checking: ${outcome.reason}. Retry after ${outcome.retryAfter ?? 1} s, or use a bearer token.`,
    );
  }
  if (outcome.unavailable) {
    request.log.warn({ reason: outcome.reason }, 'credentials could not be checked');
    return sendError(
      request,
      reply,
      503,
      'ServiceUnavailable',
      `Credentials cannot be checked now: ${outcome.reason}.`,
    );
  }
  request.log.info({ scheme: outcome.scheme, reason: outcome.reason }, 'authentication failed');
  const error = outcome.scheme === 'bearer' ? 'invalid_token' : undefined;
  const offerBasic = outcome.scheme === 'basic' || !fromPageScript(request);
  reply.header('www-authenticate', challenges(offerBasic, error, outcome.reason));
  const summary =
    outcome.scheme === 'none'
      ? 'Authentication required: send "Authorization: Bearer <token>", HTTP Basic credentials, or the access_token query parameter.'
      : `Authentication failed: ${outcome.reason}.`;
  return sendError(request, reply, 401, 'Unauthorized', summary);
}

/**
 * The 403 of a missing scope. `need`: what the route needs, said after "need the" (`"write"
 * scope`); `scopes`: the scopes the Bearer challenge names.
 */
function refuse(request: FastifyRequest, reply: FastifyReply, need: string, scopes: readonly Scope[]) {
  const principal = request.principal;
  const granted = principal ? [...principal.scopes].join(', ') || 'no scope' : 'no scope';
  if (principal?.scheme !== 'basic') {
    reply.header(
      'www-authenticate',
      `Bearer realm="${REALM}", error="insufficient_scope", scope="${scopes.join(' ')}"`,
    );
  }
  return sendError(
    request,
    reply,
    403,
    'Forbidden',
    `Insufficient scope (not a read-only Flow): ${request.method} requests to this route need ${need}; the credentials of "${principal?.name ?? ''}" grant ${granted}.`,
  );
}

/** `missing`: the first needed scope the caller lacks; `needed`: every scope the route needs. */
function forbidden(request: FastifyRequest, reply: FastifyReply, missing: Scope, needed: readonly Scope[]) {
  const all = needed.length > 1 ? ` (they need ${needed.join(' and ')})` : '';
  return refuse(request, reply, `the "${missing}" scope${all}`, needed);
}

/** None of the alternatives (AppNote 0016's mapping) is held. */
function forbiddenAny(request: FastifyRequest, reply: FastifyReply, anyOf: ScopeAlternatives) {
  const ways = anyOf.map((set) => set.map((scope) => `"${scope}"`).join(' and ')).join(' or ');
  const need = `the ${ways} scope (AppNote 0016's mapping, TAMS_AUTH_SCOPE_MAP)`;
  return refuse(request, reply, need, anyOf[0] ?? []);
}

/** Whether `held` holds every scope of one of the alternatives. */
function holdsOne(held: ReadonlySet<Scope>, anyOf: ScopeAlternatives): boolean {
  return anyOf.some((set) => set.every((scope) => held.has(scope)));
}

function recordRoute(catalogue: RouteEntry[], route: RouteOptions, scopeMap: ScopeMap): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const config = (route.config ?? {}) as AuthRouteConfig;
  // Every API mount's routes get the policies of the same paths at the root (api.version.ts):
  // POST /tams/v7.0/service is for administrators as POST /service is.
  const path = pathInMount(route.url);
  // The policy is decided once, here, so a request only reads it from its route's config.
  const policy = routePolicy(methods[0] ?? 'GET', path, config);
  const rule = (method: string) =>
    scopeMap === 'appnote-0016' && policy !== 'public' ? appNoteScopes(method, path) : undefined;
  const anyOf = rule(methods[0] ?? 'GET');
  for (const method of methods) {
    const own = routePolicy(method, path, config);
    if (own !== policy || JSON.stringify(rule(method)) !== JSON.stringify(anyOf))
      throw new Error(`${route.url}: methods of one route need different policies`);
    catalogue.push({ method, url: route.url, policy, ...(anyOf && { anyOf }) });
  }
  route.config = { ...route.config, tamsAuth: policy, tamsScopes: anyOf } as typeof route.config;
}

/**
 * Authentication and authorisation of every route registered after this call: an onRoute hook
 * gives each its policy, an onRequest hook (before any body is read) checks credentials and
 * scope and sets `request.principal`. Requests `presigned` says carry a signature their route
 * checks itself (presigned media URLs) pass. With TAMS_AUTH=none requests pass as they are (no
 * principal). Also runs the bootstrap of the first credentials when the app gets ready.
 */
export function registerAuth(
  app: FastifyInstance,
  auth: AuthModule,
  presigned: (request: FastifyRequest) => boolean,
): void {
  const catalogue: RouteEntry[] = [];
  catalogues.set(app, catalogue);
  app.addHook('onRoute', (route) => recordRoute(catalogue, route, auth.scopeMap));
  app.addHook('onReady', async () => auth.bootstrap(app.log));

  const required = auth.mode === 'required';
  app.addHook('onRequest', async (request, reply) => {
    const query = request.query as Record<string, unknown> | undefined;
    const accessToken = query?.access_token;
    // Routes never see the URL token: their query schemas need not allow for it.
    if (accessToken !== undefined && query) delete query.access_token;
    if (!required) return;
    const config = request.routeOptions.config as AuthRouteConfig;
    const policy = config.tamsAuth ?? 'method';
    if (policy === 'public' || presigned(request)) return;
    const outcome = await auth.authenticator.authenticate(
      readCredentials(request.headers.authorization, accessToken),
      request.ip,
    );
    if (!outcome.ok) return unauthorized(request, reply, outcome);
    request.principal = outcome.principal;
    if (config.tamsScopes !== undefined) {
      if (!holdsOne(outcome.principal.scopes, config.tamsScopes))
        return forbiddenAny(request, reply, config.tamsScopes);
      return;
    }
    const needed = neededScopes(policy, request.method);
    const missing = needed.find((scope) => !outcome.principal.scopes.has(scope));
    if (missing !== undefined) return forbidden(request, reply, missing, needed);
  });
}
