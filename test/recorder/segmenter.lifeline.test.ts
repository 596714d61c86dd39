/**
 * ffmpeg dies with the server that ran it: a process recording UDP through the Segmenter is killed
 * with SIGKILL, and its ffmpeg goes with it (setpriv's parent-death signal), freeing the port for
 * the replica that takes the job over. Without it the orphan went on holding the port.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { killChild, spawnChild } from '../helpers/children.ts';
import { closedPort } from '../helpers/ports.ts';
import { FFMPEG, ffmpegAvailable } from '../hls/hls.media.ts';
import { waitFor } from '../segments/helpers.ts';

const run = promisify(execFile);
const available = ffmpegAvailable();
const dir = mkdtempSync(join(tmpdir(), 'tams-lifeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pids of processes whose command line names `text`. */
async function processesNaming(text: string): Promise<string[]> {
  try {
    const { stdout } = await run('pgrep', ['-f', '--', text]);
    return stdout.split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

describe.skipIf(!available)('the Segmenter’s ffmpeg', () => {
  it('dies with the process that started it', async () => {
    const port = await closedPort();
    const url = `udp://127.0.0.1:${port}`;
    const script = `
      import { Segmenter } from ${JSON.stringify(join(process.cwd(), 'src/recorder/recorder.segmenter.ts'))};
      await Segmenter.start({ kind: 'udp', url: ${JSON.stringify(url)} }, {
        ffmpegPath: ${JSON.stringify(FFMPEG)}, workDir: ${JSON.stringify(dir)},
        tracks: [{ kind: 'video' }], onSegment: async () => {},
      });
      process.stdout.write('started\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawnChild(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('started')) resolve();
        });
        child.once('exit', () => reject(new Error('the recording process ended first')));
      });
      const ffmpeg = await waitFor('ffmpeg running', async () => {
        const found = await processesNaming(`-i ${url}`);
        return found.length > 0 ? found : undefined;
      });
      expect(ffmpeg.length).toBeGreaterThan(0);
      child.kill('SIGKILL');
      await waitFor(
        'ffmpeg gone with it',
        async () => (await processesNaming(`-i ${url}`)).length === 0 || undefined,
      );
    } finally {
      await killChild(child);
    }
  });
});
