import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type UrlGuard, UrlRefused } from './url.guard.ts';

/** Redirects a GET follows, each target checked as the first URL was. */
const MAX_REDIRECTS = 5;

/** A failure of a guarded exchange: refused by the guard, no answer in time, too large. */
export class GuardedHttpError extends Error {}

export interface GuardedRequest {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Until the answer's head arrives, redirects included. */
  timeoutMs: number;
}

export interface GuardedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects): relative references resolve against it. */
  url: string;
  /** The body, to read (readGuardedBody) or stream; an answer not read must be resumed. */
  body: IncomingMessage;
}

/**
 * An HTTP exchange the server starts with a URL someone else gave it (an HLS source, a
 * replication origin and the media URLs it hands out), with the care webhooks take: every URL,
 * redirect targets included, must pass the guard, and every connection is made to an address
 * it accepted (its lookup), so neither an answer, a redirect nor a DNS answer can turn the server
 * inward. GET and HEAD follow redirects; the Authorization header is sent only to the first URL's
 * origin (a redirect elsewhere goes without it).
 */
export async function guardedRequest(
  url: string,
  guard: UrlGuard,
  request: GuardedRequest,
): Promise<GuardedResponse> {
  const deadline = Date.now() + request.timeoutMs;
  const method = request.method ?? 'GET';
  const follows = method === 'GET' || method === 'HEAD';
  const firstOrigin = new URL(url).origin;
  let target = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    try {
      await guard.check(target);
    } catch (error) {
      if (error instanceof UrlRefused) throw new GuardedHttpError(`${target}: ${error.message}`);
      throw error;
    }
    const headers = { ...request.headers };
    if (new URL(target).origin !== firstOrigin) {
      for (const name of Object.keys(headers))
        if (name.toLowerCase() === 'authorization') delete headers[name];
    }
    const res = await send(target, guard, { ...request, method, headers }, deadline - Date.now());
    const status = res.statusCode ?? 0;
    if (follows && status >= 300 && status < 400 && res.headers.location !== undefined) {
      res.resume();
      target = new URL(res.headers.location, target).toString();
      continue;
    }
    return { status, headers: res.headers, url: target, body: res };
  }
  throw new GuardedHttpError(`${url}: more than ${MAX_REDIRECTS} redirects`);
}

function send(
  url: string,
  guard: UrlGuard,
  request: GuardedRequest,
  timeoutMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (timeoutMs <= 0) return reject(new GuardedHttpError(`${url}: no answer in time`));
    const parsed = new URL(url);
    const call = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    const req = call(
      parsed,
      { method: request.method, headers, lookup: guard.lookup, timeout: timeoutMs },
      resolve,
    );
    const timer = setTimeout(() => req.destroy(new GuardedHttpError(`${url}: no answer in time`)), timeoutMs);
    req.on('response', () => clearTimeout(timer));
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new GuardedHttpError(`${url}: no answer in time`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Reads an answer's body whole: at most `maxBytes`, within `timeoutMs`. */
export function readGuardedBody(
  res: IncomingMessage,
  maxBytes: number,
  url: string,
  timeoutMs: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => res.destroy(new GuardedHttpError(`${url}: not read in time`)),
      Math.max(0, timeoutMs),
    );
    res.on('close', () => clearTimeout(timer));
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy(new GuardedHttpError(`${url}: larger than ${maxBytes} bytes`));
        return;
      }
      parts.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(parts)));
    res.on('error', reject);
  });
}
