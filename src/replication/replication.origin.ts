import type { IncomingHttpHeaders } from 'node:http';
import {
  GuardedHttpError,
  type GuardedResponse,
  guardedRequest,
  readGuardedBody,
} from '../common/http.guarded.ts';
import type { UrlGuard } from '../common/url.guard.ts';
import type { OriginAuth } from './store/replication.jobs.repo.ts';

/** An answer of the origin's API larger than this is refused (a page of 1,000 segments is ~1 MB). */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** The versions the job speaks: 8.2 for origins at 8 or later, 7.0 for the rest. */
export type OriginVersion = '7.0' | '8.2';

/** The origin failed or refused: `status` when it answered (404: what was asked is not there). */
export class OriginError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface OriginOptions {
  base: string;
  auth: OriginAuth;
  guard: UrlGuard;
  timeoutMs: number;
  /** Counts every request made to the origin (API, token endpoint and media). */
  counted: () => void;
}

/** A JSON answer with what its paging headers say. */
export interface OriginPage<T> {
  body: T;
  /** X-Paging-NextKey: the `page` to ask for next; undefined on the last page. */
  next?: string;
}

/**
 * Another TAMS server, as a replication job talks to it: its API base, its credentials (sent to
 * it alone: a media URL elsewhere, or a redirect elsewhere, goes without them), every request
 * through the guarded client (TAMS_REPLICATION_ALLOW). Credentials never appear in an error.
 */
export class Origin {
  private token: { value: string; until: number } | undefined;
  /** The token request under way: requests needing a token meanwhile wait for its answer. */
  private renewing: Promise<{ value: string; until: number }> | undefined;
  private readonly baseOrigin: string;
  version: OriginVersion = '7.0';
  apiVersion: string | undefined;

  constructor(private readonly options: OriginOptions) {
    this.baseOrigin = new URL(options.base).origin;
  }

  /** Asks /service what the origin is: its api_version decides how the job reads it. */
  async connect(): Promise<string> {
    const { body } = await this.json<{ api_version?: unknown; type?: unknown }>('/service');
    const given = typeof body.api_version === 'string' ? body.api_version : undefined;
    if (given === undefined)
      throw new OriginError(`${this.options.base}/service has no api_version: not a TAMS API base`);
    this.apiVersion = given;
    const major = Number(given.split('.')[0]);
    this.version = Number.isFinite(major) && major >= 8 ? '8.2' : '7.0';
    return given;
  }

  /** GETs `path` (under the base) as JSON; `query` added in order. */
  async json<T>(path: string, query: Record<string, string | undefined> = {}): Promise<OriginPage<T>> {
    const url = new URL(`${this.options.base}${path}`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, value);
    const res = await this.call(url.toString(), 'GET');
    const text = await this.read(res);
    if (res.status !== 200) throw this.failure(res, text);
    let body: T;
    try {
      body = JSON.parse(text.toString('utf8')) as T;
    } catch {
      throw new OriginError(`${res.url}: the answer is not JSON`, res.status);
    }
    const next = headerOf(res.headers, 'x-paging-nextkey');
    return { body, ...(next !== undefined && next !== '' && { next }) };
  }

  /** Sends a JSON body (webhook registration); answers the parsed answer (or undefined for none). */
  async send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T | undefined> {
    const res = await this.call(`${this.options.base}${path}`, method, body);
    const text = await this.read(res);
    if (res.status < 200 || res.status >= 300) throw this.failure(res, text);
    return text.length === 0 ? undefined : (JSON.parse(text.toString('utf8')) as T);
  }

  /** GETs a media URL the origin handed out: its credentials only where it is on the origin's origin. */
  async media(url: string, conditions: Record<string, string> = {}): Promise<GuardedResponse> {
    const res = await this.call(url, 'GET', undefined, new URL(url).origin === this.baseOrigin, conditions);
    // Not modified: the caller's copy is the origin's (asked with If-None-Match).
    if (res.status === 304 && Object.keys(conditions).length > 0) {
      res.body.resume();
      return res;
    }
    if (res.status !== 200) {
      const text = await this.read(res).catch(() => Buffer.alloc(0));
      throw this.failure(res, text);
    }
    return res;
  }

  private async call(
    url: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    body?: unknown,
    credentials = true,
    extra: Record<string, string> = {},
  ): Promise<GuardedResponse> {
    let refused: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json', ...extra };
      if (credentials) {
        const authorization = await this.authorization(refused);
        if (authorization !== undefined) headers.authorization = authorization;
      }
      if (body !== undefined) headers['content-type'] = 'application/json';
      this.options.counted();
      let res: GuardedResponse;
      try {
        res = await guardedRequest(url, this.options.guard, {
          method,
          headers,
          timeoutMs: this.options.timeoutMs,
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
      } catch (error) {
        if (error instanceof GuardedHttpError) throw new OriginError(error.message);
        const code = (error as NodeJS.ErrnoException).code;
        throw new OriginError(`${new URL(url).origin}: ${code ?? (error as Error).message}`);
      }
      // A token that expired early: asked for again once.
      if (
        res.status === 401 &&
        attempt === 0 &&
        credentials &&
        this.options.auth.kind === 'client_credentials'
      ) {
        refused = headers.authorization;
        res.body.resume();
        continue;
      }
      return res;
    }
  }

  private read(res: GuardedResponse): Promise<Buffer> {
    return readGuardedBody(res.body, MAX_JSON_BYTES, res.url, this.options.timeoutMs).catch(
      (error: unknown) => {
        throw new OriginError(error instanceof Error ? error.message : String(error), res.status);
      },
    );
  }

  private failure(res: GuardedResponse, text: Buffer): OriginError {
    let why = '';
    try {
      const parsed = JSON.parse(text.toString('utf8')) as { summary?: unknown };
      if (typeof parsed.summary === 'string') why = `: ${parsed.summary.slice(0, 300)}`;
    } catch {
      // Not a TAMS error body: the status says enough.
    }
    const path = new URL(res.url);
    return new OriginError(`${path.origin}${path.pathname} answered ${res.status}${why}`, res.status);
  }

  /**
   * The Authorization header for the origin's API; `refused`: the header the origin answered 401
   * (a token it held expired: another is asked for, unless a request beside it already did).
   */
  private async authorization(refused?: string): Promise<string | undefined> {
    const auth = this.options.auth;
    switch (auth.kind) {
      case 'none':
        return undefined;
      case 'bearer':
        return `Bearer ${auth.token}`;
      case 'basic':
        return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      case 'client_credentials': {
        let held = this.token;
        if (held === undefined || held.until <= Date.now() || refused === `Bearer ${held.value}`) {
          held = await this.renewToken(auth);
          this.token = held;
        }
        return `Bearer ${held.value}`;
      }
    }
  }

  /** One token request at a time: the copies running at once share its answer. */
  private renewToken(
    auth: Extract<OriginAuth, { kind: 'client_credentials' }>,
  ): Promise<{ value: string; until: number }> {
    this.renewing ??= this.fetchToken(auth).finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** OAuth 2.0 client credentials (RFC 6749 §4.4), the client authenticated with HTTP Basic. */
  private async fetchToken(
    auth: Extract<OriginAuth, { kind: 'client_credentials' }>,
  ): Promise<{ value: string; until: number }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope !== undefined && auth.scope !== '') form.set('scope', auth.scope);
    const basic = Buffer.from(
      `${encodeURIComponent(auth.client_id)}:${encodeURIComponent(auth.client_secret)}`,
    );
    this.options.counted();
    let res: GuardedResponse;
    try {
      res = await guardedRequest(auth.token_url, this.options.guard, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${basic.toString('base64')}`,
        },
        body: form.toString(),
        timeoutMs: this.options.timeoutMs,
      });
    } catch (error) {
      throw new OriginError(`token endpoint: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await this.read(res);
    if (res.status !== 200) throw new OriginError(`token endpoint answered ${res.status}`, res.status);
    const parsed = JSON.parse(text.toString('utf8')) as { access_token?: unknown; expires_in?: unknown };
    if (typeof parsed.access_token !== 'string') throw new OriginError('token endpoint gave no access_token');
    const seconds = typeof parsed.expires_in === 'number' ? parsed.expires_in : 300;
    // Renewed a little before it lapses (a tenth of its life, 30 s at most), so a request never
    // leaves with a token about to; a short-lived token is still used for most of its life.
    const margin = Math.min(30, seconds / 10);
    return { value: parsed.access_token, until: Date.now() + Math.max(1, seconds - margin) * 1000 };
  }
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
