/**
 * Real media for the recorder's tests, made by Debian's ffmpeg (test/hls/hls.media.ts finds it):
 * a test pattern with two tones, and what ffprobe says of recorded bytes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FFMPEG, FFPROBE } from '../hls/hls.media.ts';

const run = promisify(execFile);

/** `seconds` of test pattern (a key frame every 2 s) and two tones (440 Hz, 1 kHz), as MPEG-TS. */
export async function makeSource(path: string, seconds: number): Promise<void> {
  await run(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=1000:sample_rate=48000:duration=${seconds}`],
    ...['-map', '0:v', '-map', '1:a', '-map', '2:a'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '48k', '-ac', '1', path],
  ]);
}

/** The video frames ffprobe decodes from `file`. */
export async function frameCount(file: string): Promise<number> {
  const { stdout } = await run(FFPROBE, [
    ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=nb_read_frames', '-of', 'json', file],
  ]);
  const parsed = JSON.parse(stdout) as { streams: { nb_read_frames: string }[] };
  return Number(parsed.streams[0]?.nb_read_frames);
}
