/**
 * What a source carries, as ffprobe reads it: the video, each audio track and the subtitle or
 * caption streams, with the stream indexes a recording maps. ffprobe runs confined the way the
 * recording's ffmpeg will be (recorder.input.ts).
 */
import { spawn } from 'node:child_process';
import { FfmpegMissingError, SourceProbeError, SourceTimeoutError } from './recorder.errors.ts';
import { inputArgs, type SegmenterInput } from './recorder.input.ts';
import { lastLines } from './recorder.stderr.ts';

export interface FrameRate {
  numerator: number;
  denominator: number;
}

export interface ProbedVideo {
  index: number;
  codec: string;
  width: number;
  height: number;
  frameRate: FrameRate | null;
  /** H.264 or HEVC: what the recorder copies into MPEG-TS and declares in the Flow. */
  h264OrHevc: boolean;
  /** CEA-608/708 captions in the video's SEI (ffprobe's `closed_captions`). */
  closedCaptions: boolean;
}

export interface ProbedAudio {
  index: number;
  codec: string;
  sampleRate: number;
  channels: number;
}

export interface ProbedSubtitle {
  index: number;
  codec: string;
}

export interface SourceProbe {
  /** ffprobe's name of the container, e.g. `mpegts`. */
  format: string;
  video: ProbedVideo | null;
  audio: ProbedAudio[];
  subtitles: ProbedSubtitle[];
}

export interface ProbeOptions {
  ffprobePath?: string;
  /** How long the source may take to show its streams (default 15 s). */
  deadlineMs?: number;
  /** For a `pipe` source: the first bytes (a segment or two) to read the streams from. */
  bytes?: Uint8Array;
}

interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  closed_captions?: number;
  disposition?: { attached_pic?: number };
}

export async function probeSource(input: SegmenterInput, options: ProbeOptions = {}): Promise<SourceProbe> {
  const path = options.ffprobePath ?? 'ffprobe';
  const deadlineMs = options.deadlineMs ?? 15_000;
  const args = [
    ...['-hide_banner', '-v', 'error', '-print_format', 'json', '-show_streams', '-show_format'],
    ...inputArgs(input),
  ];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(path, args, { stdio: [input.kind === 'pipe' ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.stdout?.on('data', (b: Buffer) => stdout.push(b));
    child.stderr?.on('data', (b: Buffer) => stderr.push(b));
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new FfmpegMissingError(path) : error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new SourceTimeoutError(deadlineMs / 1000));
      else if (code !== 0) reject(new SourceProbeError(lastLines(Buffer.concat(stderr).toString(), 5)));
      else resolve(Buffer.concat(stdout).toString());
    });
    if (child.stdin) {
      // ffprobe stops reading once it knows the streams: the rest of the bytes are not wanted.
      child.stdin.on('error', () => {});
      child.stdin.end(options.bytes ?? new Uint8Array());
    }
  });
  return describe(JSON.parse(out) as { streams?: RawStream[]; format?: { format_name?: string } });
}

function describe(raw: { streams?: RawStream[]; format?: { format_name?: string } }): SourceProbe {
  const streams = raw.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video && !streams.some((s) => s.codec_type === 'audio')) {
    throw new SourceProbeError('no video or audio stream');
  }
  return {
    format: raw.format?.format_name ?? 'unknown',
    video: video
      ? {
          index: video.index,
          codec: video.codec_name ?? 'unknown',
          width: video.width ?? 0,
          height: video.height ?? 0,
          frameRate: rate(video.avg_frame_rate) ?? rate(video.r_frame_rate),
          h264OrHevc: video.codec_name === 'h264' || video.codec_name === 'hevc',
          closedCaptions: video.closed_captions === 1,
        }
      : null,
    audio: streams
      .filter((s) => s.codec_type === 'audio')
      .map((s) => ({
        index: s.index,
        codec: s.codec_name ?? 'unknown',
        sampleRate: Number(s.sample_rate ?? 0),
        channels: s.channels ?? 0,
      })),
    subtitles: streams
      .filter((s) => s.codec_type === 'subtitle')
      .map((s) => ({ index: s.index, codec: s.codec_name ?? 'unknown' })),
  };
}

/** ffprobe's `25/1`; `0/0` (unknown) is null. */
function rate(text: string | undefined): FrameRate | null {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!match) return null;
  const numerator = Number(match[1]);
  const denominator = Number(match[2]);
  return numerator > 0 && denominator > 0 ? { numerator, denominator } : null;
}
