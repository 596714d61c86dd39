import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../common/errors.ts';

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a query string cannot be read as text, or undefined when it can: a percent-escape that is
 * malformed (`%`, `%G1`) or that does not decode to UTF-8 (`%FF`, the overlong `%C0%80`, the
 * surrogate `%ED%A0%80`). Names and values are decoded apart, as the query parser does.
 */
export function queryEncodingProblem(query: string): string | undefined {
  for (const part of query.split('&')) {
    if (!part.includes('%')) continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (!decodes(name)) {
      return `query parameter name ${JSON.stringify(name)} is not valid percent-encoded UTF-8`;
    }
    // The value is not repeated: it may be a credential (access_token).
    if (eq >= 0 && !decodes(part.slice(eq + 1))) {
      return `query parameter ${JSON.stringify(decodeURIComponent(name))} is not valid percent-encoded UTF-8`;
    }
  }
  return undefined;
}

/**
 * Refuses, with a 400, a request whose query string is not valid percent-encoded UTF-8. Fastify's
 * query parser keeps such a name or value as the raw text, escapes and all, so `label=%FF` would
 * quietly filter on the three characters `%FF` and `tag.%ED%A0%80=x` on a tag of that name.
 * (Path parameters are decoded by the router, which answers 404 for the same escapes.) Runs
 * before authentication: the request is malformed whoever sends it.
 */
export function registerQueryGuard(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const url = request.url;
    const start = url.indexOf('?');
    if (start < 0 || url.indexOf('%', start) < 0) {
      done();
      return;
    }
    const problem = queryEncodingProblem(url.slice(start + 1));
    done(problem === undefined ? undefined : new BadRequestError(problem));
  });
}
