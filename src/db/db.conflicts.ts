import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How a transaction refused as a conflict (DbConflictError) is run again, by the store
 * (store.retry.ts) and by an engine's own autocommit writes (VAST: vast.engine.ts): up to
 * CONFLICT_RUNS runs, a random pause growing between them so that the losers spread out.
 *
 * The budget is sized for a database that refuses a conflict at the call, as VAST's SDK tests
 * expect VAST to (vast.conflicts.contract.ts): the loser is then refused while the winner is still
 * open, not after it committed, and a re-run that comes before the winner ends is refused again.
 * Five runs with pauses of at most 10, 20, 40, 80 ms (what the store had, enough when refusals
 * come at commit) lost to a winner of about ten 20 ms round trips (test/vast/vast.replicas.test.ts
 * in the fake's at-call mode: 503 in both runs of the file); eight, with pauses of at most 10 ms to
 * 640 ms (1.27 s in all, 0.64 s on average), outlast it.
 */
export const CONFLICT_RUNS = 8;
/** The first pause after a conflict is up to twice this (ms), then doubles. */
const CONFLICT_PAUSE_MS = 5;

/** The pause before re-run number `run` + 1, after `run` runs (1, 2...) were refused. */
export function conflictPause(run: number): Promise<void> {
  return sleep(Math.random() * CONFLICT_PAUSE_MS * 2 ** run);
}
