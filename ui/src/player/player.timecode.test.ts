import { describe, expect, it } from 'vitest';
import { frameRateOf, frameSeconds, timecodeOf, timecodeText } from './player.timecode.ts';

const S = 1_000_000_000n;
/** 2023-11-14T22:13:20Z: TAI is UTC plus 37 leap seconds then. */
const T0 = 1_700_000_037n * S;
const rate = (numerator: number, denominator = 1) => ({ numerator, denominator });
const text = (ns: bigint, numerator: number, denominator = 1) =>
  timecodeText(timecodeOf(ns, rate(numerator, denominator)));

describe('UTC timecode of a TAMS time', () => {
  it('reads the UTC time of day from TAI nanoseconds, frames from the second', () => {
    expect(text(T0, 25)).toBe('22:13:20:00');
    expect(text(T0 + 40_000_000n, 25)).toBe('22:13:20:01');
    expect(text(T0 + S + 520_000_000n, 25)).toBe('22:13:21:13');
    expect(text(T0 + 20_000_000n, 50)).toBe('22:13:20:01');
    expect(text(T0 + 990_000_000n, 50)).toBe('22:13:20:49');
  });

  it('counts whole frames: a frame starts exactly on its boundary, not a nanosecond before', () => {
    expect(timecodeOf(T0 + 40_000_000n - 1n, rate(25)).frames).toBe(0);
    expect(timecodeOf(T0 + 40_000_000n, rate(25)).frames).toBe(1);
    expect(timecodeOf(T0 + S - 1n, rate(25)).frames).toBe(24);
    expect(text(T0 + S, 25)).toBe('22:13:21:00');
  });

  it('rolls over at minutes, hours and midnight', () => {
    expect(text(T0 + 39n * S + 960_000_000n, 25)).toBe('22:13:59:24');
    expect(text(T0 + 40n * S, 25)).toBe('22:14:00:00');
    // 2023-11-15T00:00:00Z is 6400 s after T0.
    expect(text(T0 + 6400n * S - 1n, 25)).toBe('23:59:59:24');
    expect(text(T0 + 6400n * S, 25)).toBe('00:00:00:00');
  });

  it('floors the fraction of the second times a rate that is not whole', () => {
    // 30000/1001: frame n starts at n × 1001/30000 s of the second; the second holds frames 0..29.
    expect(text(T0 + 33_366_666n, 30000, 1001)).toBe('22:13:20:00');
    expect(text(T0 + 33_366_667n, 30000, 1001)).toBe('22:13:20:01');
    expect(text(T0 + 999_999_999n, 30000, 1001)).toBe('22:13:20:29');
    expect(text(T0 + S, 30000, 1001)).toBe('22:13:21:00');
    // 24000/1001: 23.976 frames a second, the last (frame 23) short.
    expect(text(T0 + 41_708_333n, 24000, 1001)).toBe('22:13:20:00');
    expect(text(T0 + 41_708_334n, 24000, 1001)).toBe('22:13:20:01');
    expect(text(T0 + 999_999_999n, 24000, 1001)).toBe('22:13:20:23');
  });

  it('steps one frame per frame duration', () => {
    expect(frameSeconds(rate(25))).toBe(0.04);
    expect(frameSeconds(rate(30000, 1001))).toBeCloseTo(1 / 29.97, 6);
    let t = T0 + 10_000_000n;
    for (let i = 0; i < 25; i++) {
      expect(timecodeOf(t, rate(25)).frames).toBe(i);
      t += 40_000_000n;
    }
    expect(text(t, 25)).toBe('22:13:21:00');
  });

  it('finds the rate in essence parameters, or none', () => {
    expect(frameRateOf({ frame_rate: { numerator: 25 } })).toEqual(rate(25));
    expect(frameRateOf({ frame_rate: { numerator: 30000, denominator: 1001 } })).toEqual(rate(30000, 1001));
    expect(frameRateOf({ frame_rate: { numerator: 0 } })).toBeUndefined();
    expect(frameRateOf({ frame_rate: { numerator: 25.5 } })).toBeUndefined();
    expect(frameRateOf({ sample_rate: 48000 })).toBeUndefined();
    expect(frameRateOf(undefined)).toBeUndefined();
  });
});
