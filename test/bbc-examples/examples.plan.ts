/**
 * Which of BBC's example client sets run against which API base of the one server
 * (test/bbc-examples/bbc-examples.test.ts), and where the scripts, their venv and the media tools
 * are. The scripts are run from `../shared/tams-examples/<version>/examples` as published (tags
 * 7.0 and 8.2 of bbc/tams), never copied or changed.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Version = '7.0' | '8.2';

export interface Mount {
  /** The scripts' set: the tag of bbc/tams they were published at. */
  version: Version;
  /** The API base they are given as `--tams-url` (a path on the test's server). */
  base: string;
  /** Whether the server has this mount yet. */
  on: boolean;
}

/**
 * The mounts of issue 49. 7.0 has always been at `/`; `/tams/v7.0` and `/tams/v8.2` arrive with
 * the version mounts: turn each on here when it lands (one flag each), and every run, check and
 * cross-version check below follows. TAMS_BBC_EXAMPLES_RUNS overrides the list for a local try:
 * `7.0@/ 8.2@/tams/v8.2` (space or comma separated `version@base`).
 */
export const MOUNTS: readonly Mount[] = [
  { version: '7.0', base: '/', on: true },
  { version: '7.0', base: '/tams/v7.0', on: true },
  // On since 8.2 serves Flows, segments (object_timerange, which the 8.2 outgest_file.py needs
  // beside sample_offset/sample_count) and storage: the three mounts, and every cross-version
  // outgest, pass together (2026-11-27).
  { version: '8.2', base: '/tams/v8.2', on: true },
];

export function mountsToRun(env: NodeJS.ProcessEnv = process.env): { on: Mount[]; off: Mount[] } {
  const given = env.TAMS_BBC_EXAMPLES_RUNS?.trim();
  if (!given) return { on: MOUNTS.filter((m) => m.on), off: MOUNTS.filter((m) => !m.on) };
  const on = given.split(/[\s,]+/).map((item): Mount => {
    const match = /^(7\.0|8\.2)@(\/.*)$/.exec(item);
    if (!match)
      throw new Error(`TAMS_BBC_EXAMPLES_RUNS: "${item}" is not version@base (7.0@/, 8.2@/tams/v8.2)`);
    return { version: match[1] as Version, base: match[2] as string, on: true };
  });
  return { on, off: [] };
}

/** A mount's name in test titles and file names. */
export function mountName(mount: Mount): string {
  return `${mount.version} scripts at ${mount.base}`;
}

const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** BBC's published examples: TAMS_EXAMPLES_DIR, or ../shared/tams-examples beside the repository. */
export const EXAMPLES_DIR = resolve(REPO, process.env.TAMS_EXAMPLES_DIR ?? '../shared/tams-examples');

export function scriptsDir(version: Version): string {
  return join(EXAMPLES_DIR, version, 'examples');
}

/** The scripts' venv (`bash scripts/oracles-venv.sh examples`); TAMS_EXAMPLES_VENV names another. */
export const VENV = process.env.TAMS_EXAMPLES_VENV || join(REPO, '.venv-tams-examples');
export const PYTHON = join(VENV, 'bin/python');

export function scriptsPresent(version: Version): boolean {
  const dir = scriptsDir(version);
  return ['ingest_hls.py', 'outgest_file.py', 'simple_edit.py'].every((f) => existsSync(join(dir, f)));
}
