/** ffmpeg or ffprobe is not installed where the settings say (the spawn failed with ENOENT). */
export class FfmpegMissingError extends Error {
  constructor(readonly path: string) {
    super(
      `ffmpeg not found: install Debian's ffmpeg (apt-get install ffmpeg), or set its path (tried ${path})`,
    );
    this.name = 'FfmpegMissingError';
  }
}

/** The source gave ffprobe nothing it could read within the deadline. */
export class SourceTimeoutError extends Error {
  constructor(readonly seconds: number) {
    super(`the source gave no media within ${seconds} s`);
    this.name = 'SourceTimeoutError';
  }
}

/** ffprobe read the source and failed (no such stream, not a format allowed for its kind, ...). */
export class SourceProbeError extends Error {
  constructor(readonly detail: string) {
    super(`the source could not be read: ${detail}`);
    this.name = 'SourceProbeError';
  }
}

/** A source whose URL does not fit its kind (a `udp` source naming another protocol). */
export class SourceInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceInputError';
  }
}
