/**
 * Support of the web UI's browser tests: the UI built from the current sources (Vite, into a
 * temporary folder the test server serves), Debian's Chromium through playwright-core, where
 * screenshots go, and the oracle of where a TAMS time sits on the player's clock.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseTimeRange } from '../../src/time/index.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/** The UI as `npm run build:ui` builds it, from the sources as they are now, into `outDir`. */
export async function buildUi(outDir: string): Promise<void> {
  await run(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(ROOT, 'ui/vite.config.ts'),
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: ROOT },
  );
}

/** Screenshots the tests save, for people to look at (gitignored). */
export const SCREENSHOTS = join(ROOT, '.tmp/ui-screenshots');

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}

export interface RegisteredSegment {
  start: bigint;
  end: bigint;
}

export function registered(timeranges: readonly string[]): RegisteredSegment[] {
  return timeranges.map((text) => {
    const range = parseTimeRange(text);
    if (range.start === null || range.end === null) throw new Error(`unbounded segment ${text}`);
    return { start: range.start, end: range.end };
  });
}

/**
 * Where TAMS time `t` plays on the player's clock, by HLS's rules alone: a VOD playlist lays
 * its segments end to end from 0 (EXTINF = the timerange's duration), so a gap takes no time;
 * a time in a gap plays from the next segment.
 */
export function expectedPlayerTime(t: bigint, segments: readonly RegisteredSegment[]): number {
  let clock = 0;
  for (const s of segments) {
    if (t < s.start) return clock;
    if (t < s.end) return clock + Number(t - s.start) / 1e9;
    clock += Number(s.end - s.start) / 1e9;
  }
  return clock;
}
