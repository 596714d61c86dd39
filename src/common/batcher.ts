/**
 * Group commit: items submitted while a batch is being processed wait and go together in the next
 * one, so concurrent requests share one transaction instead of queueing for one each. A batch
 * starts in the event loop's check phase (setImmediate) after the first item of a quiet spell, so
 * it takes every request read in the same turn of the loop: a registration's transaction runs
 * without a pause of its own (see DuckConn.runSync), and started at once it would take one item.
 * There is no timer: batches grow only with the load.
 */
export class Batcher<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  /**
   * `process` returns one result per item, in order: a value, or an Error for that item alone.
   * If it throws, every item of the batch fails with that error.
   */
  constructor(
    private readonly process: (items: I[]) => Promise<(O | Error)[]>,
    private readonly maxBatch: number,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.process(batch.map((b) => b.item));
        batch.forEach((b, i) => {
          const result = results[i] as O | Error;
          if (result instanceof Error) b.reject(result);
          else b.resolve(result);
        });
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.running = false;
  }
}
