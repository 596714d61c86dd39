/**
 * How long the cluster keeps an idle transaction, against what the engine needs. The engine keeps
 * each open transaction alive every TAMS_VAST_KEEP_ALIVE_MS; a transaction must outlive one
 * keep-alive lost or late, so one idle for twice that must still be open: the check passes or
 * fails on that. It also watches longer (three intervals by default, `--idle-seconds` to change)
 * and tells the longest idle it saw survive, as information: VAST does not publish its timeout.
 *
 * One transaction per idle time watched, all begun at the start and each touched only once, when
 * its time is up (a touch is a keep-alive: it would start its idle time again).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Outcome, outcome, ProbeFailure, type ProbeOptions } from './vast.probe.ts';
import type { CheckContext, KitRunner } from './vast.runner.ts';
import type { Scratch } from './vast.scratch.ts';

/** Idle time a transaction must survive: two keep-alive intervals (one may be lost). */
export const idleNeededMs = (keepAliveMs: number): number => 2 * keepAliveMs;

/** `20 s`, `1.5 s`. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/**
 * The idle times watched, shortest first: one interval, what the engine needs, then doubling up to
 * `watchMs` (and `watchMs` itself).
 */
export function idleTimes(keepAliveMs: number, watchMs: number): number[] {
  const needed = idleNeededMs(keepAliveMs);
  const out = [keepAliveMs, needed];
  for (let t = needed * 2; t < watchMs; t *= 2) out.push(t);
  if (watchMs > needed) out.push(watchMs);
  return out;
}

interface Watched {
  readonly txid: bigint;
  /** When its begin was answered: it has been idle at least this long since. */
  readonly since: number;
  readonly idleMs: number;
}

async function touch(scratch: Scratch, w: Watched): Promise<{ alive: boolean; text: string }> {
  const keepAlive: Outcome<unknown> = await outcome(
    scratch.call({ method: 'GET', names: [], query: [['transaction']], txid: w.txid, idempotent: true }),
  );
  const read: Outcome<unknown> = await outcome(
    scratch.call({
      method: 'GET',
      names: [scratch.bucket],
      query: [['schema']],
      txid: w.txid,
      idempotent: true,
      headers: { 'tabular-max-keys': '1', 'tabular-next-key': '0', 'tabular-list-count-only': 'False' },
    }),
  );
  return {
    alive: keepAlive.ok && read.ok,
    text: `keep-alive ${keepAlive.text}; a listing in it ${read.text}`,
  };
}

async function idle(scratch: Scratch, options: ProbeOptions, ctx: CheckContext): Promise<void> {
  const interval = options.keepAliveMs;
  const needed = idleNeededMs(interval);
  const times = idleTimes(interval, options.idleSeconds * 1000);
  const watched: Watched[] = [];
  let longest = 0;
  let ended: { idleMs: number; text: string } | undefined;
  try {
    for (const idleMs of times)
      watched.push({ txid: await scratch.begin(), since: performance.now(), idleMs });
    for (const w of watched) {
      await sleep(Math.max(0, w.since + w.idleMs - performance.now()));
      const seen = await touch(scratch, w);
      ctx.note(`idle ${seconds(w.idleMs)}: ${seen.text}`);
      if (!seen.alive) {
        ended = { idleMs: w.idleMs, text: seen.text };
        break;
      }
      longest = w.idleMs;
    }
  } finally {
    await Promise.all(watched.map((w) => scratch.rollback(w.txid).catch(() => undefined)));
  }
  const last = times[times.length - 1] ?? needed;
  ctx.note(
    longest === 0
      ? 'longest idle seen surviving: none'
      : `longest idle seen surviving: ${seconds(longest)}${ended === undefined ? ` (the longest watched; --idle-seconds watches longer than ${seconds(last)})` : ''}`,
  );
  if (ended === undefined || ended.idleMs > needed) return;
  throw new ProbeFailure(
    `a transaction idle for ${seconds(ended.idleMs)} had ended (${ended.text}): the cluster ends idle transactions sooner than the engine needs, keeping them alive every ${seconds(interval)}; ` +
      (longest === 0
        ? `set TAMS_VAST_KEEP_ALIVE_MS well below ${interval} (a transaction idle for ${seconds(interval)} had ended already)`
        : `set TAMS_VAST_KEEP_ALIVE_MS to ${Math.floor(longest / 2)} or less (half the longest idle seen surviving)`),
  );
}

/** Registers the idle-transaction check (left out with `--idle-seconds 0`). */
export function idleCheck(runner: KitRunner, scratch: Scratch, options: ProbeOptions): void {
  runner.test(
    `a transaction idle for ${seconds(idleNeededMs(options.keepAliveMs))} is still open (the engine keeps transactions alive every ${seconds(options.keepAliveMs)}: TAMS_VAST_KEEP_ALIVE_MS)`,
    options.idleSeconds > 0 ? (ctx) => idle(scratch, options, ctx) : undefined,
  );
}
