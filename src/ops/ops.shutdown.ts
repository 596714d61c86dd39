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
  /** How soon a repeat of the first signal counts as the same one relayed (RELAY_WINDOW_MS). */
  relayWindowMs?: number;
}

/**
 * A terminal's Ctrl-C sends SIGINT to every process of its foreground group, and a parent such
 * as npm, which has it too, relays it to the child running the script: the server gets the one
 * Ctrl-C twice, a few milliseconds apart (up to 108 ms measured on a loaded 2-core machine,
 * test/ops/npm-start.test.ts), or as one when they coalesce. A repeat of the first
 * signal within this window is that relay; a person pressing Ctrl-C again to force the exit does
 * so seconds later.
 */
export const RELAY_WINDOW_MS = 1000;

/**
 * Graceful shutdown on SIGTERM/SIGINT, in the order that loses nothing: unready first, then the
 * HTTP server stops accepting and lets in-flight requests finish (their segments are committed
 * and acknowledged), then the workers finish their current step and the store flushes and closes
 * (the DuckDB engine CHECKPOINTs, so the file reopens without WAL replay). A second signal, or
 * the timeout, exits at once: committed transactions are in DuckDB's WAL either way. The first
 * signal repeated within RELAY_WINDOW_MS is not a second one: a parent relaying it.
 */
export function gracefulShutdown(deps: ShutdownDeps): (signal: string) => Promise<void> {
  const now = deps.now ?? (() => performance.now());
  const relayWindowMs = deps.relayWindowMs ?? RELAY_WINDOW_MS;
  let first: { signal: string; at: number } | undefined;
  return async (signal: string) => {
    if (first !== undefined) {
      const ms = Math.round(now() - first.at);
      if (signal === first.signal && ms < relayWindowMs) {
        deps.log.info({ signal, ms }, 'signal repeated by a parent process: shutting down as before');
        return;
      }
      deps.log.warn({ signal }, 'second signal during shutdown: exiting now');
      deps.exit(1);
      return;
    }
    const started = now();
    first = { signal, at: started };
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
