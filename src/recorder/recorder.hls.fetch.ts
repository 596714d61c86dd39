import { GuardedHttpError, guardedRequest, readGuardedBody } from '../common/http.guarded.ts';
import type { UrlGuard } from '../common/url.guard.ts';

export interface FetchLimits {
  /** The whole exchange, redirects included. */
  timeoutMs: number;
  /** Bytes taken at most (a playlist or a segment larger is refused). */
  maxBytes: number;
}

export class HlsFetchError extends Error {}

/**
 * GETs what an HLS source names (a playlist, a segment, an init section) for the recorder through
 * the guarded client (TAMS_RECORDER_ALLOW: every URL and redirect target checked, every
 * connection to an address the guard accepted). Returns the body and the URL it came from
 * (relative URIs in a playlist resolve against it).
 */
export async function fetchGuarded(
  url: string,
  guard: UrlGuard,
  limits: FetchLimits,
): Promise<{ body: Buffer; url: string }> {
  const deadline = Date.now() + limits.timeoutMs;
  try {
    const res = await guardedRequest(url, guard, { timeoutMs: limits.timeoutMs });
    if (res.status !== 200) {
      res.body.resume();
      throw new HlsFetchError(`${res.url} answered ${res.status}`);
    }
    return {
      body: await readGuardedBody(res.body, limits.maxBytes, res.url, deadline - Date.now()),
      url: res.url,
    };
  } catch (error) {
    if (error instanceof GuardedHttpError) throw new HlsFetchError(error.message);
    throw error;
  }
}
