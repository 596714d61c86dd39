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
 * Failures in a row double the pause after a failing step up to 2^this times `idleMs` (32 s at
 * the default 1 s): an outage of the database or a media backend is retried on, at most about
 * twice a minute, rather than every second with a log line each (issue 45: ~750 KB of log in
 * 2.5 min from one follower).
 */
const MAX_FAILURE_DOUBLINGS = 5;

/**
 * A background loop: `step` runs again at once while it reports more work, otherwise after
 * `idleMs` or when `wake()` is called (but not before `minPauseMs`). `stop()` lets the current
 * step finish (a shutdown never cuts a transaction short). A failing step is logged and tried
 * again after a pause that a wake does not shorten: `idleMs`, doubled at each failure in a row up
 * to 2^MAX_FAILURE_DOUBLINGS times; the first step that succeeds again is logged too. Steps are
 * expected to fail only for what passes (see store/followers/follower.failures.ts): one bad item must be
 * handled by the step, never left to fail it again and again.
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
  /** Steps that failed in a row. */
  private failures = 0;

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

  /** Steps that failed in a row (0 once one succeeds): an outage being waited out. */
  get failing(): number {
    return this.failures;
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
      let failed = false;
      try {
        more = await this.step();
        if (this.failures > 0) {
          this.log.info({ worker: this.name, failures: this.failures }, 'background step succeeded again');
          this.failures = 0;
        }
      } catch (error) {
        failed = true;
        this.failures++;
        const retryMs = this.idleMs * 2 ** Math.min(this.failures - 1, MAX_FAILURE_DOUBLINGS);
        this.log.error(
          { err: error, worker: this.name, failures: this.failures, retry_ms: retryMs },
          'background step failed',
        );
      }
      if (!this.running) break;
      if (failed) await this.backOff();
      else if (!more) await this.pause();
    }
  }

  /** The pause after a failing step: only stop() ends it early. */
  private backOff(): Promise<void> {
    const ms = this.idleMs * 2 ** Math.min(this.failures - 1, MAX_FAILURE_DOUBLINGS);
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.endPause = undefined;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.endPause = end;
    });
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
