import { describe, expect, it } from 'vitest';
import { frameFromName, frameFromTimeline, frameNumber } from './exr.frames.ts';

const S = 1_000_000_000n;

describe('frame numbers', () => {
  it('reads the digits before the extension of a sequence name', () => {
    expect(frameFromName('beauty.1001.exr')).toBe(1001);
    expect(frameFromName('renders/shot_010/beauty_0042.EXR')).toBe(42);
    expect(frameFromName('plate-7')).toBe(7);
    expect(frameFromName('1001')).toBe(1001);
    expect(frameFromName('beauty.exr', 'other/comp.0005.exr')).toBe(5);
    // A UUID's last group is 12 hex digits, never a frame; nor are digits without a separator.
    expect(frameFromName('7c9e6679-7425-40de-944b-123456789012')).toBeUndefined();
    expect(frameFromName('v2.exr', 'beauty10.exr')).toBeUndefined();
    expect(frameFromName('f.1234567890.exr')).toBeUndefined();
  });

  it("places a segment on the Flow's timeline in frames, to the nearest", () => {
    const fps24 = { numerator: 1, denominator: 24 };
    expect(frameFromTimeline(0n, fps24)).toBe(0);
    // 1/24 s is no whole number of nanoseconds: starts rounded either way land on their frame.
    expect(frameFromTimeline(41_666_666n, fps24)).toBe(1);
    expect(frameFromTimeline(41_666_667n, fps24)).toBe(1);
    expect(frameFromTimeline(100n * S, fps24)).toBe(2400);
    expect(frameFromTimeline(-S, fps24)).toBe(-24);
    expect(frameFromTimeline(3n * S, { numerator: 2 })).toBe(2);
    expect(frameFromTimeline(S, undefined)).toBeUndefined();
    expect(frameFromTimeline(S, { numerator: 0, denominator: 1 })).toBeUndefined();
    expect(frameFromTimeline(10n ** 18n, { numerator: 1, denominator: 1000 })).toBeUndefined();
  });

  it('prefers the name to the timeline', () => {
    const timeline = { start: 2n * S, duration: { numerator: 1, denominator: 25 } };
    expect(frameNumber(['shot.0100.exr'], timeline)).toEqual({ number: 100, source: 'name' });
    expect(frameNumber(['7c9e6679-7425-40de-944b-e07fc1f90ae7'], timeline)).toEqual({
      number: 50,
      source: 'timeline',
    });
    expect(frameNumber(['x'])).toBeUndefined();
  });
});
