import { storedToken } from './session.ts';

/** A TAMS error answer (or a network failure, status 0), with the server's summary. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiAnswer<T> {
  body: T;
  headers: Headers;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiOptions {
  query?: Query;
  signal?: AbortSignal;
  method?: string;
  token?: string;
  /** Sent as JSON (the write actions: a property's value, a webhook, a token). */
  body?: unknown;
}

/** Listeners told when the server refuses the credentials (401): the UI goes back to sign-in. */
const refusedListeners = new Set<() => void>();

export function onCredentialsRefused(listener: () => void): () => void {
  refusedListeners.add(listener);
  return () => refusedListeners.delete(listener);
}

/**
 * The API's base: the UI is served at `<base>/ui/`, the API at `<base>/` of the same origin.
 */
export function apiBase(): string {
  const at = location.pathname.indexOf('/ui/');
  return `${location.origin}${at > 0 ? location.pathname.slice(0, at) : ''}`;
}

/** The URL of an API path; query values left undefined are left out, empty ones sent empty. */
export function apiUrl(path: string, query: Query = {}): URL {
  const url = new URL(`${apiBase()}${path}`);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url;
}

/** The Authorization header of the signed-in session (none when signed out or auth is off). */
export function authHeaders(token = storedToken()): Record<string, string> {
  return token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` };
}

async function errorOf(res: Response): Promise<ApiError> {
  let summary = res.statusText;
  try {
    const body = (await res.json()) as { summary?: unknown };
    if (typeof body.summary === 'string') summary = body.summary;
  } catch {
    // Not a TAMS error body: the status text says enough.
  }
  return new ApiError(res.status, `${res.status} ${summary}`);
}

/**
 * GET (or another method) of a JSON answer, with the session's token, or with `token` (`''`:
 * none), in which case a 401 is the caller's to handle rather than the end of the session.
 */
export async function api<T>(path: string, options: ApiOptions = {}): Promise<ApiAnswer<T>> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...authHeaders(options.token ?? storedToken()),
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, `The server cannot be reached (${String(error)})`);
  }
  if (!res.ok) {
    if (res.status === 401 && options.token === undefined)
      for (const listener of refusedListeners) listener();
    throw await errorOf(res);
  }
  const text = await res.text();
  return { body: (text === '' ? undefined : JSON.parse(text)) as T, headers: res.headers };
}

/**
 * Where the UI reads the TAMS API: the server's TAMS 8.2 mount, which shows everything the
 * store holds (list-valued tags, Flow status and profile, webhook ids and status, Flow
 * profiles, storage backend tags, object timeranges), data written through 7.0 included
 * (docs/ui-hls.md, "Which API the UI reads"). The server's own extensions (search, EXR, HLS,
 * users and tokens) are not versioned: they stay at the root, read with `api`.
 */
export const TAMS_BASE = '/tams/v8.2';

/** `api` of a TAMS path (`/flows`, `/service/profiles`…) on the 8.2 mount. */
export function tams<T>(path: string, options: ApiOptions = {}): Promise<ApiAnswer<T>> {
  return api<T>(`${TAMS_BASE}${path}`, options);
}

/** The next page's key of a paged listing (TAMS: X-Paging-NextKey, the `page` of the Link). */
export function nextPageKey(headers: Headers): string | undefined {
  const key = headers.get('x-paging-nextkey');
  if (key !== null && key !== '') return key;
  const link = headers.get('link');
  const next = link?.split(',').find((part) => /rel="?next"?/.test(part));
  const target = next ? /<([^>]+)>/.exec(next)?.[1] : undefined;
  if (target === undefined) return undefined;
  return new URL(target, location.href).searchParams.get('page') ?? undefined;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
