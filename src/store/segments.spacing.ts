/**
 * How far apart each Flow's segments start, as its last page saw them: sizes the first window of
 * its next page, which is read before the Flow's row says where the Flow's segments lie
 * (segments.window.ts `readAhead`). Only a hint, kept per process: a wrong or missing one costs a
 * window more, never a wrong answer, so replicas need not agree on it. Bounded; the least
 * recently set go first.
 */
export class SegmentSpacing {
  private readonly ns = new Map<string, bigint>();

  constructor(private readonly max = 10_000) {}

  get(flowId: string): bigint | undefined {
    return this.ns.get(flowId);
  }

  /** From the starts of a page's segments, in the order read (either direction). */
  learn(flowId: string, starts: readonly bigint[]): void {
    if (starts.length < 2) return;
    const first = starts[0] as bigint;
    const last = starts.at(-1) as bigint;
    const span = last > first ? last - first : first - last;
    this.ns.delete(flowId);
    this.ns.set(flowId, span / BigInt(starts.length - 1));
    if (this.ns.size > this.max) this.ns.delete(this.ns.keys().next().value as string);
  }
}
