/**
 * Real media for the recorder's tests, made by Debian's ffmpeg (test/hls/hls.media.ts finds it):
 * a test pattern with two tones, and what ffprobe says of recorded bytes.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnChild } from '../helpers/children.ts';
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

/** The first video packet's PTS in `file` (ffprobe's, in the stream's time base: 90 kHz here). */
export async function firstPts(file: string): Promise<bigint> {
  const { stdout } = await run(FFPROBE, [
    ...['-v', 'error', '-select_streams', 'v:0', '-read_intervals', '%+#1'],
    ...['-show_entries', 'packet=pts', '-of', 'csv=p=0', file],
  ]);
  return BigInt(stdout.trim().split('\n')[0] as string);
}

/** A live HLS playlist (2 s segments, the last 5 listed) written into `dir` from `source`, looped in real time. */
export function writeHls(source: string, dir: string): ReturnType<typeof spawnChild> {
  return spawnChild(
    FFMPEG,
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', source],
      ...['-map', '0', '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '5'],
      ...['-hls_flags', 'delete_segments', join(dir, 'live.m3u8')],
    ],
    { stdio: 'ignore' },
  );
}

/**
 * An HTTP server on 127.0.0.1 serving `dir` (what ffmpeg's HLS muxer writes there), and a few
 * fixed answers: a playlist whose segment is at a private address, and a redirect to the
 * link-local metadata address.
 */
export async function serveHls(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const http: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path === '/inward.m3u8') {
      res.setHeader('content-type', 'application/vnd.apple.mpegurl');
      res.end(
        '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n#EXTINF:2.0,\nhttp://10.20.30.40/seg1.ts\n',
      );
      return;
    }
    if (path === '/moved.m3u8') {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/latest/meta-data/live.m3u8');
      res.end();
      return;
    }
    try {
      res.end(readFileSync(join(dir, path.replace(/^\/+/, '').replace(/\.\./g, ''))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

/** Bits of the frame number burnt into the top of each frame: 16×16 blocks, least significant first. */
const BITS = 20;
const BLOCK = 16;
const WIDTH = BITS * BLOCK;

/** How long liveEncoder's captions go on: longer than any test records. */
const CAPTION_SECONDS = 900;

/** Captions of liveEncoder: `t=<n>` for the half second from second n on, as WebVTT. */
export function captionsFile(path: string): void {
  const two = (n: number) => String(n).padStart(2, '0');
  const at = (s: number, ms: string) =>
    `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}.${ms}`;
  const cues = Array.from(
    { length: CAPTION_SECONDS },
    (_, n) => `${at(n, '000')} --> ${at(n, '500')}\nt=${n}\n`,
  );
  writeFileSync(path, `WEBVTT\n\n${cues.join('\n')}`);
}

/** A cue's `t=<n>` as the source time it names (frame 25·n carries the same time). */
export function captionSecond(payload: string): number | undefined {
  const n = /^t=(\d+)$/.exec(payload.trim())?.[1];
  return n === undefined ? undefined : Number(n);
}

/**
 * A live encoder on loopback: a test pattern with its frame number burnt in as a row of black
 * and white blocks (geq), a 440 Hz tone and captions (captionsFile), in real time (a key frame
 * every 2 s). It sends the picture and tone as MPEG-TS over UDP to `port` (which cannot carry
 * WebVTT: docs/recorder.md, "Captions"), and writes a live HLS presentation into `hlsDir`:
 * `live.m3u8`, a multivariant playlist whose variant (2 s segments, the last 5 listed) has a
 * WebVTT subtitle rendition. Its MPEG-TS starts at PTS 0 (`-muxdelay 0`): ffmpeg's WebVTT
 * segments carry no X-TIMESTAMP-MAP, which puts cue time 0 at PTS 0 (RFC 8216 §3.5).
 */
export function liveEncoder(port: number, hlsDir: string): ReturnType<typeof spawnChild> {
  const bit = `255*mod(floor(N/pow(2,floor(X/${BLOCK}))),2)`;
  const burn = `format=yuv420p,geq=lum='if(lt(Y,${BLOCK}),${bit},lum(X,Y))':cb='if(lt(Y,${BLOCK}),128,cb(X,Y))':cr='if(lt(Y,${BLOCK}),128,cr(X,Y))'`;
  const captions = join(hlsDir, 'captions.vtt');
  captionsFile(captions);
  const h264 = [
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '48k', '-ac', '1'],
  ];
  return spawnChild(
    FFMPEG,
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
      ...['-re', '-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x180:rate=25,${burn}`],
      ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-re', '-i', captions],
      ...['-map', '0:v', '-map', '1:a', ...h264, '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`],
      ...['-map', '0:v', '-map', '1:a', '-map', '2:s', ...h264, '-c:s', 'webvtt'],
      ...['-muxdelay', '0', '-muxpreload', '0', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '5'],
      ...['-hls_flags', 'delete_segments', '-var_stream_map', 'v:0,a:0,s:0,sgroup:subs'],
      ...['-master_pl_name', 'live.m3u8', join(hlsDir, 'stream_%v.m3u8')],
    ],
    { stdio: 'ignore' },
  );
}

/** The frame number liveEncoder burnt into the first frame `file` decodes to. */
export async function firstFrameNumber(file: string): Promise<number> {
  const { stdout } = await run(
    FFMPEG,
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, '-frames:v', '1'],
      // Each block's middle pixel (the edges blur in H.264), one byte of grey each.
      ...['-vf', `format=gray,crop=${WIDTH}:1:0:${BLOCK / 2},scale=${BITS}:1:flags=neighbor`],
      ...['-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    ],
    { encoding: 'buffer' },
  );
  const bytes = stdout as Buffer;
  if (bytes.length !== BITS) throw new Error(`${file}: ${bytes.length} bytes of frame number, not ${BITS}`);
  let n = 0;
  for (let i = 0; i < BITS; i++) if ((bytes[i] as number) >= 128) n += 2 ** i;
  return n;
}
