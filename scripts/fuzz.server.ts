/** The tams-server process `npm run fuzz` tests: `src/main.ts` as `npm start` runs it, on a free port. */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FuzzServer {
  url: string;
  logFile: string;
  /** Whether the process is still running (a crash is a finding of its own). */
  alive(): boolean;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startServer(
  root: string,
  dir: string,
  env: Record<string, string>,
): Promise<FuzzServer> {
  const port = await freePort();
  const logFile = join(dir, 'server.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--max-semi-space-size=32', '--import', 'tsx', join(root, 'src/main.ts')],
    {
      cwd: root,
      env: { ...process.env, ...env, TAMS_HOST: '127.0.0.1', TAMS_PORT: String(port) },
      stdio: ['ignore', log, log],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // Polling /ready: the process gives no other sign that it is up.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`tams-server exited during start-up:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
    }
    const ready = await fetch(`${url}/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`tams-server was not ready within 120 s (log: ${logFile})`);
    await sleep(100);
  }
  return {
    url,
    logFile,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The server's error-level log lines (pino level 50 and up). */
export function errorLines(logFile: string): string[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => {
      try {
        return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50;
      } catch {
        return false; // Not pino's (a Node.js warning on stderr, say): not the server's error.
      }
    });
}
