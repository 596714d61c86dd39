/**
 * `tams-mgmt vast check` as an admin runs it: the CLI in a process of its own, with exactly the
 * TAMS_* settings given (none inherited), where vitest cannot be loaded, as in the image
 * (field.no-vitest.mjs). Shared by the field kit's tests.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runToEnd, spawnChild } from '../../helpers/children.ts';
import { SLOW_TEST_MS } from '../../helpers/deadlines.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

export interface KitRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Lines printed in all, stdout and stderr together (what the admin has to read). */
  readonly lines: number;
}

/** Runs the kit to its end (killed after SLOW_TEST_MS: status null). */
export async function runKit(args: readonly string[], env: Record<string, string>): Promise<KitRun> {
  const child = spawnChild(
    process.execPath,
    ['--import', join(ROOT, 'test/vast/field/field.no-vitest.mjs'), join(ROOT, 'bin/tams-mgmt.mjs'), ...args],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const run = await runToEnd(child, SLOW_TEST_MS);
  const count = (text: string) => text.split('\n').filter((line) => line !== '').length;
  return { code: run.code, stdout: run.out, stderr: run.err, lines: count(run.out) + count(run.err) };
}

/** Every file under `dir`. */
export function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}
