/**
 * Video whose every picture says which frame it is, for checking the player's timecode against
 * the picture on screen: ffmpeg's geq filter paints frame number N as ten vertical bars of 32
 * pixels (bit i of N, least significant on the left, white for 1, black for 0), flat areas that
 * survive H.264 at any quality and read back from a canvas more reliably than burnt-in digits.
 * 25 fps, 320x180, a key frame every second, cut into 1-second MPEG-TS segments by ffmpeg's HLS
 * muxer; `encoder` chooses how libx264 codes it (its default has B-frames).
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FFMPEG, type GeneratedStream } from '../hls/hls.media.ts';
import { segmentsOf } from '../hls/hls.tracks.ts';

const run = promisify(execFile);

export const CODE_RATE = 25;
export const CODE_BITS = 10;
const BAR = 32;

export async function frameCodeStream(
  dir: string,
  encoder: readonly string[],
  durationSeconds: number,
): Promise<GeneratedStream> {
  await mkdir(dir, { recursive: true });
  const bars = `if(mod(floor(N/pow(2,floor(X/${BAR}))),2),235,16)`;
  await run(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `nullsrc=size=320x180:rate=${CODE_RATE}:duration=${durationSeconds}`],
    ...['-vf', `geq=lum='${bars}':cb=128:cr=128,format=yuv420p`],
    ...['-c:v', 'libx264', ...encoder],
    ...['-g', String(CODE_RATE), '-keyint_min', String(CODE_RATE), '-sc_threshold', '0'],
    ...['-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod'],
    ...['-hls_segment_filename', join(dir, 'seg%d.ts'), join(dir, 'index.m3u8')],
  ]);
  return { container: 'video/mp2t', segments: await segmentsOf(dir) };
}

/** What readFrameCode uses of the page (it runs in Chromium; the tests have no DOM types). */
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    drawImage(image: unknown, x: number, y: number, w: number, h: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  } | null;
}
declare const document: { createElement(tag: 'canvas'): PageCanvas };

/**
 * Runs in the page (self-contained: page.evaluate sends its source): the frame number painted
 * in the picture `video` shows, read from a canvas at the middle of each bar; -1 when a bar is
 * neither clearly white nor clearly black.
 */
export function readFrameCode(video: unknown): number {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 180;
  const context = canvas.getContext('2d');
  if (!context) return -1;
  context.drawImage(video, 0, 0, 320, 180);
  let n = 0;
  for (let bit = 0; bit < 10; bit++) {
    const luma = context.getImageData(bit * 32 + 16, 90, 1, 1).data[0] ?? 0;
    if (luma > 192) n += 2 ** bit;
    else if (luma > 64) return -1;
  }
  return n;
}
