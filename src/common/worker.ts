export interface WorkerLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * A background loop: `step` runs again at once while it reports more work, otherwise after
 * `idleMs` or when `wake()` is called. `stop()` lets the current step finish (a shutdown never
 * cuts a transaction short). A failing step is logged and retried after the idle pause.
 */
export class BackgroundWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  /** A wake() arrived while no pause was running: the next pause ends at once. */
  private woken = false;
  /** Ends the running pause, if one is running. */
  private endPause: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<boolean>,
    private readonly idleMs: number,
    private readonly log: WorkerLog,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Ends the pause now, or the next one if a step is running (so work recorded during a step is
   * not left for `idleMs`). Called once per committed write transaction, so it allocates nothing.
   */
  wake(): void {
    if (this.endPause) this.endPause();
    else this.woken = true;
  }

  /** Waiting for `wake()` or the idle timeout: no step is running or about to run. */
  get idle(): boolean {
    return this.endPause !== undefined;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await this.step();
      } catch (error) {
        this.log.error({ err: error, worker: this.name }, 'background step failed');
      }
      if (!this.running) break;
      if (more) continue;
      await this.pause();
    }
  }

  private pause(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.endPause = undefined;
        resolve();
      };
      const timer = setTimeout(end, this.idleMs);
      this.endPause = end;
    });
  }
}
