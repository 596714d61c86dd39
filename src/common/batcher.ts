interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

function settle<I, O>(pending: Pending<I, O>, result: O | Error): void {
  if (result instanceof Error) pending.reject(result);
  else pending.resolve(result);
}

/**
 * Group commit: items submitted while a batch is being processed wait and go together in the next
 * one, so concurrent requests share one transaction instead of queueing for one each. A batch
 * starts in the event loop's check phase (setImmediate) after the first item of a quiet spell, so
 * it takes every request read in the same turn of the loop: a registration's transaction runs
 * without a pause of its own (see DuckConn.runSync), and started at once it would take one item.
 * There is no timer: batches grow only with the load. One item's failure never fails the
 * others: a batch that throws is processed again item by item (see `isolate`).
 */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private running = false;

  /**
   * `process` returns one result per item, in order: a value, or an Error for that item alone.
   * If it throws for a batch of several items, whatever it did is assumed undone (a transaction
   * rolled back) and the items are processed again one at a time, in order, so that the one
   * that made the batch fail gets the error alone and the others their own results.
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
      let results: (O | Error)[];
      try {
        results = await this.process(batch.map((b) => b.item));
      } catch (error) {
        if (batch.length === 1) (batch[0] as Pending<I, O>).reject(error);
        else await this.isolate(batch);
        continue;
      }
      for (const [i, b] of batch.entries()) settle(b, results[i] as O | Error);
    }
    this.running = false;
  }

  /**
   * The slow path after a failed batch: one `process` per item. Only here, so a batch that
   * succeeds (nearly all of them) costs nothing more than before.
   */
  private async isolate(batch: readonly Pending<I, O>[]): Promise<void> {
    for (const b of batch) {
      try {
        settle(b, (await this.process([b.item]))[0] as O | Error);
      } catch (error) {
        b.reject(error);
      }
    }
  }
}
