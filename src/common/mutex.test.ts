import { describe, expect, it } from 'vitest';
import { Mutex } from './mutex.ts';

/** A promise with its resolve, for holding a turn open until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('Mutex', () => {
  it('runs work one at a time, in the order it was asked for', async () => {
    const mutex = new Mutex();
    const first = gate();
    const log: string[] = [];
    const a = mutex.run(async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
    });
    const b = mutex.run(async () => {
      log.push('b');
    });
    const c = mutex.run(async () => {
      log.push('c');
    });
    // a starts at once (the lock was free); b and c wait for it.
    expect(log).toEqual(['a start']);
    first.open();
    await Promise.all([a, b, c]);
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
  });

  it('passes the turn on when work fails, and returns what the work returns', async () => {
    const mutex = new Mutex();
    const failed = mutex.run(() => Promise.reject(new Error('boom')));
    const next = mutex.run(async () => 42);
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe(42);
  });

  it('idle resolves once everything queued so far has finished, failures included', async () => {
    const mutex = new Mutex();
    await mutex.idle();
    const held = gate();
    const done: string[] = [];
    void mutex.run(async () => {
      await held.promise;
      done.push('a');
    });
    mutex.run(() => Promise.reject(new Error('b'))).catch(() => done.push('b'));
    const idle = mutex.idle().then(() => done.push('idle'));
    held.open();
    await idle;
    expect(done).toEqual(['a', 'b', 'idle']);
  });
});
