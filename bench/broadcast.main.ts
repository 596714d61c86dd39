/**
 * tams-server as src/main.ts starts it, with the embedded accelerator left out when
 * BENCH_ACCELERATOR=off: the store on the core path the shared engines take, on the DuckDB file
 * (what the `core` test project runs; the server itself has no setting for it). Started by the
 * broadcast benchmark (bench/broadcast.bench.ts) in a process of its own, as startTams does.
 */
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { buildRuntime } from '../src/deps.ts';
import { loggerOptions } from '../src/http/logging.ts';
import { gracefulShutdown } from '../src/ops/ops.shutdown.ts';

const config = loadConfig();
const runtime = await buildRuntime(config, {
  log: pino(loggerOptions(config.TAMS_LOG_LEVEL)),
  accelerator: process.env.BENCH_ACCELERATOR === 'off' ? false : undefined,
});
const app = await buildApp(runtime);
runtime.start(app.log);
const stop = gracefulShutdown({
  closeServer: () => app.close(),
  closeRuntime: () => runtime.close(),
  shuttingDown: () => runtime.readiness.shuttingDown(),
  log: app.log,
  timeoutMs: config.TAMS_SHUTDOWN_TIMEOUT_SECONDS * 1000,
  exit: (code) => process.exit(code),
});
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
await app.listen({ host: config.TAMS_HOST, port: config.TAMS_PORT });
