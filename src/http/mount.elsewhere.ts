/**
 * Where a path under a versioned mount is served when the mount has no route for it: the whole
 * server's routes (users and tokens, the event stream, the wings' own areas, the web UI, the
 * documentation) are at the root alone, so a client whose base URL is a mount (`/tams/v8.2`)
 * that asks for `/tams/v8.2/auth/whoami` is told that `/auth/whoami` is where it is. Learnt from
 * the routes as they are registered: nothing here names a feature or a path.
 */
import type { FastifyInstance } from 'fastify';
import { mountOf, pathInMount } from './api.version.ts';

/** A route's URL as a pattern of paths: `:name` one path segment, `*` anything. */
function patternOf(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]+';
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * Collects the root's routes from now on (an onRoute hook: call it before any route is
 * registered) and answers, for a request no route took, the root path that serves its method
 * and path when the path is under a versioned mount; undefined otherwise.
 */
export function rootRoutesFor(
  app: FastifyInstance,
): (method: string, path: string) => { at: string; mount: string } | undefined {
  const routes: { methods: Set<string>; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    if (mountOf(route.url) !== undefined) return;
    routes.push({ methods: new Set([route.method].flat()), pattern: patternOf(route.url) });
  });
  return (method, path) => {
    const mount = mountOf(path);
    if (mount === undefined) return undefined;
    const at = pathInMount(path);
    const found = routes.some((r) => r.methods.has(method) && r.pattern.test(at));
    return found ? { at, mount: mount.prefix } : undefined;
  };
}
