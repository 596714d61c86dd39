import { useEffect, useRef, useState } from 'preact/hooks';
import { isAbort, tams } from '../api/http.ts';
import type { Flow } from '../api/types.ts';
import { spanOf } from '../time.ts';
import { isCollection } from './flow.collection.ts';

/** Shortest and longest wait between two reads of a growing Flow. */
const MIN_MS = 2_000;
const MAX_MS = 10_000;
/** The wait for a Flow without a nominal segment duration. */
const DEFAULT_MS = 5_000;

/** A read every segment (`segment_duration`), within 2 to 10 s: a Flow grows a segment at a time. */
export function refreshInterval(flow: Flow): number {
  const rate = flow.segment_duration;
  if (!rate || rate.numerator <= 0) return DEFAULT_MS;
  const ms = (rate.numerator / (rate.denominator || 1)) * 1000;
  return Math.min(MAX_MS, Math.max(MIN_MS, ms));
}

/**
 * Whether the Flow may still grow, by what the API says of it: not read-only, and its status
 * (8.2's `status`, or AppNote 0003's `flow_status` tag) not `closed_complete`. Whether it is
 * being written now is the server's call (its HLS playlist is live or not, docs/ui-hls.md).
 */
export function mayGrow(flow: Flow): boolean {
  if (flow.read_only === true) return false;
  return flow.status !== 'closed_complete' && flow.tags?.flow_status !== 'closed_complete';
}

function pageVisible(): boolean {
  return document.visibilityState === 'visible';
}

export interface FlowState {
  flow: Flow;
  /** Why the last read failed (the Flow shown is the last one read). */
  error?: string;
}

/**
 * The Flow read again every `refreshInterval` while the page is visible (read at once when it
 * shows again) and the Flow may grow, and either it has no segment yet or `live` (its player
 * plays it live, or did on this page), and once more when that ends; nothing is read once the
 * page closes or while it is hidden.
 */
export function useFlowRefresh(initial: Flow, live: boolean): FlowState {
  const [state, setState] = useState<FlowState>({ flow: initial });
  const [visible, setVisible] = useState(pageVisible);
  const last = useRef(JSON.stringify(initial));
  /** Hidden since the last read: the Flow is read as soon as the page shows again. */
  const stale = useRef(false);
  useEffect(() => {
    const onChange = () => {
      if (!pageVisible()) stale.current = true;
      setVisible(pageVisible());
    };
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);

  const interval = refreshInterval(state.flow);
  // A multi Flow playing its members never has segments of its own to wait for.
  const awaiting = spanOf(state.flow.timerange) === undefined && !isCollection(state.flow);
  const active = mayGrow(state.flow) && (live || awaiting);
  /** Read again on the last run: when that stops, one more read shows the Flow as it ended. */
  const reading = useRef(false);
  useEffect(() => {
    if (!visible || (!active && !reading.current)) return;
    const once = !active;
    reading.current = active;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const { body } = await tams<Flow>(`/flows/${encodeURIComponent(initial.id)}`, {
          query: { include_timerange: true },
          signal: controller.signal,
        });
        // The same document again changes nothing on the page.
        const text = JSON.stringify(body);
        if (text !== last.current) setState({ flow: body });
        else setState((s) => (s.error === undefined ? s : { flow: s.flow }));
        last.current = text;
      } catch (failure) {
        if (isAbort(failure)) return;
        setState((s) => ({
          flow: s.flow,
          error: failure instanceof Error ? failure.message : String(failure),
        }));
      }
      if (!once && !controller.signal.aborted) timer = setTimeout(read, interval);
    };
    timer = setTimeout(read, stale.current || once ? 0 : interval);
    stale.current = false;
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [initial.id, active, visible, interval]);
  return state;
}
