/**
 * Round trips one after another on an operation's response path, from the fake's record of when
 * each request arrived and when its answer ended (vast.fake.ts `spans`) and the benchmark's own
 * record of when each operation started and ended, on the machine's one monotonic clock.
 * Requests that overlap in time went out side by side, so they make one round trip; a request
 * that arrived after every earlier one had been answered waited for them, so it starts the next.
 * Measured with latency added to every answer, so that requests sent side by side overlap.
 */
import type { CallKind } from '../tools/vast-fake/fake.faults.ts';
import type { Span } from './vast.fake.ts';

/** When one operation was sent and when its answer was read (process.hrtime.bigint(), ns). */
export interface OpWindow {
  readonly start: bigint;
  readonly end: bigint;
}

export interface SequentialTrips {
  /** Round trips one after another, per operation. */
  readonly total: number;
  /** Of those, the ones holding a query (QueryData). */
  readonly query: number;
}

/**
 * Per operation, averaged. `skip`: kinds not waited for (a read's commit, sent without waiting
 * for its answer), left out.
 */
export function sequentialTrips(
  windows: readonly OpWindow[],
  spans: readonly Span[],
  skip: ReadonlySet<CallKind> = new Set(),
): SequentialTrips {
  if (windows.length === 0) throw new Error('no operation measured');
  const sorted = spans.filter((s) => !skip.has(s.kind)).sort((a, b) => (a.start < b.start ? -1 : 1));
  let total = 0;
  let query = 0;
  for (const w of windows) {
    let groupEnd: bigint | undefined;
    let hasQuery = false;
    const close = () => {
      if (groupEnd !== undefined && hasQuery) query++;
    };
    for (const s of sorted) {
      if (s.start < w.start || s.start >= w.end) continue;
      if (groupEnd === undefined || s.start > groupEnd) {
        close();
        total++;
        groupEnd = s.end;
        hasQuery = false;
      } else if (s.end > groupEnd) groupEnd = s.end;
      if (s.kind === 'query') hasQuery = true;
    }
    close();
  }
  return { total: total / windows.length, query: query / windows.length };
}
