export interface ShutdownLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ShutdownDeps {
  /**
   * Stops accepting connections and waits for in-flight requests (Fastify's app.close; the app
   * ends connections with no request in flight meanwhile: src/http/connections.ts).
   */
  closeServer(): Promise<void>;
  /** Stops background workers after their current step, flushes, closes media and the store. */
  closeRuntime(): Promise<void>;
  /** Marks the server unready at once. */
  shuttingDown(): void;
  log: ShutdownLog;
  /** After this long the process exits anyway (with status 1). */
  timeoutMs: number;
  exit(code: number): void;
  now?: () => number;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT, in the order that loses nothing: unready first, then the
 * HTTP server stops accepting and lets in-flight requests finish (their segments are committed
 * and acknowledged), then the workers finish their current step and the store flushes and closes
 * (the DuckDB engine CHECKPOINTs, so the file reopens without WAL replay). A second signal, or
 * the timeout, exits at once: committed transactions are in DuckDB's WAL either way.
 */
export function gracefulShutdown(deps: ShutdownDeps): (signal: string) => Promise<void> {
  const now = deps.now ?? (() => performance.now());
  let stopping = false;
  return async (signal: string) => {
    if (stopping) {
      deps.log.warn({ signal }, 'second signal during shutdown: exiting now');
      deps.exit(1);
      return;
    }
    stopping = true;
    const started = now();
    deps.log.info({ signal }, 'shutting down');
    deps.shuttingDown();
    const timer = setTimeout(() => {
      deps.log.error({ timeoutMs: deps.timeoutMs }, 'shutdown timed out: exiting');
      deps.exit(1);
    }, deps.timeoutMs);
    try {
      await deps.closeServer();
      await deps.closeRuntime();
      deps.log.info({ ms: Math.round(now() - started) }, 'shut down cleanly');
      deps.exit(0);
    } catch (error) {
      deps.log.error({ err: error }, 'shutdown failed');
      deps.exit(1);
    } finally {
      clearTimeout(timer);
    }
  };
}
