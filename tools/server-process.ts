/**
 * A tams-server child process until it listens: its stdout is pino JSON, and the line
 * "Server listening at http://127.0.0.1:N" gives the address. Shared by the tests that run the
 * server as a process (test/ops/child.ts) and the compiled-server smoke test (scripts/smoke-dist.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * How long a server process may take to listen. Far above its usual 2-5 s: on a loaded 2-core
 * machine (load average 8) a start through tsx has taken over 20 s, and the deadline only ends a
 * start that has failed.
 */
export const START_DEADLINE_MS = 120_000;

export interface ListeningServer {
  url: string;
  /** Log lines (pino JSON) seen so far; later lines keep arriving. */
  logs: Record<string, unknown>[];
  /** What the process wrote on stderr so far. */
  stderr: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Resolves once `child` logs that it listens; rejects if it exits first or after `timeoutMs`, and
 * then kills it: a server that was slow to start must not outlive the test that gave up on it.
 */
export async function awaitListening(child: ChildProcess, timeoutMs: number): Promise<ListeningServer> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "Server listening" in ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${stderr}`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      const match = /^Server listening at (http:\/\/127\.0\.0\.1:\d+)$/.exec(String(entry.msg));
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  let url: string;
  try {
    url = await listening;
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return { url, logs, stderr: () => stderr, exited };
}
