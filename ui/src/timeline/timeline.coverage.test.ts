import { describe, expect, it } from 'vitest';
import { coverage } from './timeline.coverage.ts';

const span = (start: number, end: number) => ({ start: BigInt(start), end: BigInt(end) });

describe('coverage', () => {
  it('joins contiguous segments into runs and finds the gaps between them', () => {
    const segments = [span(0, 10), span(10, 20), span(30, 40), span(40, 45)];
    expect(coverage(segments, span(0, 45))).toEqual({
      runs: [span(0, 20), span(30, 45)],
      gaps: [span(20, 30)],
    });
  });

  it('counts time of the extent before, after and between segments as gaps', () => {
    expect(coverage([span(10, 20)], span(0, 30))).toEqual({
      runs: [span(10, 20)],
      gaps: [span(0, 10), span(20, 30)],
    });
  });

  it('keeps segments straddling the extent, and overlapping ones in one run', () => {
    const segments = [span(-5, 5), span(3, 8), span(12, 50)];
    expect(coverage(segments, span(0, 20))).toEqual({
      runs: [span(-5, 8), span(12, 50)],
      gaps: [span(8, 12)],
    });
  });

  it('is one gap when no segment is there, and nothing for an empty extent', () => {
    expect(coverage([], span(0, 10))).toEqual({ runs: [], gaps: [span(0, 10)] });
    expect(coverage([span(0, 10)], span(5, 5))).toEqual({ runs: [], gaps: [] });
  });
});
