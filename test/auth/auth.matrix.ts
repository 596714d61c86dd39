/**
 * The route matrix: every route the app registered (taken from the app itself, so routes added
 * later are covered without editing the tests), called with given credentials.
 */
import { neededScopes, type RouteEntry, registeredRoutes } from '../../src/auth/auth.hook.ts';
import type { Scope } from '../../src/auth/auth.model.ts';
import type { TestServer } from '../helpers/server.ts';

const SOME_UUID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/**
 * Only a guard against a hang, named after the route, well inside the test's own timeout: every
 * route answers its headers at once, event streams included (they write theirs before waiting).
 */
const HANG_MS = 20_000;

export interface Answer {
  status: number;
  summary?: string;
  type?: string;
  challenges: string | null;
}

/** The route's URL with its parameters filled in (a UUID fits every TAMS id pattern). */
export function pathOf(route: RouteEntry): string {
  return route.url.replace(/:[A-Za-z0-9_-]+/g, SOME_UUID).replace('*', 'some/object');
}

/** The scopes the route needs; none when any valid credentials will do. */
export function routeScopes(route: RouteEntry): Scope[] {
  return neededScopes(route.policy, route.method);
}

export function protectedRoutes(server: TestServer): RouteEntry[] {
  const routes = registeredRoutes(server.app).filter((r) => r.policy !== 'public');
  if (routes.length < 60) throw new Error(`only ${routes.length} protected routes registered`);
  return routes;
}

/** One call; bodies are read only when JSON (media and event streams are left unread). */
export async function call(
  server: TestServer,
  route: RouteEntry,
  headers: Record<string, string> = {},
  query: Record<string, string> = {},
): Promise<Answer> {
  const url = new URL(pathOf(route), server.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const withBody = route.method === 'PUT' || route.method === 'POST';
  let res: Response;
  try {
    res = await fetch(url, {
      method: route.method,
      headers: withBody ? { 'content-type': 'application/json', ...headers } : headers,
      body: withBody ? '{}' : undefined,
      signal: AbortSignal.timeout(HANG_MS),
    });
  } catch (error) {
    if ((error as Error).name !== 'TimeoutError') throw error;
    throw new Error(`${label(route)}: no answer in ${HANG_MS} ms`);
  }
  const challenges = res.headers.get('www-authenticate');
  if (res.headers.get('content-type') !== 'application/json' || route.method === 'HEAD') {
    await res.body?.cancel();
    return { status: res.status, challenges };
  }
  const text = await res.text();
  const body = text === '' ? {} : (JSON.parse(text) as { summary?: string; type?: string });
  return { status: res.status, summary: body.summary, type: body.type, challenges };
}

export const label = (route: RouteEntry) => `${route.method} ${route.url}`;

/** Passed authentication and authorisation (whatever the route then made of the request). */
export function accepted(answer: Answer): boolean {
  const scopeRefusal = answer.status === 403 && answer.summary?.startsWith('Insufficient scope');
  return answer.status !== 401 && answer.status !== 503 && !scopeRefusal;
}

/** Runs `check` on every route; returns the routes where it failed, with their answers. */
export async function failures(
  routes: RouteEntry[],
  attempt: (route: RouteEntry) => Promise<Answer>,
  check: (answer: Answer, route: RouteEntry) => boolean,
): Promise<string[]> {
  const failed: string[] = [];
  for (const route of routes) {
    const answer = await attempt(route);
    if (!check(answer, route)) failed.push(`${label(route)} -> ${answer.status} ${answer.summary ?? ''}`);
  }
  return failed;
}
