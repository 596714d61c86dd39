import { pino } from 'pino';
import { buildApp } from './app.ts';
import { packageVersion } from './common/package-info.ts';
import { ConfigError, loadConfig, unknownSettings } from './config.ts';
import { DbError, DbStorageError, StoreLockedError } from './db/db.errors.ts';
import { buildRuntime } from './deps.ts';
import { loggerOptions } from './http/logging.ts';
import { gracefulShutdown } from './ops/ops.shutdown.ts';
import { timeoutWarnings } from './service/service.timeouts.ts';
import { LogRing, teeDestination } from './support/support.logring.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--version')) {
    process.stdout.write(`tams-server ${packageVersion()}\n`);
    return;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tams-server: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // The last log lines, kept for the support bundle: both loggers write there besides stdout.
  const logRing = config.TAMS_SUPPORT_LOG_LINES > 0 ? new LogRing(config.TAMS_SUPPORT_LOG_LINES) : undefined;
  const startLog = logRing
    ? pino(loggerOptions(config.TAMS_LOG_LEVEL), teeDestination(logRing))
    : pino(loggerOptions(config.TAMS_LOG_LEVEL));
  // The banner: what runs, before anything it does is logged (a support request starts here).
  const version = packageVersion();
  startLog.info(
    { version, node: process.version, engine: config.TAMS_DB, dataDir: config.TAMS_DATA_DIR },
    `tams-server ${version} starting (TAMS 7.0 and 8.2; Node.js ${process.version}; engine ${config.TAMS_DB})`,
  );
  // Start-up work before the HTTP server (and its logger) exists: schema migrations.
  const runtime = await buildRuntime(config, { log: startLog, logRing });
  const app = await buildApp(runtime);
  for (const name of unknownSettings()) app.log.warn({ setting: name }, 'unknown TAMS_* setting ignored');
  // Timeouts outside TAMS 8.2's bounds: the server starts, and 8.2's /service states them.
  for (const { settings, message } of timeoutWarnings(runtime.service.timeouts())) {
    app.log.warn({ settings }, message);
  }
  runtime.start(app.log);

  // Graceful shutdown (src/ops/ops.shutdown.ts): unready, drain requests, stop workers, close the store.
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
  const address = app.server.address();
  if (address !== null && typeof address === 'object') {
    const host = config.TAMS_HOST === '0.0.0.0' || config.TAMS_HOST === '::' ? 'localhost' : config.TAMS_HOST;
    runtime.setListeningUrl(`http://${host}:${address.port}`);
  }
}

main().catch((error: unknown) => {
  // A store newer than this code (a later release opened it, or its schema is newer), or a
  // damaged append journal: the message says what to do; a stack would only bury it.
  if (
    error instanceof DbError &&
    (error.code === 'schema_too_new' || error.code === 'release_too_new' || error.code === 'journal_damaged')
  ) {
    process.stderr.write(`tams-server: cannot start: ${error.message}\n`);
    process.exit(1);
  }
  if (error instanceof DbStorageError) {
    process.stderr.write(
      `tams-server: cannot start: the store cannot write its files: ${error.reason} (${error.detail}). Nothing was lost: free space (or fix the disk), then start again.\n`,
    );
    process.exit(1);
  }
  if (error instanceof StoreLockedError) {
    process.stderr.write(
      `tams-server: ${error.message}: another tams-server (or a tams-mgmt command) uses this data directory\n`,
    );
    process.exit(1);
  }
  process.stderr.write(
    `tams-server: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
