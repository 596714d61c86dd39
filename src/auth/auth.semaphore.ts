/** A Semaphore's queue is full: the task was not run. */
export class QueueFullError extends Error {
  constructor() {
    super('the queue is full');
    this.name = 'QueueFullError';
  }
}

/**
 * At most `limit` tasks at once; up to `maxWaiting` others wait in order, and any more are refused
 * at once (QueueFullError): a flood of work then costs its senders a quick refusal instead of
 * making everyone behind it wait. A `priority` task waits ahead of the others and is never
 * refused; callers give priority only to work an attacker cannot produce at will.
 */
export class Semaphore {
  private active = 0;
  private readonly urgent: (() => void)[] = [];
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting = Number.POSITIVE_INFINITY,
  ) {}

  /** Tasks waiting for a slot. */
  get waitingCount(): number {
    return this.urgent.length + this.waiting.length;
  }

  async run<T>(task: () => Promise<T>, priority = false): Promise<T> {
    if (this.active < this.limit) this.active++;
    else if (priority) await new Promise<void>((resolve) => this.urgent.push(resolve));
    else if (this.waiting.length >= this.maxWaiting) throw new QueueFullError();
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.urgent.shift() ?? this.waiting.shift();
      // The slot passes straight to the next task, so `active` stays as it is.
      if (next) next();
      else this.active--;
    }
  }
}
