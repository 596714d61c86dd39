/**
 * What a recording reads, and the ffmpeg input options that confine ffmpeg to exactly that. Each
 * kind gets a protocol whitelist with only what it needs and a demuxer whitelist with only the
 * containers it may carry, so a source cannot make ffmpeg open a local file, another protocol or
 * a playlist (the HLS demuxer) of its own choosing.
 */
import { SourceInputError } from './recorder.errors.ts';

export type SegmenterInput =
  /** `realtime`: read at the media's own rate (`-re`), as a live source would arrive. */
  | { kind: 'file'; path: string; realtime: boolean }
  /** MPEG-TS or fragmented MP4 bytes the caller writes to ffmpeg's stdin. */
  | { kind: 'pipe' }
  | { kind: 'udp' | 'srt' | 'rtmp'; url: string };

/** The mov demuxer's name, as ffmpeg matches it against a whitelist. */
const MP4 = 'mov,mp4,m4a,3gp,3g2,mj2';

interface KindRule {
  /** URL schemes the kind accepts (network kinds). */
  schemes: readonly string[];
  protocols: string;
  formats: string;
}

const RULES: Record<SegmenterInput['kind'], KindRule> = {
  file: { schemes: [], protocols: 'file', formats: `mpegts,${MP4},flv,matroska,webm` },
  pipe: { schemes: [], protocols: 'pipe', formats: `mpegts,${MP4}` },
  udp: { schemes: ['udp:'], protocols: 'udp', formats: 'mpegts' },
  srt: { schemes: ['srt:'], protocols: 'srt', formats: 'mpegts' },
  // ffmpeg's own RTMP client runs over its tcp protocol; rtmps would need tls too: not admitted.
  rtmp: { schemes: ['rtmp:'], protocols: 'rtmp,tcp', formats: 'flv,live_flv' },
};

/** ffmpeg's (or ffprobe's) options and URL for reading `input`. */
export function inputArgs(input: SegmenterInput): string[] {
  const rule = RULES[input.kind];
  const confine = ['-protocol_whitelist', rule.protocols, '-format_whitelist', rule.formats];
  switch (input.kind) {
    case 'file':
      if (input.path === '') throw new SourceInputError('a file source needs a path');
      return [...(input.realtime ? ['-re'] : []), ...confine, '-i', `file:${input.path}`];
    case 'pipe':
      return [...confine, '-i', 'pipe:0'];
    default:
      return [...confine, '-i', checkedUrl(input.url, rule.schemes, input.kind)];
  }
}

function checkedUrl(url: string, schemes: readonly string[], kind: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SourceInputError(`not a URL: ${JSON.stringify(url)}`);
  }
  if (!schemes.includes(parsed.protocol)) {
    throw new SourceInputError(
      `a ${kind} source needs a ${schemes.join(' or ')}// URL, not ${parsed.protocol}`,
    );
  }
  return url;
}
