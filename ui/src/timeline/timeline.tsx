import type { ComponentChildren } from 'preact';
import { type Dispatch, type StateUpdater, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isAbort } from '../api/http.ts';
import {
  clockText,
  durationText,
  earlier,
  later,
  type Span,
  tamsTimestamp,
  utcOffset,
  utcText,
} from '../time.ts';
import { coverage } from './timeline.coverage.ts';
import { type LoadedSegments, loadSegments } from './timeline.data.ts';
import { timelineKey } from './timeline.keys.ts';
import './timeline.range.css';
import { dragMarks, type Marks, markAt, markEnd, markedSpan, markStart } from './timeline.range.ts';
import { fitView, followView, panView, ticks, timeAt, xOf, zoomView } from './timeline.scale.ts';

export interface TimelineProps {
  flowId: string;
  /** The Flow's timerange. */
  extent: Span;
  /** Where the player is, on the TAMS timeline. */
  playhead: bigint | undefined;
  /** A moment to mark (a search hit). */
  highlight?: Span | undefined;
  onSeek: (t: bigint) => void;
  /** Told the part of the Flow in view once the view settles (the segment list follows it). */
  onView?: ((view: Span) => void) | undefined;
  /**
   * The range marked (either end may be unmarked yet), which the page keeps: segment deletion
   * and the download both take it, and the download's Start and End at player set it too.
   */
  marks: Marks;
  /**
   * Told the marks a shift-drag, `[`, `]`, Escape or Clear makes: keys change them from the marks
   * as they are then (an updater), since `[` and `]` pressed in quick succession come before the
   * page renders the first one's marks.
   */
  onMarks: Dispatch<StateUpdater<Marks>>;
  /** Shown next to the chosen range (what can be done with it). */
  rangeTools?: ComponentChildren;
  /** Changed to load the segments again (after some were deleted). */
  reload?: number | undefined;
}

const HEIGHT = 76;
const AXIS = 22;
const TRACK_TOP = AXIS + 6;
const TRACK_HEIGHT = 36;
/** Room a tick label takes (px), its longest form `22:13:20.500` at 11 px. */
const LABEL_WIDTH = 80;
/** Pointer travel (px) that makes a press a drag (pan) rather than a click (seek). */
const DRAG = 4;
/** Above and below the track, the chosen range's band (px). */
const RANGE_OUT = 8;
/** Waits after the view last changed before its segments are asked for. */
const SETTLE_MS = 120;

interface Loaded extends LoadedSegments {
  view: Span;
}

/** The narrowest rectangle drawn, so that a gap of a nanosecond still shows. */
function box(x0: number, x1: number, width: number): { x: number; w: number } {
  const a = Math.max(-1, Math.min(width + 1, x0));
  const b = Math.max(-1, Math.min(width + 1, x1));
  return b - a >= 2 ? { x: a, w: b - a } : { x: (a + b) / 2 - 1, w: 2 };
}

/**
 * A Flow's segments on its timeline, zoomable and pannable: runs of contiguous segments, gaps
 * where none is, segment boundaries once they are far enough apart, the player's position.
 * Clicking seeks the player there; with the keyboard (it is one focusable slider), arrows
 * move the playhead, + and − zoom, Page Up/Down pan, Home/End go to the ends, 0 fits.
 * A range is chosen by dragging with Shift held, or with `[` and `]` at the playhead (right
 * after Home or End, at the Flow's start or end: `markAt`); Escape clears it. The page keeps it
 * (`marks`): the download's Start and End at player mark the same range.
 */
export function Timeline({
  flowId,
  extent,
  playhead,
  highlight,
  onSeek,
  onView,
  marks,
  onMarks,
  rangeTools,
  reload,
}: TimelineProps) {
  const trackRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [view, setView] = useState<Span>(() => fitView(extent));
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [hover, setHover] = useState<number | undefined>();
  const drag = useRef<{ x: number; view: Span; moved: boolean; id: number; select: boolean } | undefined>(
    undefined,
  );
  const range = markedSpan(marks);

  useEffect(() => {
    const track = trackRef.current;
    if (!track) return;
    const observer = new ResizeObserver(() => setWidth(Math.max(1, Math.round(track.clientWidth))));
    observer.observe(track);
    return () => observer.disconnect();
  }, []);

  // A live Flow read again: the view follows its end (timeline.scale.ts, followView).
  const grown = useRef(extent);
  useEffect(() => {
    const before = grown.current;
    grown.current = extent;
    if (before.start !== extent.start || before.end !== extent.end) {
      setView((current) => followView(current, before, extent));
    }
  }, [`${extent.start} ${extent.end}`]);

  // The segments of the view (of the part of it inside the Flow), once the view settles.
  const wanted: Span = { start: later(view.start, extent.start), end: earlier(view.end, extent.end) };
  const wantedKey = `${flowId} ${wanted.start} ${wanted.end} ${reload ?? 0}`;
  // Keyed by wantedKey: `wanted` is a new object on every render.
  useEffect(() => {
    if (wanted.end <= wanted.start) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      onView?.(wanted);
      setLoading(true);
      loadSegments(flowId, wanted, controller.signal).then(
        (result) => {
          setLoaded({ ...result, view: wanted });
          setError(undefined);
          setLoading(false);
        },
        (failure) => {
          if (isAbort(failure)) return;
          setError(failure instanceof Error ? failure.message : String(failure));
          setLoading(false);
        },
      );
    }, SETTLE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [wantedKey]);

  const drawn = useMemo(() => {
    if (!loaded) return undefined;
    const known: Span = { start: loaded.view.start, end: loaded.loadedUntil };
    return { ...coverage(loaded.segments, known), known };
  }, [loaded]);

  /** A time on the Flow's timeline: the range chosen and the player stay within the Flow. */
  const within = (t: bigint) => (t < extent.start ? extent.start : t > extent.end ? extent.end : t);
  const seekTo = (t: bigint) => {
    const clamped = t < extent.start ? extent.start : t >= extent.end ? extent.end - 1n : t;
    onSeek(clamped);
    // Keep the point sought in view.
    if (clamped < view.start || clamped >= view.end) {
      const half = (view.end - view.start) / 2n;
      setView({ start: clamped - half, end: clamped + half });
    }
  };

  /** Zooms keep the playhead in place when it is in view, else the middle of the view. */
  const anchor = () =>
    playhead !== undefined && playhead >= view.start && playhead < view.end
      ? playhead
      : (view.start + view.end) / 2n;

  /** The last key's action: `[` right after Home and `]` right after End mark the Flow's ends. */
  const lastKey = useRef<string | undefined>(undefined);
  const onKeyDown = (event: KeyboardEvent) => {
    const action = timelineKey(event.key, event.shiftKey);
    if (action === undefined) return;
    event.preventDefault();
    const previous = lastKey.current;
    lastKey.current = action.kind;
    const span = view.end - view.start;
    const at = playhead ?? (view.start + view.end) / 2n;
    switch (action.kind) {
      case 'step':
        seekTo(at + (span * BigInt(Math.round(action.share * 1000))) / 1000n);
        break;
      case 'zoom':
        setView(zoomView(view, action.factor, anchor()));
        break;
      case 'pan':
        setView(panView(view, (span * BigInt(Math.round(action.share * 1000))) / 1000n));
        break;
      case 'start':
        seekTo(extent.start);
        break;
      case 'end':
        seekTo(extent.end - 1n);
        break;
      case 'fit':
        setView(fitView(extent));
        break;
      case 'markStart':
        onMarks((m) => markStart(m, markAt('start', at, extent, previous)));
        break;
      case 'markEnd':
        onMarks((m) => markEnd(m, markAt('end', at, extent, previous)));
        break;
      case 'clearRange':
        onMarks({});
        break;
    }
  };

  const localX = (event: PointerEvent | WheelEvent) => {
    const rect = trackRef.current?.getBoundingClientRect();
    return rect ? event.clientX - rect.left : 0;
  };
  const onPointerDown = (event: PointerEvent) => {
    if (event.button !== 0) return;
    lastKey.current = undefined;
    drag.current = { x: localX(event), view, moved: false, id: event.pointerId, select: event.shiftKey };
    trackRef.current?.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent) => {
    const x = localX(event);
    const d = drag.current;
    if (d && d.id === event.pointerId) {
      if (!d.moved && Math.abs(x - d.x) < DRAG) return;
      d.moved = true;
      if (d.select) {
        // The view does not move while a range is chosen: both ends are where the pointer was.
        onMarks(dragMarks(within(timeAt(d.x, d.view, width)), within(timeAt(x, d.view, width))));
        setHover(x);
        return;
      }
      const span = d.view.end - d.view.start;
      setView(panView(d.view, timeAt(d.x - x, { start: 0n, end: span }, width)));
      setHover(undefined);
      return;
    }
    setHover(x);
  };
  const onPointerUp = (event: PointerEvent) => {
    const d = drag.current;
    drag.current = undefined;
    if (!d || d.id !== event.pointerId || d.moved) return;
    seekTo(timeAt(localX(event), view, width));
  };
  const onWheel = (event: WheelEvent) => {
    const horizontal = Math.abs(event.deltaX) > Math.abs(event.deltaY);
    const delta = horizontal ? event.deltaX : event.deltaY;
    if (delta === 0) return;
    event.preventDefault();
    const span = view.end - view.start;
    if (horizontal || event.shiftKey) {
      setView(panView(view, timeAt(delta, { start: 0n, end: span }, width)));
    } else {
      setView(zoomView(view, Math.exp(delta / 300), timeAt(localX(event), view, width)));
    }
  };

  const { step, times } = ticks(view, width, 90, utcOffset(view.start));
  const x = (t: bigint) => xOf(t, view, width);
  const flowBox = box(x(extent.start), x(extent.end), width);
  const boundaries =
    drawn && loaded && loaded.segments.length <= width / 4 ? loaded.segments.slice(1) : undefined;
  const partial = loaded !== undefined && !loaded.complete;
  const unloadedBox =
    partial && drawn && drawn.known.end < extent.end
      ? box(x(drawn.known.end), x(extent.end), width)
      : undefined;
  const highlightBox = highlight ? box(x(highlight.start), x(highlight.end), width) : undefined;
  const rangeBox = range ? box(x(range.start), x(range.end), width) : undefined;
  const pending = range ? undefined : (marks.start ?? marks.end);
  const where = playhead ?? extent.start;
  const valueText = `${utcText(where)} UTC (TAMS ${tamsTimestamp(where)})`;

  return (
    <div class="timeline">
      <div class="tl-toolbar">
        <button type="button" onClick={() => setView(zoomView(view, 0.5, anchor()))}>
          Zoom in
        </button>
        <button type="button" onClick={() => setView(zoomView(view, 2, anchor()))}>
          Zoom out
        </button>
        <button type="button" onClick={() => setView(fitView(extent))}>
          Fit
        </button>
        <span class="tl-readout" aria-live="polite">
          {durationText(view.end - view.start)} shown
          {loading ? ' · loading segments…' : ''}
          {partial ? ` · first ${loaded.segments.length} segments: zoom in for the rest` : ''}
        </span>
      </div>
      <div
        ref={trackRef}
        class="tl-track"
        tabIndex={0}
        role="slider"
        aria-label="Timeline: arrows move, + and − zoom, Page Up and Down pan, 0 fits, [ and ] mark a range at the playhead; [ right after Home marks the Flow's start, ] right after End its end"
        aria-valuemin={0}
        aria-valuemax={Number(extent.end - extent.start) / 1e9}
        aria-valuenow={Number(where - extent.start) / 1e9}
        aria-valuetext={valueText}
        onKeyDown={onKeyDown}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => {
          drag.current = undefined;
        }}
        onPointerLeave={() => setHover(undefined)}
        onWheel={onWheel}
      >
        <svg
          class="tl-svg"
          width={width}
          height={HEIGHT}
          viewBox={`0 0 ${width} ${HEIGHT}`}
          data-view-start={tamsTimestamp(view.start)}
          data-view-end={tamsTimestamp(view.end)}
          aria-hidden="true"
        >
          <g class="tl-axis">
            {times.map((t) => (
              <g key={String(t)} transform={`translate(${x(t).toFixed(1)},0)`}>
                <line y1={AXIS - 5} y2={HEIGHT} />
                {/* A label cut by the right edge is left out. */}
                {x(t) + LABEL_WIDTH < width && (
                  <text x={3} y={AXIS - 8}>
                    {clockText(t, step)}
                  </text>
                )}
              </g>
            ))}
          </g>
          <rect class="tl-flow" x={flowBox.x} y={TRACK_TOP} width={flowBox.w} height={TRACK_HEIGHT} />
          {drawn && (
            <>
              <g class="tl-runs">
                {drawn.runs.map((run) => {
                  const b = box(x(run.start), x(run.end), width);
                  return (
                    <rect
                      key={String(run.start)}
                      class="tl-run"
                      x={b.x}
                      y={TRACK_TOP}
                      width={b.w}
                      height={TRACK_HEIGHT}
                      data-start={tamsTimestamp(run.start)}
                      data-end={tamsTimestamp(run.end)}
                    />
                  );
                })}
              </g>
              <g class="tl-gaps">
                {drawn.gaps.map((gap) => {
                  const b = box(x(gap.start), x(gap.end), width);
                  return (
                    <rect
                      key={String(gap.start)}
                      class="tl-gap"
                      x={b.x}
                      y={TRACK_TOP}
                      width={b.w}
                      height={TRACK_HEIGHT}
                      data-start={tamsTimestamp(gap.start)}
                      data-end={tamsTimestamp(gap.end)}
                    >
                      <title>{`Gap of ${durationText(gap.end - gap.start)} from ${utcText(gap.start)} UTC`}</title>
                    </rect>
                  );
                })}
              </g>
              {boundaries && (
                <g class="tl-boundaries">
                  {boundaries.map((s) => (
                    <line
                      key={String(s.start)}
                      x1={x(s.start)}
                      x2={x(s.start)}
                      y1={TRACK_TOP}
                      y2={TRACK_TOP + TRACK_HEIGHT}
                    />
                  ))}
                </g>
              )}
              {unloadedBox && (
                <rect
                  class="tl-unloaded"
                  x={unloadedBox.x}
                  width={unloadedBox.w}
                  y={TRACK_TOP}
                  height={TRACK_HEIGHT}
                />
              )}
            </>
          )}
          {highlightBox && (
            <rect
              class="tl-highlight"
              x={highlightBox.x}
              width={highlightBox.w}
              y={TRACK_TOP - 4}
              height={TRACK_HEIGHT + 8}
            />
          )}
          {rangeBox && range && (
            <rect
              class="tl-range"
              x={rangeBox.x}
              width={rangeBox.w}
              y={TRACK_TOP - RANGE_OUT}
              height={TRACK_HEIGHT + 2 * RANGE_OUT}
              data-start={tamsTimestamp(range.start)}
              data-end={tamsTimestamp(range.end)}
            />
          )}
          {pending !== undefined && (
            <line
              class="tl-mark"
              x1={x(pending)}
              x2={x(pending)}
              y1={TRACK_TOP - RANGE_OUT}
              y2={TRACK_TOP + TRACK_HEIGHT + RANGE_OUT}
            />
          )}
          {hover !== undefined && <line class="tl-hover" x1={hover} x2={hover} y1={AXIS} y2={HEIGHT} />}
          {playhead !== undefined && (
            <line
              class="tl-playhead"
              x1={x(playhead)}
              x2={x(playhead)}
              y1={AXIS - 4}
              y2={HEIGHT}
              data-time={tamsTimestamp(playhead)}
            />
          )}
        </svg>
      </div>
      <div class="tl-status">
        <span>{hover !== undefined ? `${utcText(timeAt(hover, view, width))} UTC` : valueText}</span>
        {error && (
          <span class="error" role="alert">
            {error}
          </span>
        )}
      </div>
      {/* Said as it changes: a keyboard user hears where `[` and `]` put the range. */}
      <div aria-live="polite">
        {range ? (
          <div class="tl-range-bar" data-testid="timeline-range">
            <span data-start={tamsTimestamp(range.start)} data-end={tamsTimestamp(range.end)}>
              <span class="key key-range" aria-hidden="true" /> Range {utcText(range.start)} →{' '}
              {utcText(range.end)} UTC ({durationText(range.end - range.start)})
            </span>
            <button type="button" onClick={() => onMarks({})}>
              Clear
            </button>
            {rangeTools}
          </div>
        ) : pending !== undefined ? (
          <div class="tl-range-bar muted" data-testid="timeline-range-mark">
            Range {marks.start !== undefined ? 'starts' : 'ends'} at {utcText(pending)} UTC: press{' '}
            {marks.start !== undefined ? ']' : '['} at its {marks.start !== undefined ? 'end' : 'start'} (till
            then a download runs {marks.start !== undefined ? "to the Flow's end" : "from the Flow's start"})
            <button type="button" onClick={() => onMarks({})}>
              Clear
            </button>
          </div>
        ) : null}
      </div>
      <p class="tl-legend" aria-hidden="true" data-testid="timeline-legend">
        <span class="key key-run" /> media <span class="key key-gap" /> gap (no segment){' '}
        <span class="key key-range" /> range, which Delete and Download take: Shift-drag, [ ] or Start and End
        at player (Home [ and End ] mark the Flow's ends)
        {highlight ? (
          <>
            {' '}
            <span class="key key-highlight" /> search hit
          </>
        ) : null}
        {partial ? (
          <>
            {' '}
            <span class="key key-unloaded" /> not loaded
          </>
        ) : null}
      </p>
    </div>
  );
}
