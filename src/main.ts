import { buildApp } from './app.ts';
import { ConfigError, loadConfig, unknownSettings } from './config.ts';
import { buildRuntime } from './deps.ts';

async function main(): Promise<void> {
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
  const runtime = await buildRuntime(config);
  const app = await buildApp(runtime);
  for (const name of unknownSettings()) app.log.warn({ setting: name }, 'unknown TAMS_* setting ignored');
  runtime.start(app.log);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ host: config.TAMS_HOST, port: config.TAMS_PORT });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `tams-server: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
