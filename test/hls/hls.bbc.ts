/**
 * Flows written by BBC's own ingest_hls.py (8.2, as published) with `--force-start-time`, the way
 * its README lays a stream on a timeline of the user's choice: each segment's timerange starts
 * where the previous one ended, and its `ts_offset` is worked out from the media's first
 * timestamp. The script converts 90 kHz ticks to nanoseconds one timestamp at a time, so those
 * offsets drift by a nanosecond every few segments (issue 60). Media: generateTracks (ffmpeg's
 * test pattern and its tone as MPEG-TS renditions of one clock). The suites using this are
 * skipped, saying why, where examplesGate finds the scripts' venv, ffmpeg or the scripts missing.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { examplesGate } from '../bbc-examples/examples.gate.ts';
import type { Mount } from '../bbc-examples/examples.plan.ts';
import { describeRun, runScript, type Target } from '../bbc-examples/examples.scripts.ts';
import { TRACK_FIELDS } from './hls.tracks.ts';

/** The 8.2 scripts at the 8.2 mount: the 7.0 ingest_hls.py has no --force-start-time. */
export const BBC_82: Mount = { version: '8.2', base: '/tams/v8.2', on: true };

export const bbcGate = () => examplesGate([BBC_82.version]);

/** Where the suites lay their streams: 2023-11-14T22:13:20Z UTC (TAI, 37 s ahead of UTC then). */
export const BBC_T0 = 1_700_000_037n * 1_000_000_000n;

/** A segment as the script registers it, as the suites read it back. */
export interface IngestedSegment {
  object_id: string;
  timerange: string;
  ts_offset?: string;
}

/** `s:ns`, as the scripts take timestamps. */
export function timestamp(ns: bigint): string {
  return `${ns / 1_000_000_000n}:${ns % 1_000_000_000n}`;
}

/**
 * Runs ingest_hls.py on the rendition of generateTracks in `dir/<rendition>` (`0` video, `1`
 * audio) into Flow `flowId`, every segment, starting at `start`.
 */
export async function bbcIngest(
  target: Target,
  dir: string,
  rendition: '0' | '1',
  flowId: string,
  label: string,
  start: bigint,
): Promise<void> {
  const track = rendition === '0' ? TRACK_FIELDS.video : TRACK_FIELDS.audio;
  const container = rendition === '0' ? 'video/mp2t' : 'audio/mp2t';
  const run = await runScript(
    BBC_82,
    'ingest_hls.py',
    [
      ...['--hls-filename', join(dir, rendition, 'index.m3u8'), '--hls-segment-count', '1000'],
      ...['--flow-id', flowId, '--force-start-time', timestamp(start)],
      ...['--flow-params', JSON.stringify({ label, container, ...track })],
    ],
    target,
    dir,
  );
  expect(run.code, describeRun(run)).toBe(0);
}

/** The EXT-X-DISCONTINUITY tags of a media playlist: the 0-based index of the segment each precedes. */
export function discontinuities(playlist: string): number[] {
  const found: number[] = [];
  let segment = 0;
  for (const line of playlist.split('\n')) {
    if (line.trim() === '#EXT-X-DISCONTINUITY') found.push(segment);
    else if (line.startsWith('#EXTINF:')) segment += 1;
  }
  return found;
}
