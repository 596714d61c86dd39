import type { EndpointFailure } from './transport.errors.ts';

export interface EndpointPoolOptions {
  /** How long an endpoint that failed to connect is skipped. */
  readonly cooldownMs: number;
  /** Milliseconds (injected: tests move time by hand). */
  readonly now: () => number;
}

interface State {
  downUntil: number;
  reason: string;
}

/**
 * VAST's VIPs, used in turn: each call starts at the next endpoint, so load spreads over them.
 * One that failed to connect is skipped for a cooldown, then tried again (no probe in between:
 * the next call that reaches it is the probe).
 */
export class EndpointPool<T extends { readonly origin: string }> {
  private readonly states: Map<T, State>;
  private cursor = 0;

  constructor(
    readonly endpoints: readonly T[],
    private readonly options: EndpointPoolOptions,
  ) {
    if (endpoints.length === 0) throw new Error('no VAST endpoint given');
    this.states = new Map(endpoints.map((e) => [e, { downUntil: 0, reason: '' }]));
  }

  /** The next usable endpoint in turn, skipping `exclude` and those cooling down. */
  next(exclude: ReadonlySet<T> = new Set()): T | undefined {
    const now = this.options.now();
    for (let i = 0; i < this.endpoints.length; i++) {
      const candidate = this.endpoints[(this.cursor + i) % this.endpoints.length] as T;
      if (exclude.has(candidate) || (this.states.get(candidate)?.downUntil ?? 0) > now) continue;
      this.cursor = (this.cursor + i + 1) % this.endpoints.length;
      return candidate;
    }
    return undefined;
  }

  markDown(endpoint: T, reason: string): void {
    const state = this.states.get(endpoint);
    if (state) {
      state.downUntil = this.options.now() + this.options.cooldownMs;
      state.reason = reason;
    }
  }

  markUp(endpoint: T): void {
    const state = this.states.get(endpoint);
    if (state) state.downUntil = 0;
  }

  /** Every endpoint cooling down now, with the reason it was set aside. */
  down(): EndpointFailure[] {
    const now = this.options.now();
    return this.endpoints
      .filter((e) => (this.states.get(e)?.downUntil ?? 0) > now)
      .map((e) => ({ endpoint: e.origin, reason: this.states.get(e)?.reason ?? '' }));
  }

  /** Milliseconds until the first cooling endpoint may be tried again (0: one is usable). */
  msUntilUsable(): number {
    const now = this.options.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const state of this.states.values()) soonest = Math.min(soonest, Math.max(0, state.downUntil - now));
    return soonest;
  }
}
