import { BoundedMap } from '../common/bounded-map.ts';

/**
 * How far apart each Flow's segments start, as its last page saw them: sizes the first window of
 * its next page, which is read before the Flow's row says where the Flow's segments lie
 * (segments.window.ts `readAhead`). A hint (see BoundedMap): a wrong or missing one costs a
 * window more, never a wrong answer.
 */
export class SegmentSpacing {
  private readonly ns = new BoundedMap<string, bigint>();
  private readonly behind = new BoundedMap<string, true>();
  private last: bigint | undefined;

  /**
   * Whether a registration of this process looked for segments of the Flow lying before the
   * window it read (segments.repo.ts `overlappingMany`): it looks at once for a Flow it knows
   * nothing of (a new one, most often), later only where the window falls short.
   */
  lookedBehind(flowId: string): boolean {
    return this.behind.get(flowId) === true || this.ns.get(flowId) !== undefined;
  }

  markLookedBehind(flowId: string): void {
    this.behind.set(flowId, true);
  }

  get(flowId: string): bigint | undefined {
    return this.ns.get(flowId);
  }

  /** The Flow's spacing, else the last any Flow showed (a store's Flows are often alike). */
  guess(flowId: string): bigint | undefined {
    const own = this.ns.get(flowId);
    return own !== undefined && own > 0n ? own : this.last;
  }

  /** From the starts of a page's segments, in the order read (either direction). */
  learn(flowId: string, starts: readonly bigint[]): void {
    if (starts.length < 2) return;
    const first = starts[0] as bigint;
    const last = starts.at(-1) as bigint;
    const span = last > first ? last - first : first - last;
    const spacing = span / BigInt(starts.length - 1);
    this.ns.set(flowId, spacing);
    if (spacing > 0n) this.last = spacing;
  }
}
