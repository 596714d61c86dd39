import { describe, expect, it } from 'vitest';
import { timelineKey } from './timeline.keys.ts';
import { dragMarks, markAt, markEnd, markedSpan, markStart } from './timeline.range.ts';

describe('timeline keys', () => {
  it('moves, zooms and pans as a slider does', () => {
    expect(timelineKey('ArrowLeft', false)).toEqual({ kind: 'step', share: -0.01 });
    expect(timelineKey('ArrowUp', true)).toEqual({ kind: 'step', share: 0.1 });
    expect(timelineKey('+', false)).toEqual({ kind: 'zoom', factor: 0.5 });
    expect(timelineKey('PageDown', false)).toEqual({ kind: 'pan', share: 0.8 });
    expect(timelineKey('0', false)).toEqual({ kind: 'fit' });
    expect(timelineKey('a', false)).toBeUndefined();
  });

  it('marks a range with [ and ], and Escape clears it', () => {
    expect(timelineKey('[', false)).toEqual({ kind: 'markStart' });
    expect(timelineKey(']', false)).toEqual({ kind: 'markEnd' });
    expect(timelineKey('Escape', false)).toEqual({ kind: 'clearRange' });
  });
});

describe('range marks', () => {
  it('makes a range of a start then an end, or an end then a start', () => {
    expect(markedSpan(markEnd(markStart({}, 10n), 20n))).toEqual({ start: 10n, end: 20n });
    expect(markedSpan(markStart(markEnd({}, 20n), 10n))).toEqual({ start: 10n, end: 20n });
    expect(markedSpan(markStart({}, 10n))).toBeUndefined();
  });

  it('moves one end of a range and keeps the other', () => {
    const range = { start: 10n, end: 20n };
    expect(markStart(range, 15n)).toEqual({ start: 15n, end: 20n });
    expect(markEnd(range, 30n)).toEqual({ start: 10n, end: 30n });
  });

  it('drops the other end when a mark passes it: never an empty or reversed range', () => {
    const range = { start: 10n, end: 20n };
    expect(markStart(range, 20n)).toEqual({ start: 20n });
    expect(markStart(range, 25n)).toEqual({ start: 25n });
    expect(markEnd(range, 10n)).toEqual({ end: 10n });
    expect(markEnd(range, 5n)).toEqual({ end: 5n });
  });

  it('orders the ends of a drag made either way', () => {
    expect(dragMarks(30n, 10n)).toEqual({ start: 10n, end: 30n });
    expect(dragMarks(10n, 30n)).toEqual({ start: 10n, end: 30n });
    expect(markedSpan(dragMarks(10n, 10n))).toBeUndefined();
  });
});

describe('where [ and ] mark', () => {
  const extent = { start: 100n, end: 200n };

  it('marks at the playhead, within the Flow', () => {
    expect(markAt('start', 150n, extent)).toBe(150n);
    expect(markAt('end', 150n, extent, 'step')).toBe(150n);
    expect(markAt('start', 50n, extent)).toBe(100n);
    expect(markAt('end', 250n, extent)).toBe(200n);
  });

  it("marks the Flow's exclusive end with ] right after End, wherever the player stopped", () => {
    // End seeks to the last nanosecond; the player may report its clock a frame before.
    expect(markAt('end', 199n, extent, 'end')).toBe(200n);
    expect(markAt('end', 160n, extent, 'end')).toBe(200n);
    // A range from Home to End holds every segment wholly.
    expect(
      markedSpan(
        markEnd(markStart({}, markAt('start', 103n, extent, 'start')), markAt('end', 199n, extent, 'end')),
      ),
    ).toEqual(extent);
  });

  it('marks the playhead otherwise: [ after End, ] after Home, or after another key', () => {
    expect(markAt('start', 199n, extent, 'end')).toBe(199n);
    expect(markAt('end', 101n, extent, 'start')).toBe(101n);
    expect(markAt('end', 199n, extent, 'markStart')).toBe(199n);
  });
});
