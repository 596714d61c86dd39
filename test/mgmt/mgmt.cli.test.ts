/**
 * The tams-mgmt binary as operators run it: it refuses clearly while a server holds the DuckDB
 * file, and works once the server is stopped.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/server.ts';
import { spawnServer } from '../ops/child.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/tams-mgmt.mjs', import.meta.url).pathname;
const dir = tempDir('tams-mgmt-cli-');
afterAll(() => dir.remove());

async function mgmt(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, TAMS_DATA_DIR: dir.path, TAMS_AUTH: 'none', TAMS_LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tams-mgmt (bin)', () => {
  it('says to stop the server while it holds the store, and works once it is stopped', async () => {
    const server = await spawnServer({ TAMS_DATA_DIR: dir.path });
    try {
      const busy = await mgmt('tables');
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(
        /^tams-mgmt: the store \S+tams\.duckdb is open in another process \(PID \d+\)/,
      );
      expect(busy.stderr).toContain('stop the server');
      expect(busy.stderr.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      server.process.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
    const free = await mgmt('tables');
    expect(free.code, free.stderr).toBe(0);
    expect(free.stdout).toMatch(/^service_settings\s+\d+/m);
    const usage = await mgmt('--bogus');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('tams-mgmt help');
  });
});
