/**
 * Background work that gives way to the clients a server process is serving: a replication
 * catch-up writes in steps, and between two steps, while clients are being served, rests long
 * enough that its steps take at most a share of the time. With no client about it goes on at
 * once (a turn of the event loop, for what came in meanwhile).
 */

/** A client served this recently still counts as about: a reader's next request is on its way. */
export const ACTIVE_WINDOW_MS = 250;
/** The longest rest between two steps, whatever the step took (a stop waits at most this long). */
export const MAX_REST_MS = 1000;

/** The requests this process is serving, counted by the HTTP layer (src/http/http.clients.ts). */
export class ClientActivity {
  private inFlight = 0;
  private lastEnded = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = () => performance.now()) {}

  started(): void {
    this.inFlight++;
  }

  ended(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.lastEnded = this.now();
  }

  /** A client is being served, or was within the last `windowMs`. */
  active(windowMs = ACTIVE_WINDOW_MS): boolean {
    return this.inFlight > 0 || this.now() - this.lastEnded < windowMs;
  }
}

export interface PacerOptions {
  /** The share of the time (0 < share ≤ 1) the work's steps may take while clients are about; 1: never rests. */
  share: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

/** One piece of background work's pace: call `between()` after each step. */
export class Pacer {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private resumed: number;
  /** Time rested for clients since the pacer was made, ms. */
  rested = 0;

  constructor(
    private readonly clients: ClientActivity,
    private readonly options: PacerOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? defaultSleep;
    this.resumed = this.now();
  }

  /** Whether the work should go in small steps now: clients are about, and it gives way to them. */
  yielding(): boolean {
    return this.options.share < 1 && this.clients.active();
  }

  /** Marks the start of a step when time passed since the last one that was not the work's own. */
  begin(): void {
    this.resumed = this.now();
  }

  /**
   * After a step: the step's time (since the last rest or `begin`) is followed by a rest of
   * step × (1 − share) / share while clients are about (at most MAX_REST_MS), by a turn of the
   * event loop otherwise.
   */
  async between(): Promise<void> {
    const worked = this.now() - this.resumed;
    const { share } = this.options;
    const rest = this.yielding() ? Math.min(MAX_REST_MS, (worked * (1 - share)) / share) : 0;
    await this.sleep(rest);
    this.rested += rest;
    this.resumed = this.now();
  }
}
