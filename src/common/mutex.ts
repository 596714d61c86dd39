/**
 * A FIFO async mutex: callers take turns in the order they asked, the lock handed straight to the
 * next waiter so that no caller can overtake the queue, and work starts at once when the lock is
 * free. The engines' writes and transactions take turns through one each (a DuckDB transaction is
 * tied to its connection; VAST and PostgreSQL serialise this process's transactions).
 */
export class Mutex {
  private locked = false;
  private readonly waiters: (() => void)[] = [];
  /** The end of the work queued last: the queue is FIFO, so everything before it has ended too. */
  private last: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.turn(fn);
    this.last = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once everything queued so far has finished. */
  idle(): Promise<void> {
    return this.last;
  }

  private async turn<T>(fn: () => Promise<T>): Promise<T> {
    if (this.locked) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.locked = true;
    try {
      return await fn();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.locked = false;
    }
  }
}
