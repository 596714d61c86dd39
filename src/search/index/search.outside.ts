import type { StoreSession } from '../../store/store.ts';
import { searchRepos } from '../store/search.repos.ts';

/** Flows the status names, those that dropped most first. */
const FLOWS = 20;
/** Segments read to count them: a bound on the read, far above what a store's mistakes make. */
const SEGMENTS = 100_000;

/**
 * The Flows whose caption cues are not searchable because they fall outside their segments'
 * timeranges (a wrong `ts_offset`, most often), for the status of the whole index: each Flow
 * with its label and what it dropped, so that a search answering nothing can say where the
 * captions went (each Flow's own status says why, segment by segment). Flows deleted since are
 * left out.
 */
export async function flowsWithCuesOutside(store: StoreSession) {
  const items = await searchRepos(store).items.cuesOutside(SEGMENTS);
  const byFlow = new Map<string, { cues: number; segments: number }>();
  for (const { flowId, outside } of items) {
    const counted = byFlow.get(flowId) ?? { cues: 0, segments: 0 };
    counted.cues += outside;
    counted.segments += 1;
    byFlow.set(flowId, counted);
  }
  const worst = [...byFlow].sort((a, b) => b[1].cues - a[1].cues || (a[0] < b[0] ? -1 : 1)).slice(0, FLOWS);
  const flows = await Promise.all(worst.map(([id]) => store.flows.get(id)));
  return worst.flatMap(([id, counted], i) => {
    const flow = flows[i];
    if (flow === null || flow === undefined) return [];
    return [
      {
        flow_id: id,
        ...(flow.label !== undefined && { label: flow.label }),
        cues_outside: counted.cues,
        segments_with_cues_outside: counted.segments,
      },
    ];
  });
}
