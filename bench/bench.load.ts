/** HTTP load with autocannon, in this process (the servers run in their own). */
import autocannon from 'autocannon';

export interface LoadResult {
  /** Successful (2xx) responses per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  seconds: number;
}

export interface LoadOptions {
  url: string;
  duration: number;
  connections: number;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent with every request (authorization). */
  headers?: Record<string, string>;
  /** Builds each request (path, body); called per request. */
  next?: () => { path: string; body?: string };
  /** Requests a second over all the connections at most (none: as fast as answers come). */
  rate?: number;
  /** Seconds a request may take before autocannon counts it failed (its default: 10). */
  timeout?: number;
  /** Requests to send in all, spread over the connections: the run ends with them, not at a deadline. */
  amount?: number;
  /**
   * Seconds of the same load, not measured, before the run: the first seconds on a fresh server
   * pay for compiling the route's code and the first full garbage collections (measured: 2,243
   * req/s and p99 12 ms for a first 10 s of segment pages, then 2,798 and 2,635 with p99 9 ms).
   */
  warmup?: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  if (options.warmup !== undefined && options.warmup > 0) await run(options, options.warmup);
  return run(options, options.duration);
}

/**
 * An autocannon run of `duration` seconds in this process, started: its instance (events, stop)
 * and its result once it ends.
 */
export function startLoad(
  options: Omit<LoadOptions, 'duration' | 'warmup'>,
  duration: number,
): { instance: autocannon.Instance; done: Promise<autocannon.Result> } {
  const next = options.next;
  let settle: { resolve: (r: autocannon.Result) => void; reject: (e: unknown) => void } | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const instance = autocannon(
    {
      url: options.url,
      duration,
      connections: options.connections,
      ...(options.rate === undefined ? {} : { overallRate: options.rate }),
      ...(options.amount === undefined ? {} : { amount: options.amount }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      method: options.method ?? 'GET',
      headers: { 'content-type': 'application/json', ...options.headers },
      requests: next
        ? [
            {
              setupRequest: (request) => {
                const { path, body } = next();
                return { ...request, path, ...(body === undefined ? {} : { body }) };
              },
            },
          ]
        : undefined,
    },
    (error, result) => (error ? settle?.reject(error) : settle?.resolve(result)),
  );
  return { instance, done };
}

async function run(options: LoadOptions, duration: number): Promise<LoadResult> {
  const result = await startLoad(options, duration).done;
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    failed: result.non2xx + result.errors,
    seconds: result.duration,
  };
}
