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
  private running: Promise<void> | undefined;
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

  /** Whether stop() was called. */
  get stopped(): boolean {
    return this.halted;
  }

  /** Flows asked for and not loading yet. */
  get queued(): number {
    return this.queue.size;
  }

  /** Resolves once nothing is queued or loading (tests, the warm-up). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Starts nothing more (the store is closing); what is loading finishes. */
  async stop(): Promise<void> {
    this.halted = true;
    this.queue.clear();
    await this.idle();
  }

  private pump(): void {
    if (this.running || this.queue.size === 0 || this.halted) return;
    this.running = this.next().finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private async next(): Promise<void> {
    const flowIds: string[] = [];
    for (const flowId of this.queue) {
      this.queue.delete(flowId);
      if (this.index.wants(flowId)) flowIds.push(flowId);
      if (flowIds.length >= this.batch) break;
    }
    // A failed read is counted by the registry (loadFailures); the Flows load on a later request.
    await this.index.loadMany(flowIds, this.read).catch(() => undefined);
  }
}
