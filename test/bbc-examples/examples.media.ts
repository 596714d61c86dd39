/**
 * The media BBC's example clients ingest, made by Debian's ffmpeg in the run, and what the checks
 * read back with ffprobe. The scripts' own sample content is Big Buck Bunny cut by ffmpeg's HLS
 * muxer into video-only MPEG-TS segments (`-muxdelay 0 -an -f hls -hls_playlist_type vod`); here a
 * test pattern of the same shape, short and small: 12 s of H.264 at 50 frames/s (the rate the 7.0
 * scripts declare for their Flows), a key frame every 2 s, cut into six 2-second segments.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FFMPEG, FFPROBE } from '../hls/hls.media.ts';

const run = promisify(execFile);

export const SEGMENT_SECONDS = 2;
export const SEGMENT_COUNT = 6;
/** MPEG-TS timestamps are in 90 kHz ticks. */
export const TS_HZ = 90_000n;

export interface SourceSegment {
  name: string;
  bytes: Buffer;
  sha256: string;
  packets: Packet[];
}

export interface HlsStream {
  playlist: string;
  segments: SourceSegment[];
}

/** One video packet: its presentation time in 90 kHz ticks and the SHA-256 of its payload. */
export interface Packet {
  pts: number;
  hash: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes the stream into `dir` (`hls_output.m3u8` and `seg<n>.ts`, as the scripts' Makefile names it). */
export async function makeHls(dir: string): Promise<HlsStream> {
  const frames = 50 * SEGMENT_SECONDS;
  await run(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=50:duration=${SEGMENT_SECONDS * SEGMENT_COUNT}`],
    // No B-frames (ultrafast), a key frame at the start of every segment.
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-g', String(frames), '-keyint_min', String(frames), '-sc_threshold', '0'],
    ...[
      '-muxdelay',
      '0',
      '-an',
      '-f',
      'hls',
      '-hls_time',
      String(SEGMENT_SECONDS),
      '-hls_playlist_type',
      'vod',
    ],
    ...['-hls_segment_filename', join(dir, 'seg%d.ts'), join(dir, 'hls_output.m3u8')],
  ]);
  const playlist = join(dir, 'hls_output.m3u8');
  const names = (await readFile(playlist, 'utf8')).split('\n').filter((l) => l.endsWith('.ts'));
  const segments: SourceSegment[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const bytes = await readFile(path);
    segments.push({ name, bytes, sha256: sha256(bytes), packets: await packets(path) });
  }
  return { playlist, segments };
}

/** The video packets of a media file, in file order, as ffprobe reads them. */
export async function packets(path: string): Promise<Packet[]> {
  const { stdout } = await run(
    FFPROBE,
    [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts,data_hash'],
      ...['-show_data_hash', 'SHA256', '-of', 'json', path],
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const parsed = JSON.parse(stdout) as { packets?: { pts?: number; data_hash?: string }[] };
  return (parsed.packets ?? []).map((p, i) => {
    if (p.pts === undefined || p.data_hash === undefined)
      throw new Error(`${path}: packet ${i} has no pts or hash`);
    return { pts: p.pts, hash: p.data_hash };
  });
}

/**
 * Decodes every frame of the file (`ffmpeg -xerror -f null`): resolves with what ffprobe says of
 * its duration once the decode ran clean, rejects with ffmpeg's complaint otherwise.
 */
export async function plays(path: string): Promise<number> {
  const decode = await run(FFMPEG, ['-v', 'error', '-xerror', '-nostdin', '-i', path, '-f', 'null', '-']);
  if (decode.stderr.trim() !== '') throw new Error(`ffmpeg decoding ${path}: ${decode.stderr}`);
  const { stdout } = await run(FFPROBE, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'json',
    path,
  ]);
  return Number((JSON.parse(stdout) as { format: { duration: string } }).format.duration);
}
