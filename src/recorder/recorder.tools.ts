import { execFile } from 'node:child_process';

/** How long a finding about ffmpeg is trusted (it may be installed, or removed, meanwhile). */
const TRUSTED_MS = 60_000;

/**
 * Whether ffmpeg and ffprobe run on this replica: asked at job creation, so a server without
 * them refuses jobs with a clear error instead of taking jobs it cannot run. Remembered a minute.
 */
export class MediaTools {
  private known: { at: number; missing: string | undefined } | undefined;

  constructor(
    readonly ffmpeg: string,
    readonly ffprobe: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Why jobs cannot run here (a tool missing or failing), or undefined when they can. */
  async missing(): Promise<string | undefined> {
    if (this.known && this.now() - this.known.at < TRUSTED_MS) return this.known.missing;
    let missing: string | undefined;
    for (const tool of [this.ffmpeg, this.ffprobe]) {
      missing = await runs(tool);
      if (missing !== undefined) break;
    }
    this.known = { at: this.now(), missing };
    return missing;
  }
}

function runs(tool: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(tool, ['-version'], { timeout: 10_000 }, (error) => {
      if (!error) return resolve(undefined);
      const code = (error as NodeJS.ErrnoException).code;
      resolve(
        code === 'ENOENT'
          ? `${tool} is not installed on this server (Debian: apt-get install ffmpeg; or set TAMS_RECORDER_FFMPEG/TAMS_RECORDER_FFPROBE)`
          : `${tool} -version failed: ${error.message}`,
      );
    });
  });
}
