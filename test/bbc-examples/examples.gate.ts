/**
 * Whether BBC's example clients can run here: their venv with its packages, Debian's ffmpeg and
 * ffprobe (the media and the checks), and the published scripts. Without any of them the suite is
 * skipped on a developer machine, saying what is missing and how to get it;
 * TAMS_BBC_EXAMPLES_REQUIRED=1 (.ci/run) runs it anyway, so that it fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FFMPEG, FFPROBE } from '../hls/hls.media.ts';
import { EXAMPLES_DIR, PYTHON, scriptsPresent, VENV, type Version } from './examples.plan.ts';

export interface ExamplesGate {
  /** What is missing, each with how to get it (empty when all is there). */
  missing: string[];
  skip: boolean;
  /** Appended to the suite's title: why it is skipped, or nothing. */
  note: string;
}

export function examplesGate(
  versions: readonly Version[],
  env: NodeJS.ProcessEnv = process.env,
): ExamplesGate {
  const missing: string[] = [];
  const imports = 'import aiohttp, av, m3u8, mediatimestamp, mediajson';
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', imports], { stdio: 'ignore' }).status !== 0) {
    missing.push(`the scripts' packages in ${VENV} (bash scripts/oracles-venv.sh examples)`);
  }
  if (![FFMPEG, FFPROBE].every((tool) => spawnSync(tool, ['-version'], { stdio: 'ignore' }).status === 0)) {
    missing.push(`${FFMPEG}/${FFPROBE} (apt-get install ffmpeg)`);
  }
  for (const version of new Set(versions)) {
    if (!scriptsPresent(version))
      missing.push(`the ${version} scripts in ${EXAMPLES_DIR}/${version}/examples`);
  }
  const skip = missing.length > 0 && env.TAMS_BBC_EXAMPLES_REQUIRED !== '1';
  return { missing, skip, note: skip ? ` (skipped: no ${missing.join('; no ')})` : '' };
}
