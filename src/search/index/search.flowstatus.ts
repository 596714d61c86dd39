import type { StoreSession } from '../../store/store.ts';
import type { FlowRecord } from '../../store/store.types.ts';
import type { SearchItem } from '../store/search.items.repo.ts';
import { searchRepos } from '../store/search.repos.ts';
import { isTimedTextFlow } from './search.captions.ts';
import { cueTimes } from './search.items.ts';

/** Failures a Flow's status lists, newest first. */
const FLOW_FAILURES = 20;

/** An item that could not be indexed, as the status shows it. */
export function failureDoc(item: SearchItem) {
  return {
    kind: item.kind,
    ...(item.flow_id !== undefined && { flow_id: item.flow_id }),
    ...(item.timerange !== undefined && { timerange: item.timerange }),
    ...(item.object_id !== undefined && { object_id: item.object_id }),
    ...(item.transcript_id !== undefined && { transcript_id: item.transcript_id }),
    ...(item.ref !== undefined && { ref: item.ref }),
    reason: item.error ?? '',
    at: item.at.toISOString(),
  };
}

/**
 * What the index made of one Flow (README "Media search", "Where caption times land"): its
 * timed-text segments and their cues (indexed, or dropped outside their segment, with the segment
 * that dropped most and where its cues were), its transcripts, and the items that failed.
 */
export async function flowSearchStatus(store: StoreSession, flow: FlowRecord) {
  const items = await searchRepos(store).items.ofFlow(flow.id);
  const segments = items.filter((i) => i.kind === 'segment' && i.error === undefined);
  let most: SearchItem | undefined;
  for (const s of segments) {
    if (s.outside > 0 && (most === undefined || s.outside > most.outside)) most = s;
  }
  const failures = items.filter((i) => i.error !== undefined).sort((a, b) => b.at.getTime() - a.at.getTime());
  const sum = (list: readonly SearchItem[], f: (i: SearchItem) => number) =>
    list.reduce((n, i) => n + f(i), 0);
  const cueTimesOfMost = most === undefined ? undefined : cueTimes(most);
  return {
    flow_id: flow.id,
    timed_text: isTimedTextFlow(flow),
    segments: segments.length,
    cues: sum(segments, (i) => i.cues),
    cues_indexed: sum(segments, (i) => i.indexed),
    cues_outside: sum(segments, (i) => i.outside),
    segments_with_cues_outside: segments.filter((i) => i.outside > 0).length,
    ...(most !== undefined && {
      most_outside: {
        timerange: most.timerange ?? '',
        object_id: most.object_id ?? '',
        ...(most.ts_offset !== undefined && { ts_offset: most.ts_offset }),
        cues: most.cues,
        cues_outside: most.outside,
        ...(cueTimesOfMost !== undefined && { cue_times: cueTimesOfMost }),
      },
    }),
    transcripts: items.filter((i) => i.kind === 'transcript' && i.error === undefined).length,
    unembedded: sum(items, (i) => i.unembedded),
    failed: failures.length,
    failures: failures.slice(0, FLOW_FAILURES).map(failureDoc),
  };
}
