/**
 * Real media as separate tracks, for multi Flows: one ffmpeg run makes the test pattern's video
 * and its tone as MPEG-TS renditions of their own (one clock, so the two line up as a player's
 * alternate audio must), and captions are written as WebVTT segments on that clock
 * (X-TIMESTAMP-MAP ties their cue times to the video's first PTS, as RFC 8216 §3.5 has it).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { HttpClient } from '../helpers/server.ts';
import { FFMPEG, FFPROBE, type GeneratedStream, type MediaFile, testPattern } from './hls.media.ts';

const run = promisify(execFile);

export interface Cue {
  /** Seconds from the start of the stream. */
  start: number;
  end: number;
  text: string;
}

export interface Tracks {
  video: GeneratedStream;
  audio: GeneratedStream;
  captions: GeneratedStream;
}

function seconds(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

/** The segments ffmpeg's HLS muxer wrote into `dir` (`index.m3u8`), with their EXTINF durations. */
export async function segmentsOf(dir: string): Promise<MediaFile[]> {
  const lines = (await readFile(join(dir, 'index.m3u8'), 'utf8')).split('\n').map((l) => l.trim());
  const segments: MediaFile[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^#EXTINF:([0-9.]+),/.exec(lines[i] as string);
    if (!match) continue;
    const name = lines[i + 1] as string;
    segments.push({ bytes: await readFile(join(dir, name)), durationNs: seconds(match[1] as string) });
  }
  return segments;
}

const clock = (s: number) => {
  const ms = Math.round(s * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
};

/**
 * `durationSeconds` of 25 fps video and 48 kHz AAC in 1-second MPEG-TS segments, and a WebVTT
 * segment per video segment holding the cues that overlap it.
 */
/** The Flow fields of the three tracks generateTracks makes, for registering them as members. */
export const TRACK_FIELDS = {
  video: {
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    essence_parameters: {
      frame_width: 320,
      frame_height: 180,
      frame_rate: { numerator: 25, denominator: 1 },
    },
  },
  audio: {
    format: 'urn:x-nmos:format:audio',
    codec: 'audio/aac',
    essence_parameters: { sample_rate: 48000, channels: 2 },
  },
  captions: { format: 'urn:x-nmos:format:data', codec: 'text/vtt', essence_parameters: {} },
} as const;

export async function generateTracks(
  dir: string,
  durationSeconds: number,
  cues: readonly Cue[],
): Promise<Tracks> {
  await run(FFMPEG, [
    ...testPattern(durationSeconds),
    ...['-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-var_stream_map', 'v:0 a:0'],
    ...['-hls_segment_filename', join(dir, '%v/seg%d.ts'), join(dir, '%v/index.m3u8')],
  ]);
  const video = await segmentsOf(join(dir, '0'));
  // ffmpeg ends the audio with a sliver (the AAC frames past the video's end, ~21 ms) that adds
  // nothing a player buffers: left out, as an ingest cutting at the video's length would.
  const audio = (await segmentsOf(join(dir, '1'))).filter((s) => s.durationNs >= 100_000_000n);
  const { stdout } = await run(FFPROBE, [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=start_pts'],
    ...['-of', 'csv=p=0', join(dir, '0/seg0.ts')],
  ]);
  const firstPts = Number(/\d+/.exec(stdout)?.[0]);
  if (!Number.isInteger(firstPts)) throw new Error(`no start PTS in ffprobe's output: ${stdout}`);
  const captions: MediaFile[] = [];
  let at = 0;
  await mkdir(join(dir, 'vtt'), { recursive: true });
  for (const segment of video) {
    const end = at + Number(segment.durationNs) / 1e9;
    const inside = cues.filter((c) => c.start < end && c.end > at);
    const text = [
      'WEBVTT',
      `X-TIMESTAMP-MAP=MPEGTS:${firstPts},LOCAL:00:00:00.000`,
      '',
      ...inside.flatMap((c) => [`${clock(c.start)} --> ${clock(c.end)}`, c.text, '']),
    ].join('\n');
    captions.push({ bytes: Buffer.from(text), durationNs: segment.durationNs });
    at = end;
  }
  return {
    video: { container: 'video/mp2t', segments: video },
    audio: { container: 'audio/mp2t', segments: audio },
    captions: { container: 'text/vtt', segments: captions },
  };
}

/**
 * PUTs a multi Flow with no segments of its own (a Source of its own, `fields` added) and, when
 * there are any, its collection of `members`: the shape whose playlist is its members'.
 */
export async function putMultiFlow(
  server: HttpClient,
  id: string,
  members: readonly { id: string; role: string }[],
  headers: Record<string, string>,
  fields: Record<string, unknown> = {},
): Promise<void> {
  const flow = { id, source_id: randomUUID(), format: 'urn:x-nmos:format:multi', ...fields };
  const created = await server.put(`/flows/${id}`, flow, { headers });
  expect(created.status, created.text).toBe(201);
  if (members.length === 0) return;
  const collected = await server.put(`/flows/${id}/flow_collection`, members, { headers });
  expect(collected.status, collected.text).toBe(204);
}
