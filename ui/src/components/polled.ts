import { useEffect, useState } from 'preact/hooks';
import { isAbort } from '../api/http.ts';

export type Polled<T> =
  | { state: 'loading' }
  | { state: 'error'; error: unknown; last?: T }
  | { state: 'done'; value: T };

/**
 * `load` now, again every `everyMs` and whenever `key` changes; what was shown stays until the
 * next answer (no flicker of "Loading" between reads), and a failed read keeps it beside the error.
 * The job pages (recordings, replications) read their jobs so: state, lag and counts move.
 */
export function usePolled<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  everyMs: number,
): Polled<T> {
  const [result, setResult] = useState<Polled<T>>({ state: 'loading' });
  useEffect(() => {
    let controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const read = () => {
      controller = new AbortController();
      load(controller.signal)
        .then(
          (value) => live && setResult({ state: 'done', value }),
          (error) =>
            live &&
            !isAbort(error) &&
            setResult((previous) => ({ state: 'error', error, last: lastShown(previous) })),
        )
        .finally(() => {
          if (live) timer = setTimeout(read, everyMs);
        });
    };
    setResult({ state: 'loading' });
    read();
    return () => {
      live = false;
      controller.abort();
      clearTimeout(timer);
    };
  }, [key]);
  return result;
}

/** The value a poll shows: the last answer, kept beside a failed read. */
export function lastShown<T>(result: Polled<T>): T | undefined {
  return result.state === 'done' ? result.value : result.state === 'error' ? result.last : undefined;
}

/** A job's lag behind what it follows: seconds under a minute, then minutes. */
export function lagText(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}
