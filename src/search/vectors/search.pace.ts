import { setImmediate } from 'node:timers/promises';

/**
 * Cooperative yielding for long CPU work on the event loop's thread (training the vector
 * quantizer, filing vectors anew): the work calls the pace often, and it gives the loop a turn
 * whenever the current slice has run `sliceMs`, so requests served meanwhile wait at most about
 * one slice. What the work computes never depends on the pace, only when it runs.
 */
export type Pace = () => Promise<void> | undefined;

/** A pace that yields after `sliceMs` of work (a turn of the event loop, then a new slice). */
export function pacer(sliceMs = 8): Pace {
  let started = performance.now();
  return () => {
    if (performance.now() - started < sliceMs) return undefined;
    return setImmediate().then(() => {
      started = performance.now();
    });
  };
}

/** Never yields (tests, and tools with nothing else to serve). */
export const unpaced: Pace = () => undefined;
