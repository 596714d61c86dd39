import { VastConnectionError, VastHttpError } from './transport.errors.ts';

export interface RetryOptions {
  /** Tries of one call at most, the first included. */
  readonly maxAttempts: number;
  /** No wait starts that would end later than this after the call began. */
  readonly maxTotalMs: number;
  /** The first wait's ceiling; each further one doubles it. */
  readonly baseDelayMs: number;
  /** No wait's ceiling goes above this. */
  readonly maxDelayMs: number;
}

/**
 * Defaults. The Python SDK tries 10 times within 60 s; a TAMS request should not hang that long
 * behind a busy cluster: past this budget the API answers 503 with Retry-After and the client
 * decides.
 */
export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 5,
  maxTotalMs: 10_000,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
};

/** Time as the transport sees it: injected, so tests move it without sleeping. */
export interface Timers {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1). */
  random(): number;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * The wait before try `attempt + 1` (attempt counts from 1): "full jitter", uniform in
 * [0, min(max, base * 2^(attempt-1))], so that replicas backing off together spread out.
 */
export function backoffDelay(attempt: number, options: RetryOptions, random: number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random * ceiling);
}

/**
 * What to do after a failed try.
 * - `next_endpoint`: the request never left (refused, unreachable, connect timeout): any call
 *   may go to another endpoint at once.
 * - `backoff`: VAST may have received it (503, SlowDown or not; a connection lost after
 *   sending): only an idempotent call is sent again, after a wait.
 * - `fail`: anything else (4xx, 500, 507...), or a non-idempotent call that may have arrived.
 */
export function retryDecision(error: unknown, idempotent: boolean): 'next_endpoint' | 'backoff' | 'fail' {
  if (error instanceof VastConnectionError)
    return error.sent ? (idempotent ? 'backoff' : 'fail') : 'next_endpoint';
  if (error instanceof VastHttpError && error.retryable) return idempotent ? 'backoff' : 'fail';
  return 'fail';
}
