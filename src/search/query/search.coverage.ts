import type { StoreSession } from '../../store/store.ts';
import { TimeRange } from '../../time/index.ts';

/** Ranges of one Flow closer than this are checked with one read (their envelope). */
const JOIN_NS = 60n * 1_000_000_000n;

/**
 * Which of the asked (Flow, [start, end)) moments have media: a segment of that Flow overlapping
 * the moment. Moments of one Flow near each other are read together, and every Flow's next
 * group in the same round, so a page of hits costs a few reads whatever the engine.
 */
export async function coveredMoments(
  store: StoreSession,
  moments: readonly { flowId: string; start: bigint; end: bigint }[],
): Promise<Set<string>> {
  const byFlow = new Map<string, { start: bigint; end: bigint }[]>();
  for (const m of moments) {
    const list = byFlow.get(m.flowId) ?? [];
    list.push({ start: m.start, end: m.end });
    byFlow.set(m.flowId, list);
  }
  const groups = new Map<string, TimeRange[]>();
  for (const [flowId, list] of byFlow) {
    list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const spans: TimeRange[] = [];
    let from = list[0]?.start ?? 0n;
    let to = list[0]?.end ?? 0n;
    for (const r of list.slice(1)) {
      if (r.start - to > JOIN_NS) {
        spans.push(TimeRange.from(from, to, { endInclusive: false }));
        from = r.start;
      }
      if (r.end > to) to = r.end;
    }
    spans.push(TimeRange.from(from, to, { endInclusive: false }));
    groups.set(flowId, spans);
  }
  const covered = new Set<string>();
  for (let round = 0; ; round++) {
    const ranges = new Map<string, TimeRange>();
    for (const [flowId, spans] of groups) {
      const span = spans[round];
      if (span !== undefined) ranges.set(flowId, span);
    }
    if (ranges.size === 0) break;
    const found = await store.segments.overlappingMany(ranges);
    for (const m of moments) {
      if (!ranges.has(m.flowId)) continue;
      const moment = TimeRange.from(m.start, m.end, { endInclusive: false });
      if ((found.get(m.flowId) ?? []).some((s) => s.timerange.overlaps(moment))) covered.add(momentKey(m));
    }
  }
  return covered;
}

export function momentKey(m: { flowId: string; start: bigint; end: bigint }): string {
  return `${m.flowId}:${m.start}:${m.end}`;
}
