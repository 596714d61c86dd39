import { describe, expect, it } from 'vitest';
import {
  breaksBetween,
  formatSeconds,
  liveWindowSize,
  type TimelineSegment,
  targetDuration,
} from './hls.timeline.ts';

const S = 1_000_000_000n;
const seg = (start: bigint, end: bigint, tsOffset = 0n): TimelineSegment => ({ start, end, tsOffset });

describe('timeline', () => {
  it('breaks at a gap beyond 1 ms and at a ts_offset change, not between touching segments', () => {
    expect(breaksBetween(undefined, seg(0n, S))).toBe(false);
    expect(breaksBetween(seg(0n, S), seg(S, 2n * S))).toBe(false);
    // A client's rounding (90 kHz ticks to nanoseconds) leaves a few nanoseconds: no break.
    expect(breaksBetween(seg(0n, S), seg(S + 11n, 2n * S))).toBe(false);
    expect(breaksBetween(seg(0n, S), seg(S + 2_000_000n, 2n * S))).toBe(true);
    expect(breaksBetween(seg(0n, S), seg(S, 2n * S, 5n * S))).toBe(true);
  });

  it('takes ts_offset changes up to 1 µs, either way, for rounding, and more for a jump', () => {
    // BBC's ingest_hls.py --force-start-time: offsets 1 ns apart every few segments.
    expect(breaksBetween(seg(0n, S, 35n * S), seg(S, 2n * S, 35n * S - 1n))).toBe(false);
    expect(breaksBetween(seg(0n, S, 0n), seg(S, 2n * S, 1_000n))).toBe(false);
    expect(breaksBetween(seg(0n, S, 1_000n), seg(S, 2n * S, 0n))).toBe(false);
    // One 90 kHz tick (11.1 µs), one 192 kHz sample (5.2 µs): real moves of the media.
    expect(breaksBetween(seg(0n, S, 0n), seg(S, 2n * S, 11_111n))).toBe(true);
    expect(breaksBetween(seg(0n, S, 5_208n), seg(S, 2n * S, 0n))).toBe(true);
    expect(breaksBetween(seg(0n, S, 0n), seg(S, 2n * S, 1_001n))).toBe(true);
  });

  it('rounds target durations up, 1 at least', () => {
    expect(targetDuration([])).toBe(1);
    expect(targetDuration([2n * S, 2n * S + 1n])).toBe(3);
    expect(targetDuration([40_000_000n])).toBe(1);
  });

  it('sizes a live window by its span and three target durations', () => {
    const newestFirst = Array.from({ length: 20 }, (_, i) =>
      seg(BigInt(19 - i) * 2n * S, BigInt(20 - i) * 2n * S),
    );
    // 2 s segments, window 5 s: the three-target rule (6 s besides the oldest) needs 4.
    expect(liveWindowSize(newestFirst, 5n * S)).toBe(4);
    expect(liveWindowSize(newestFirst, 20n * S)).toBe(10);
    expect(liveWindowSize(newestFirst.slice(0, 2), 20n * S)).toBe(2);
  });

  it('formats seconds exactly', () => {
    expect(formatSeconds(0n)).toBe('0');
    expect(formatSeconds(10n * S)).toBe('10');
    expect(formatSeconds(1_500_000_000n)).toBe('1.5');
    expect(formatSeconds(1n)).toBe('0.000000001');
  });
});
