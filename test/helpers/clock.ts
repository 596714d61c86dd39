import type { Clock } from '../../src/common/clock.ts';

export interface SteppingClock extends Clock {
  /** From now on every reading is `ms` (default 1) further ahead of the system clock. */
  advance(ms?: number): void;
}

/**
 * The system clock, moved on by the test: a timestamp the server takes after `advance(ms)` is at
 * least `ms` later than any it took before, without waiting for the time to pass. For tests that
 * check a change moved a time on (`updated`, `metadata_updated`, `segments_updated`).
 */
export function steppingClock(): SteppingClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms = 1) {
      offset += ms;
    },
  };
}
