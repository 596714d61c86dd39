import { describe, expect, it } from 'vitest';
import { fitView, followView, MIN_SPAN, ticks, timeAt, xOf, zoomView } from './timeline.scale.ts';

const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S;

describe('the timeline scale', () => {
  const view = { start: T0, end: T0 + 10n * S };

  it('maps times to pixels and back, to the nanosecond at any absolute time', () => {
    expect(xOf(T0 + 5n * S, view, 1000)).toBe(500);
    expect(timeAt(500, view, 1000)).toBe(T0 + 5n * S);
    expect(timeAt(1, view, 1000)).toBe(T0 + 10_000_000n);
  });

  it('zooms around an anchor that stays put, never narrower than a millisecond', () => {
    const anchor = T0 + 2n * S;
    const zoomed = zoomView(view, 0.5, anchor);
    expect(zoomed.end - zoomed.start).toBe(5n * S);
    expect(xOf(anchor, zoomed, 1000)).toBeCloseTo(xOf(anchor, view, 1000), 6);
    const tiny = zoomView(view, 1e-12, anchor);
    expect(tiny.end - tiny.start).toBe(MIN_SPAN);
  });

  it('fits a span with a margin each side', () => {
    const fitted = fitView(view);
    expect(fitted.start).toBeLessThan(view.start);
    expect(fitted.end).toBeGreaterThan(view.end);
  });

  it('places ticks on round steps at least the given gap apart', () => {
    const { step, times } = ticks(view, 1000, 90);
    expect(step).toBe(1n * S);
    expect(times[0]).toBe(T0 + S);
    expect(times.every((t) => t % step === 0n)).toBe(true);
  });

  it('puts the ticks on round minutes of UTC, 37 leap seconds off TAI', () => {
    const hour = { start: T0, end: T0 + 3600n * S };
    const { step, times } = ticks(hour, 1000, 90, 37n * S);
    expect(step).toBe(10n * 60n * S);
    expect(times.every((t) => (t - 37n * S) % step === 0n)).toBe(true);
  });

  it('follows a growing Flow: a fitted view fits it, a view of its end moves, the past stays', () => {
    const before = { start: T0, end: T0 + 10n * S };
    const after = { start: T0, end: T0 + 12n * S };
    expect(followView(fitView(before), before, after)).toEqual(fitView(after));
    const edge = { start: T0 + 8n * S, end: T0 + 10n * S + S / 2n };
    expect(followView(edge, before, after)).toEqual({ start: T0 + 10n * S, end: T0 + 12n * S + S / 2n });
    const past = { start: T0 + S, end: T0 + 3n * S };
    expect(followView(past, before, after)).toBe(past);
  });
});
