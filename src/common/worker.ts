import { setTimeout as sleep } from 'node:timers/promises';

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
  private wakeUp: AbortController = new AbortController();

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

  wake(): void {
    this.wakeUp.abort();
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
      try {
        await sleep(this.idleMs, undefined, { signal: this.wakeUp.signal });
      } catch {
        // Woken early.
      }
      if (this.wakeUp.signal.aborted) this.wakeUp = new AbortController();
    }
  }
}
