/**
 * Real media for the HLS tests: a few seconds of test pattern and 440 Hz tone, H.264 and AAC,
 * cut by Debian's ffmpeg into 1-second HLS segments, as MPEG-TS or as fragmented MP4 with an
 * init segment. Without ffmpeg the suites are skipped on a developer machine, with a message,
 * and fail under CI (`CI` set), whose .ci/run installs it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const FFMPEG = process.env.TAMS_TEST_FFMPEG ?? 'ffmpeg';
export const FFPROBE = process.env.TAMS_TEST_FFPROBE ?? 'ffprobe';

/** Whether ffmpeg and ffprobe run here; throws under CI when they do not. */
export function ffmpegAvailable(): boolean {
  const ok = [FFMPEG, FFPROBE].every((tool) => spawnSync(tool, ['-version']).status === 0);
  if (ok) return true;
  const message = `${FFMPEG}/${FFPROBE} not found: install Debian's ffmpeg (apt-get install ffmpeg); HLS media suites skipped`;
  if (process.env.CI) throw new Error(`${message}; CI must install it`);
  console.warn(message);
  return false;
}

export interface MediaFile {
  bytes: Buffer;
  /** Its duration as ffmpeg's own playlist gives it (EXTINF), in nanoseconds. */
  durationNs: bigint;
}

export interface GeneratedStream {
  container: 'video/mp2t' | 'video/mp4' | 'audio/mp2t' | 'text/vtt';
  /** The init segment (ftyp + moov) of fragmented MP4. */
  init?: Buffer;
  segments: MediaFile[];
}

/** `1.000000` seconds as nanoseconds, exactly. */
function seconds(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

/** The kinds of stream made: `fmp4-self` is fragmented MP4 whose every segment has its own moov. */
export type StreamKind = 'mpegts' | 'fmp4' | 'fmp4-self';

/** The muxer's arguments for each kind, writing `index.m3u8` and `seg<n>.<ext>` into `dir`. */
function muxer(kind: StreamKind, dir: string): string[] {
  if (kind === 'fmp4-self') {
    // The segment muxer writes each second as a file of its own (ftyp, moov, then fragments).
    return [
      ...['-f', 'segment', '-segment_time', '1', '-segment_format', 'mp4', '-reset_timestamps', '0'],
      ...['-segment_format_options', 'movflags=frag_keyframe+empty_moov+default_base_moof'],
      ...['-segment_list', join(dir, 'index.m3u8'), '-segment_list_type', 'm3u8', join(dir, 'seg%d.mp4')],
    ];
  }
  const extension = kind === 'mpegts' ? 'ts' : 'm4s';
  return [
    ...['-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_segment_type', kind],
    ...(kind === 'fmp4' ? ['-hls_fmp4_init_filename', 'init.mp4'] : []),
    ...['-hls_segment_filename', join(dir, `seg%d.${extension}`), join(dir, 'index.m3u8')],
  ];
}

/** Generates `durationSeconds` of media in `dir` and reads back ffmpeg's segments and playlist. */
/**
 * ffmpeg's arguments up to the muxer for `durationSeconds` of its test pattern (320x180, 25 fps,
 * H.264) and a 440 Hz tone (48 kHz stereo AAC), with a key frame every second, so that every
 * 1-second segment starts with one.
 */
export function testPattern(durationSeconds: number): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=size=320x180:rate=25:duration=${durationSeconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${durationSeconds}`],
    ...['-map', '0:v', '-map', '1:a'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-g', '25', '-keyint_min', '25', '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '64k', '-ac', '2'],
  ];
}

export async function generateStream(
  dir: string,
  kind: StreamKind,
  durationSeconds = 5,
): Promise<GeneratedStream> {
  const args = [...testPattern(durationSeconds), ...muxer(kind, dir)];
  await run(FFMPEG, args);
  const playlist = await readFile(join(dir, 'index.m3u8'), 'utf8');
  const lines = playlist.split('\n').map((l) => l.trim());
  const segments: MediaFile[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^#EXTINF:([0-9.]+),/.exec(lines[i] as string);
    if (!match) continue;
    const name = lines[i + 1] as string;
    segments.push({ bytes: await readFile(join(dir, name)), durationNs: seconds(match[1] as string) });
  }
  return {
    container: kind === 'mpegts' ? 'video/mp2t' : 'video/mp4',
    init: kind === 'fmp4' ? await readFile(join(dir, 'init.mp4')) : undefined,
    segments,
  };
}

export interface Probe {
  streams: { codec_type?: string; codec_name?: string }[];
  format: { duration?: string; format_name?: string };
}

/**
 * ffprobe reading a URL (a playlist) end to end: the streams it finds and the duration. Since
 * 5.1.5 (and 6.1.2, 7.0.2) ffmpeg's HLS demuxer refuses segment URLs whose path does not end in
 * a media file extension. The fs store's URLs in a playlist end in one, so ffprobe reads them
 * with its default options, as a user runs it; S3 URLs cannot (their path is the object key):
 * `anyExtension` tells ffprobe to accept them.
 */
export async function probe(url: string, anyExtension = false): Promise<Probe> {
  const { stdout } = await run(FFPROBE, [
    ...['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format'],
    ...(anyExtension ? ['-allowed_segment_extensions', 'ALL', '-extension_picky', '0'] : []),
    url,
  ]);
  return JSON.parse(stdout) as Probe;
}
