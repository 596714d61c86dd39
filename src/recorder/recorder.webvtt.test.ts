import { describe, expect, it } from 'vitest';
import { readVtt, VttError, writeVtt } from './recorder.webvtt.ts';

/** An HLS subtitle segment as ffmpeg's HLS muxer writes one: local 0 at MPEG-TS 900,000 (10 s). */
const SEGMENT = [
  'WEBVTT',
  'X-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000',
  '',
  'NOTE a comment, no cue',
  '',
  'first',
  '00:00:10.500 --> 00:00:12.000 line:10% align:start',
  'Hello',
  'world',
  '',
  '00:00:13.000 --> 00:00:12.000',
  'ends before it starts: skipped',
  '',
  '00:11.000 --> 00:14.250',
  '<v Anna>Second',
  '',
].join('\n');

describe('readVtt', () => {
  it('puts cues on the MPEG-TS clock by X-TIMESTAMP-MAP, keeping identifier, settings and text', () => {
    expect(readVtt(SEGMENT)).toEqual([
      {
        start: 1_845_000n,
        end: 1_980_000n,
        id: 'first',
        settings: 'line:10% align:start',
        payload: 'Hello\nworld',
      },
      { start: 1_890_000n, end: 2_182_500n, settings: '', payload: '<v Anna>Second' },
    ]);
  });

  it('maps cue time 0 to MPEG-TS 0 without a map, and wraps at 2^33', () => {
    expect(readVtt('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA\n')[0]).toMatchObject({
      start: 90_000n,
      end: 180_000n,
    });
    const wrapped = readVtt(
      `WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:${2 ** 33 - 90_000},LOCAL:00:00:00.000\n\n00:00:02.000 --> 00:00:03.000\nA\n`,
    );
    expect(wrapped[0]).toMatchObject({ start: 90_000n, end: 180_000n });
  });

  it('refuses what is not WebVTT, and a malformed map (every time would be wrong)', () => {
    expect(() => readVtt('<tt/>')).toThrow(VttError);
    expect(() => readVtt('WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:abc,LOCAL:00:00:00.000\n')).toThrow(/malformed/);
  });
});

describe('writeVtt', () => {
  it('writes the cues overlapping a segment, cut to it, local 0 at its first PTS', () => {
    const cues = readVtt(SEGMENT);
    // A video segment from 21.5 s to 23.5 s on the MPEG-TS clock.
    const text = writeVtt(1_935_000n, 180_000n, cues);
    expect(text).toBe(
      [
        'WEBVTT',
        'X-TIMESTAMP-MAP=MPEGTS:1935000,LOCAL:00:00:00.000',
        '',
        'first',
        '00:00:00.000 --> 00:00:00.500 line:10% align:start',
        'Hello',
        'world',
        '',
        '00:00:00.000 --> 00:00:02.000',
        '<v Anna>Second',
        '',
      ].join('\n'),
    );
    // Read back, the cues are where they were on the MPEG-TS clock (cut to the segment).
    expect(readVtt(text).map((c) => [c.start, c.end])).toEqual([
      [1_935_000n, 1_980_000n],
      [1_935_000n, 2_115_000n],
    ]);
  });

  it('keeps a payload from starting another cue', () => {
    const text = writeVtt(0n, 180_000n, [{ start: 0n, end: 90_000n, settings: '', payload: 'a --> b' }]);
    expect(readVtt(text)).toHaveLength(1);
    expect(text).toContain('a -> b');
  });
});
