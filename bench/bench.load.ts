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
  method?: 'GET' | 'POST' | 'DELETE';
  /** Sent with every request (authorization). */
  headers?: Record<string, string>;
  /** Builds each request (path, body); called per request. */
  next?: () => { path: string; body?: string };
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const next = options.next;
  const result = await autocannon({
    url: options.url,
    duration: options.duration,
    connections: options.connections,
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
  });
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
