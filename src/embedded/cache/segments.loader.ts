import type { BatchReader, SegmentIndex } from '../index/segment-index.registry.ts';

/** Flows one read of the segments table loads at most (each Flow's segments are held in turn). */
const DEFAULT_BATCH = 32;

/**
 * Loads Flows' segment indexes in the background, one read of the segments table at a time, each
 * for every Flow asked for meanwhile (up to a batch): readers never wait for it (a Flow not
 * loaded is read from the database), and a burst of Flows asked for at once costs a few passes
 * over the table rather than one each.
 */
export class SegmentIndexLoader {
  private readonly queue = new Set<string>();
  /** Flows someone waits for (see loaded): read before the rest of the queue. */
  private readonly urgent = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private running: Promise<void> | undefined;
  private runningUrgent: Promise<void> | undefined;
  /** Flows in a read under way, in either lane (their waiters wait for it). */
  private readonly reading = new Set<string>();
  private halted = false;

  constructor(
    private readonly index: SegmentIndex,
    private readonly read: BatchReader,
    private readonly batch = DEFAULT_BATCH,
  ) {}

  /** Asks for the Flow's index to be loaded (nothing when it is loaded or on its way). */
  request(flowId: string): void {
    if (this.halted || !this.index.wants(flowId)) return;
    this.queue.add(flowId);
    this.pump();
  }

  /**
   * Asks for the Flow's index and resolves once its load has settled (loaded, failed, or not
   * wanted), ahead of the Flows only asked for: for a reader that would rather wait for a cheap
   * load (from a snapshot) than read the database.
   */
  loaded(flowId: string): Promise<void> {
    if (this.halted || !this.index.wants(flowId)) return Promise.resolve();
    this.urgent.add(flowId);
    const done = new Promise<void>((resolve) => {
      const list = this.waiters.get(flowId);
      if (list) list.push(resolve);
      else this.waiters.set(flowId, [resolve]);
    });
    this.pump();
    return done;
  }

  /** Whether stop() was called. */
  get stopped(): boolean {
    return this.halted;
  }

  /** Flows asked for and not loading yet. */
  get queued(): number {
    return this.queue.size + this.urgent.size;
  }

  /** Resolves once nothing is queued or loading (tests, the warm-up). */
  async idle(): Promise<void> {
    while (this.running || this.runningUrgent) await (this.running ?? this.runningUrgent);
  }

  /** Starts nothing more (the store is closing); what is loading finishes. */
  async stop(): Promise<void> {
    this.halted = true;
    this.queue.clear();
    this.urgent.clear();
    this.release();
    await this.idle();
  }

  /**
   * Two lanes: the Flows waited for are read in a lane of their own, beside whatever batch of
   * the queue is under way (a warm-up's, say), so a reader waits for its own Flow's read only;
   * the queue starts no new batch until that lane is idle.
   */
  private pump(): void {
    if (this.halted) {
      this.release();
      return;
    }
    if (!this.runningUrgent && this.urgent.size > 0) {
      this.runningUrgent = this.next(this.urgent).finally(() => {
        this.runningUrgent = undefined;
        this.pump();
      });
    }
    // The queue's next batch waits while a Flow someone waits for is read: both share the
    // thread pool's four threads and the event loop. After a restart the warm-up's batches
    // delayed 8 clients' cold first pages (10M, four alternating runs: max 100-263 ms, 75-122
    // with the wait).
    if (!this.running && this.queue.size > 0 && !this.runningUrgent && this.urgent.size === 0) {
      this.running = this.next(this.queue).finally(() => {
        this.running = undefined;
        this.pump();
      });
    }
    if (!this.running && !this.runningUrgent) this.release();
  }

  private async next(from: Set<string>): Promise<void> {
    const flowIds: string[] = [];
    for (const flowId of from) {
      if (flowIds.length >= this.batch) break;
      this.urgent.delete(flowId);
      this.queue.delete(flowId);
      if (this.index.wants(flowId)) flowIds.push(flowId);
    }
    for (const flowId of flowIds) this.reading.add(flowId);
    // A failed read is counted by the registry (loadFailures); the Flows load on a later request.
    await this.index.loadMany(flowIds, this.read).catch(() => undefined);
    for (const flowId of flowIds) this.reading.delete(flowId);
    this.release();
  }

  /** Resolves the waiters of every Flow no longer waiting to be read. */
  private release(): void {
    for (const [flowId, list] of this.waiters) {
      if (this.reading.has(flowId)) continue;
      if (!this.halted && (this.urgent.has(flowId) || this.queue.has(flowId))) continue;
      this.waiters.delete(flowId);
      for (const resolve of list) resolve();
    }
  }
}
