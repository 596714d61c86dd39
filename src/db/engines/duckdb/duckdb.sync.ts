/**
 * A bounded pool of resources used exclusively (one caller at a time each), created lazily.
 * Used for the reader connections so concurrent reads run in parallel on separate connections.
 */
export class Pool<T> {
  private readonly idle: T[] = [];
  private readonly all: T[] = [];
  private creating = 0;
  private readonly waiters: ((item: T) => void)[] = [];
  private readonly quietWaiters: (() => void)[] = [];

  constructor(
    private readonly create: () => Promise<T>,
    private readonly max: number,
  ) {}

  async use<R>(fn: (item: T) => Promise<R>): Promise<R> {
    const item = await this.acquire();
    try {
      return await fn(item);
    } finally {
      this.release(item);
    }
  }

  /** Waits until every created item is idle and returns them all (for closing). */
  async drain(): Promise<T[]> {
    while (!this.quiet()) await new Promise<void>((resolve) => this.quietWaiters.push(resolve));
    return [...this.all];
  }

  private quiet(): boolean {
    return this.creating === 0 && this.waiters.length === 0 && this.idle.length === this.all.length;
  }

  private async acquire(): Promise<T> {
    const item = this.idle.pop();
    if (item !== undefined) return item;
    if (this.all.length + this.creating < this.max) {
      this.creating++;
      try {
        const created = await this.create();
        this.all.push(created);
        return created;
      } finally {
        this.creating--;
        this.wakeIfQuiet();
      }
    }
    return new Promise<T>((resolve) => this.waiters.push(resolve));
  }

  private release(item: T): void {
    const next = this.waiters.shift();
    if (next) next(item);
    else this.idle.push(item);
    this.wakeIfQuiet();
  }

  private wakeIfQuiet(): void {
    if (!this.quiet()) return;
    for (const wake of this.quietWaiters.splice(0)) wake();
  }
}
