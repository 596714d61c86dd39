import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackgroundWorker, type WorkerOptions } from './worker.ts';

const quiet = { error: () => {}, warn: () => {}, info: () => {} };
const HOUR = 3_600_000;

/** A worker whose steps are counted and announced, with an idle pause no test waits out. */
function counting(more: (step: number) => boolean = () => false, options: WorkerOptions = {}) {
  let steps = 0;
  const waiters: { at: number; resolve: () => void }[] = [];
  let gate: Promise<void> | undefined;
  const worker = new BackgroundWorker(
    'test',
    async () => {
      steps++;
      for (const w of waiters.filter((x) => x.at <= steps)) w.resolve();
      if (gate) await gate;
      return more(steps);
    },
    HOUR,
    quiet,
    options,
  );
  return {
    worker,
    steps: () => steps,
    /**
     * Resolves once the worker sits in its pause: with an hour-long pause and no wake, no other
     * step can come, so the count is final (what a test proves absent, it proves this way).
     */
    settled: () => vi.waitFor(() => expect(worker.idle).toBe(true), { timeout: 60_000, interval: 5 }),
    /** Resolves once `n` steps have started. */
    reached: (n: number) =>
      n <= steps ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ at: n, resolve })),
    hold(): () => void {
      let open: () => void = () => {};
      gate = new Promise<void>((r) => {
        open = r;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

describe('BackgroundWorker', () => {
  it('runs a step at start, then pauses until woken', async () => {
    const w = counting();
    w.worker.start();
    await w.reached(1);
    await w.settled();
    expect(w.steps()).toBe(1);
    w.worker.wake();
    await w.reached(2);
    expect(w.steps()).toBe(2);
    await w.worker.stop();
  });

  it('runs again at once when woken during a step, and only once for several wakes', async () => {
    const w = counting();
    const release = w.hold();
    w.worker.start();
    await w.reached(1);
    w.worker.wake();
    w.worker.wake();
    release();
    await w.reached(2);
    await w.settled();
    expect(w.steps()).toBe(2);
    await w.worker.stop();
  });

  it('keeps stepping while a step reports more work', async () => {
    const w = counting((step) => step < 5);
    w.worker.start();
    await w.reached(5);
    await w.settled();
    expect(w.steps()).toBe(5);
    await w.worker.stop();
  });

  it('stop ends a pause at once and lets a running step finish', async () => {
    const w = counting();
    w.worker.start();
    await w.reached(1);
    // The pause is an hour long: the test's own timeout fails it unless stop() ends the pause.
    await w.worker.stop();
    expect(w.steps()).toBe(1);

    const v = counting();
    const release = v.hold();
    v.worker.start();
    await v.reached(1);
    let stopped = false;
    const stopping = v.worker.stop().then(() => {
      stopped = true;
    });
    // stop() depends on nothing but promises: once the microtasks queued so far have all run
    // (setImmediate comes after them), a stop that did not wait for the step would have ended.
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(v.steps()).toBe(1);
  });

  it('stop does not wait for a minimum pause', async () => {
    // Real timers and an hour-long minimum: the test's own timeout fails it if stop() waited.
    const w = counting(undefined, { minPauseMs: HOUR });
    w.worker.start();
    await w.reached(1);
    w.worker.wake();
    await w.worker.stop();
    expect(w.steps()).toBe(1);
  });

  describe('on a fake clock', () => {
    // Moved by the test: a pause is seen to last exactly as long as it should, with no waiting.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('steps again when the idle pause is over, not before', async () => {
      const w = counting();
      w.worker.start();
      await w.reached(1);
      await new Promise((r) => setImmediate(r)); // the step has returned; the pause has begun
      expect(w.worker.idle).toBe(true);
      await vi.advanceTimersByTimeAsync(HOUR - 1);
      expect(w.steps()).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await w.reached(2);
      await w.worker.stop();
    });

    it('pauses longer after each failing step, up to 32 times the idle pause, whatever wakes it', async () => {
      const IDLE = 1000;
      const logged: string[] = [];
      const log = {
        error: (_: object, msg: string) => logged.push(msg),
        warn: () => {},
        info: (_: object, msg: string) => logged.push(msg),
      };
      let steps = 0;
      const worker = new BackgroundWorker(
        'failing',
        async () => {
          steps++;
          if (steps <= 8) throw new Error('the database does not answer');
          return false;
        },
        IDLE,
        log,
        { minPauseMs: 10 },
      );
      worker.start();
      await new Promise((r) => setImmediate(r));
      // Each pause is waited out with wakes coming all the time: none shortens it.
      const at: number[] = [];
      let now = 0;
      while (steps < 9) {
        const before = steps;
        for (let waited = 0; steps === before; waited += 10) {
          worker.wake();
          await vi.advanceTimersByTimeAsync(10);
          now += 10;
          if (waited > 100 * IDLE) throw new Error('no step came');
        }
        at.push(now);
      }
      const gaps = at.map((t, i) => t - (at[i - 1] ?? 0));
      expect(gaps).toEqual([1, 2, 4, 8, 16, 32, 32, 32].map((x) => x * IDLE));
      expect(logged.filter((m) => m === 'background step failed')).toHaveLength(8);
      expect(logged.filter((m) => m === 'background step succeeded again')).toHaveLength(1);
      await worker.stop();
    });

    describe('with a minimum pause', () => {
      const MIN = 100;
      /** The step has returned and the pause begun (the steps here depend only on promises). */
      const paused = () => new Promise((r) => setImmediate(r));

      it('takes many wakes in one step, none before the minimum has passed', async () => {
        const w = counting(undefined, { minPauseMs: MIN });
        w.worker.start();
        await w.reached(1);
        await paused();
        for (let i = 0; i < 5; i++) {
          w.worker.wake();
          await vi.advanceTimersByTimeAsync(MIN / 5 - 1);
        }
        expect(w.steps()).toBe(1);
        await vi.advanceTimersByTimeAsync(5);
        await w.reached(2);
        await paused();
        expect(w.worker.idle).toBe(true);
        expect(w.steps()).toBe(2);
        await w.worker.stop();
      });

      it('steps at once on a wake once the minimum is over', async () => {
        const w = counting(undefined, { minPauseMs: MIN });
        w.worker.start();
        await w.reached(1);
        await paused();
        await vi.advanceTimersByTimeAsync(MIN * 3);
        expect(w.steps()).toBe(1);
        w.worker.wake();
        await w.reached(2);
        await w.worker.stop();
      });

      it('holds a wake that came during a step until the minimum has passed', async () => {
        const w = counting(undefined, { minPauseMs: MIN });
        const release = w.hold();
        w.worker.start();
        await w.reached(1);
        w.worker.wake();
        release();
        await paused();
        await vi.advanceTimersByTimeAsync(MIN - 1);
        expect(w.steps()).toBe(1);
        await vi.advanceTimersByTimeAsync(1);
        await w.reached(2);
        await w.worker.stop();
      });
    });
  });
});
