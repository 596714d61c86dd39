import type { Invocation } from './mgmt.command.ts';
import { MgmtError, UsageError } from './mgmt.io.ts';

/**
 * The running server's API as the job commands (`record`, `replicate`) speak to it: `--server`,
 * a token in TAMS_TOKEN or on stdin with --token-stdin, JSON in and out, a refusal as one line
 * with the server's summary.
 */

export interface ServerReply {
  status: number;
  json: unknown;
  /** The next page's path and query (Link rel="next"), when there is one. */
  next?: string;
}

export interface ServerApi {
  call(method: string, path: string, body?: unknown): Promise<ServerReply>;
  /** Every item of a paged list, following its next links from `path`. */
  all<T>(path: string): Promise<T[]>;
}

/** `command` names the command in the usage error given without --server (`record`). */
export function serverApi(invocation: Invocation, command: string): ServerApi {
  const { values, env, stdin } = invocation;
  // Read once: standard input is empty when read again, and a list of many pages calls often.
  let token: Promise<string | undefined> | undefined;
  // Never from the command line, where other users' `ps` would show it.
  const tokenOnce = () => {
    token ??= values['token-stdin'] ? stdin().then((t) => t.trim()) : Promise.resolve(env.TAMS_TOKEN);
    return token;
  };

  const call = async (method: string, path: string, body?: unknown): Promise<ServerReply> => {
    const server = values.server;
    if (server === undefined)
      throw new UsageError(`${command}: --server <url> is required (the server runs the jobs)`);
    let url: URL;
    try {
      url = new URL(path.replace(/^\//, ''), server.endsWith('/') ? server : `${server}/`);
    } catch {
      throw new UsageError(`--server ${JSON.stringify(server)} is not a URL`);
    }
    const bearer = await tokenOnce();
    const headers: Record<string, string> = {
      ...(body !== undefined && { 'content-type': 'application/json' }),
    };
    if (bearer !== undefined && bearer !== '') headers.authorization = `Bearer ${bearer}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new MgmtError(
        `could not reach ${url.origin}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = text;
    }
    if (res.status >= 400) {
      const summary = (json as { summary?: unknown } | null)?.summary;
      throw new MgmtError(
        `the server refused: ${res.status} ${typeof summary === 'string' ? summary : text}`,
      );
    }
    // Paging: the next page's URL (Link rel="next"), as a path and query on the same server.
    const link = /^<([^>]+)>;\s*rel="next"$/.exec(res.headers.get('link') ?? '')?.[1];
    const next = link === undefined ? undefined : `${new URL(link).pathname}${new URL(link).search}`;
    return { status: res.status, json, ...(next !== undefined && { next }) };
  };

  const all = async <T>(first: string): Promise<T[]> => {
    const items: T[] = [];
    let path: string | undefined = first;
    while (path !== undefined) {
      const page: ServerReply = await call('GET', path);
      items.push(...(page.json as T[]));
      path = page.next;
    }
    return items;
  };

  return { call, all };
}
