import type { Span } from '../time.ts';

/**
 * The timeline's geometry: a view (the span shown) across a width in pixels. Differences of
 * nanoseconds become doubles only relative to the view's start, so precision is that of the
 * span shown (a nanosecond at spans up to ~100 days), never of the absolute TAI time.
 */

/** The narrowest view: a millisecond. */
export const MIN_SPAN = 1_000_000n;
/** The widest: about 300 years. */
export const MAX_SPAN = 10n ** 19n;

export function xOf(t: bigint, view: Span, width: number): number {
  return (Number(t - view.start) / Number(view.end - view.start)) * width;
}

export function timeAt(x: number, view: Span, width: number): bigint {
  const span = Number(view.end - view.start);
  return view.start + BigInt(Math.round((x / Math.max(1, width)) * span));
}

/** The view `factor` times as wide (below 1: zoomed in), `anchor` staying where it is. */
export function zoomView(view: Span, factor: number, anchor: bigint): Span {
  const span = view.end - view.start;
  let next = BigInt(Math.round(Number(span) * factor));
  if (next < MIN_SPAN) next = MIN_SPAN;
  if (next > MAX_SPAN) next = MAX_SPAN;
  const share = Number(anchor - view.start) / Number(span);
  const start = anchor - BigInt(Math.round(Number(next) * share));
  return { start, end: start + next };
}

export function panView(view: Span, by: bigint): Span {
  return { start: view.start + by, end: view.end + by };
}

/** A view showing `span` whole, with a small margin each side so that its ends can be seen. */
export function fitView(span: Span): Span {
  let length = span.end - span.start;
  if (length < MIN_SPAN) length = MIN_SPAN;
  const margin = length / 50n;
  return { start: span.start - margin, end: span.start + length + margin };
}

/**
 * The view after the Flow grew from `before` to `after` (a live Flow read again): a view fitting
 * the Flow fits it still; one showing the Flow's end moves with it, as wide as it was; any other
 * (zoomed into the past) stays.
 */
export function followView(view: Span, before: Span, after: Span): Span {
  const fitted = fitView(before);
  if (view.start === fitted.start && view.end === fitted.end) return fitView(after);
  if (before.end >= view.start && before.end <= view.end && after.end > view.end) {
    return panView(view, after.end - before.end);
  }
  return view;
}

const S = 1_000_000_000n;
/** Tick steps: 1-2-5 below a minute, then the clock's own divisions. */
const STEPS: bigint[] = [
  ...[1n, 2n, 5n, 10n, 20n, 50n, 100n, 200n, 500n].map((ms) => ms * 1_000_000n),
  ...[1n, 2n, 5n, 10n, 15n, 30n].map((s) => s * S),
  ...[1n, 2n, 5n, 10n, 15n, 30n].map((m) => m * 60n * S),
  ...[1n, 2n, 3n, 6n, 12n].map((h) => h * 3600n * S),
  ...[1n, 2n, 7n, 14n, 30n, 91n, 365n, 3650n, 36500n].map((d) => d * 86_400n * S),
];

/**
 * Tick times at least `minGap` pixels apart, on round steps of the clock the labels show: TAI
 * minus `offset` (UTC is TAI minus the leap seconds, 37 s since 2017).
 */
export function ticks(
  view: Span,
  width: number,
  minGap = 90,
  offset = 0n,
): { step: bigint; times: bigint[] } {
  const span = view.end - view.start;
  const wanted = (Number(span) * minGap) / Math.max(1, width);
  const step = STEPS.find((s) => Number(s) >= wanted) ?? (STEPS.at(-1) as bigint);
  const local = view.start - offset;
  const first = local - (((local % step) + step) % step) + step + offset;
  const times: bigint[] = [];
  for (let t = first; t < view.end && times.length < 200; t += step) times.push(t);
  return { step, times };
}
