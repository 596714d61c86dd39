export interface WorkerLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface WorkerOptions {
  /**
   * A woken pause still lasts this long. Followers of the event outbox set it: woken by every
   * commit, they would otherwise take one event per step under single-segment ingest, each step a
   * write transaction of its own (cursor and lease) on the one writer; paced, they take the
   * events of many commits in one batch.
   */
  minPauseMs?: number;
}

/**
 * A background loop: `step` runs again at once while it reports more work, otherwise after
 * `idleMs` or when `wake()` is called (but not before `minPauseMs`). `stop()` lets the current
 * step finish (a shutdown never cuts a transaction short). A failing step is logged and retried
 * after the idle pause.
 */
export class BackgroundWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  /** A wake() arrived while no pause was running: the next pause ends as soon as it may. */
  private woken = false;
  /** Ends the running pause at once (stop), if one is running. */
  private endPause: (() => void) | undefined;
  /** Ends the running pause as soon as its minimum has passed (wake). */
  private wakePause: (() => void) | undefined;
  private readonly minPauseMs: number;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<boolean>,
    private readonly idleMs: number,
    private readonly log: WorkerLog,
    options: WorkerOptions = {},
  ) {
    this.minPauseMs = Math.min(options.minPauseMs ?? 0, idleMs);
  }

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
    if (this.wakePause) this.wakePause();
    else this.woken = true;
  }

  /** Waiting for `wake()` or the idle timeout: no step is running or about to run. */
  get idle(): boolean {
    return this.endPause !== undefined;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.endPause) this.endPause();
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
    const woken = this.woken;
    this.woken = false;
    if (woken && this.minPauseMs === 0) return Promise.resolve();
    return new Promise((resolve) => {
      // Until the minimum has passed a wake is only remembered.
      let mayEnd = this.minPauseMs === 0;
      let wanted = woken;
      const end = () => {
        clearTimeout(idle);
        clearTimeout(floor);
        this.endPause = undefined;
        this.wakePause = undefined;
        resolve();
      };
      const idle = setTimeout(end, this.idleMs);
      const floor = mayEnd
        ? undefined
        : setTimeout(() => {
            mayEnd = true;
            if (wanted) end();
          }, this.minPauseMs);
      this.endPause = end;
      this.wakePause = () => {
        if (mayEnd) end();
        else wanted = true;
      };
    });
  }
}
