/**
 * The field kit's idle-transaction check against a cluster that ends idle transactions sooner
 * than the engine needs: the fake VAST as a process of its own (fake.main.ts) with a transaction
 * timeout of 3.9 s, the engine keeping transactions alive every 2 s (TAMS_VAST_KEEP_ALIVE_MS). A
 * transaction idle for the interval survives there, one idle for twice the interval (what the
 * engine needs to outlive one lost keep-alive) does not: the check fails, says what it saw, and
 * names the setting to lower and a value that fits. (On the fake's default timeout it passes:
 * field.kit.test.ts.) The kit touches each transaction no sooner than its idle time after its
 * begin was answered, so the one of 4 s has ended however late it comes; the one of 2 s has
 * 1.9 s to spare.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killChild, spawnChild } from '../../helpers/children.ts';
import { SLOW_TEST_MS } from '../../helpers/deadlines.ts';
import { runKit } from './field.run.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

let fake: ChildProcess;
let out: string;
const said: Record<string, string> = {};

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'tams-kit-idle-'));
  // Node itself with tsx's loader: tsx's own CLI would run the fake in a child of its own, which
  // killing the CLI leaves running.
  fake = spawnChild(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'tools/vast-fake/fake.main.ts'), '--tx-timeout-ms', '3900'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // `name=value` lines, then `ready`.
  for await (const line of createInterface({ input: fake.stdout as NodeJS.ReadableStream })) {
    if (line === 'ready') break;
    const at = line.indexOf('=');
    said[line.slice(0, at)] = line.slice(at + 1);
  }
}, SLOW_TEST_MS);

afterAll(async () => {
  if (fake) await killChild(fake);
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('tams-mgmt vast check on a cluster that ends idle transactions too soon', () => {
  it(
    'fails the idle check, naming what it saw and the setting to lower',
    async () => {
      const r = await runKit(['vast', 'check', '--out', out, '--tx-cap', '0'], {
        TAMS_DB: 'vast',
        TAMS_VAST_ENDPOINTS: said.url ?? '',
        TAMS_VAST_ACCESS_KEY: said.access ?? '',
        TAMS_VAST_SECRET_KEY: said.secret ?? '',
        TAMS_VAST_BUCKET: said.bucket ?? '',
        TAMS_VAST_KEEP_ALIVE_MS: '2000',
      });
      const all = r.stdout + r.stderr;
      expect(r.code, all).toBe(1);
      expect(r.stdout, all).toMatch(/result: \d+ passed, 1 failed/);
      expect(r.stdout).toMatch(
        /✗ a transaction idle for 4 s is still open \(the engine keeps transactions alive every 2 s: TAMS_VAST_KEEP_ALIVE_MS\)/,
      );
      expect(r.stdout).toMatch(/observed: idle 2 s: keep-alive 200/);
      expect(r.stdout).toMatch(/observed: idle 4 s: keep-alive 404 NoSuchTransaction/);
      expect(r.stdout).toContain('observed: longest idle seen surviving: 2 s');
      expect(r.stdout).toMatch(
        /failed: .*a transaction idle for 4 s had ended.*set TAMS_VAST_KEEP_ALIVE_MS to 1000 or less/,
      );
    },
    SLOW_TEST_MS,
  );
});
