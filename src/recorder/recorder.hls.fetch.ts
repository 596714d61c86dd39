import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type UrlGuard, UrlRefused } from '../common/url.guard.ts';

/** Redirects followed for one fetch, each target checked as the first URL was. */
const MAX_REDIRECTS = 5;

export interface FetchLimits {
  /** The whole exchange, redirects included. */
  timeoutMs: number;
  /** Bytes taken at most (a playlist or a segment larger is refused). */
  maxBytes: number;
}

export class HlsFetchError extends Error {}

/**
 * GETs what an HLS source names (a playlist, a segment, an init section) for the recorder, with
 * the care webhooks take: every URL, redirect targets included, must pass the guard
 * (TAMS_RECORDER_ALLOW), and every connection is made to an address it accepted (its lookup),
 * so neither a playlist nor a redirect nor a DNS answer can turn the server inward. Returns the
 * body and the URL it came from (relative URIs in a playlist resolve against it).
 */
export async function fetchGuarded(
  url: string,
  guard: UrlGuard,
  limits: FetchLimits,
): Promise<{ body: Buffer; url: string }> {
  const deadline = Date.now() + limits.timeoutMs;
  let target = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    try {
      await guard.check(target);
    } catch (error) {
      if (error instanceof UrlRefused) throw new HlsFetchError(`${target}: ${error.message}`);
      throw error;
    }
    const res = await get(target, guard, deadline - Date.now());
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location !== undefined) {
      res.resume();
      target = new URL(res.headers.location, target).toString();
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new HlsFetchError(`${target} answered ${status}`);
    }
    return { body: await readBody(res, limits.maxBytes, target, deadline - Date.now()), url: target };
  }
  throw new HlsFetchError(`${url}: more than ${MAX_REDIRECTS} redirects`);
}

function get(url: string, guard: UrlGuard, timeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (timeoutMs <= 0) return reject(new HlsFetchError(`${url}: no answer in time`));
    const parsed = new URL(url);
    const send = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(parsed, { method: 'GET', lookup: guard.lookup, timeout: timeoutMs }, resolve);
    const timer = setTimeout(() => req.destroy(new HlsFetchError(`${url}: no answer in time`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new HlsFetchError(`${url}: no answer in time`)));
    req.on('error', reject);
    req.end();
  });
}

function readBody(res: IncomingMessage, maxBytes: number, url: string, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => res.destroy(new HlsFetchError(`${url}: not read in time`)),
      Math.max(0, timeoutMs),
    );
    res.on('close', () => clearTimeout(timer));
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy(new HlsFetchError(`${url}: larger than ${maxBytes} bytes`));
        return;
      }
      parts.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(parts)));
    res.on('error', reject);
  });
}
