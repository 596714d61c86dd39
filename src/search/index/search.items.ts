import type { WorkerLog } from '../../common/worker.ts';
import type { StoreTx } from '../../store/store.ts';
import { TimeRange } from '../../time/index.ts';
import type { ItemScope, SearchItem } from '../store/search.items.repo.ts';
import { searchRepos } from '../store/search.repos.ts';
import type { DocDraft } from './search.extract.ts';
import { type IndexPlan, type ItemNote, noteKey, type Removal } from './search.indexplan.ts';
import type { IndexState } from './search.state.ts';

/**
 * The indexer's items (search_items): what it made of each timed-text segment and transcript
 * version, and the items it could not index. Written in the batch's transaction with its
 * documents, replaced as they are, and summed in the index's state (`outside`, `failed`,
 * `unembedded`), which the status reports without reading the items.
 */

function scopeOf(removal: Removal): ItemScope | undefined {
  switch (removal.kind) {
    case 'keys':
      return undefined;
    case 'flow':
      return { kind: 'flow', flowId: removal.flowId };
    case 'segment':
      return {
        kind: 'segment',
        flowId: removal.flowId,
        segStart: removal.segStart,
        objectId: removal.objectId,
      };
    case 'transcript':
      return { kind: 'transcript', transcriptId: removal.transcriptId };
  }
}

function count(state: IndexState, item: Pick<SearchItem, 'outside' | 'unembedded' | 'error'>, sign: 1 | -1) {
  state.outside += sign * item.outside;
  state.unembedded += sign * item.unembedded;
  if (item.error !== undefined) state.failed += sign;
}

/**
 * In the batch's transaction: removes the items the plan replaces, then writes its notes.
 * Returns the notes that say something new: those of items whose outcome changed (an item read
 * again to the same end, as when a build from the tables and an event meet, is not logged again).
 */
export async function writeItems(
  tx: StoreTx,
  plan: IndexPlan,
  state: IndexState,
  now: Date,
): Promise<ItemNote[]> {
  const before = new Map<string, string>();
  for (const removal of plan.removals) {
    const scope = scopeOf(removal);
    if (scope === undefined) continue;
    for (const gone of await searchRepos(tx).items.take(scope)) {
      count(state, gone, -1);
      before.set(noteKey(gone), outcome(gone));
    }
  }
  const items = [...plan.notes.values()].map((note) => ({ ...note, at: now }));
  for (const item of items) count(state, item, 1);
  await searchRepos(tx).items.insert(items);
  return [...plan.notes.values()].filter((note) => before.get(noteKey(note)) !== outcome(note));
}

function outcome(item: ItemNote): string {
  return `${item.cues}:${item.indexed}:${item.outside}:${item.unembedded}:${item.error ?? ''}`;
}

/** The note a document's item has in the plan (captions: their segment; transcript cues: theirs). */
export function noteOf(plan: IndexPlan, doc: DocDraft): ItemNote | undefined {
  if (doc.kind === 'caption') {
    return plan.notes.get(
      noteKey({ kind: 'segment', flow_id: doc.flow_id, seg_start: doc.seg_start, object_id: doc.object_id }),
    );
  }
  if (doc.kind === 'transcript') {
    return plan.notes.get(noteKey({ kind: 'transcript', transcript_id: doc.transcript_id }));
  }
  return undefined;
}

/** The span of an item's cues as a TAMS timerange, [start, end). */
export function cueTimes(item: Pick<SearchItem, 'cues_start' | 'cues_end'>): string | undefined {
  if (item.cues_start === undefined || item.cues_end === undefined) return undefined;
  return TimeRange.from(item.cues_start, item.cues_end, { endInclusive: false }).format();
}

/**
 * After the batch committed: a line for each item that could not be indexed, that dropped cues
 * outside its segment, or whose cues the embedding service refused. One line per item, whatever
 * the number of cues.
 */
export function logNotes(log: WorkerLog, notes: Iterable<ItemNote>): void {
  for (const note of notes) {
    const where = {
      flow_id: note.flow_id,
      ...(note.object_id !== undefined && { object_id: note.object_id }),
      ...(note.timerange !== undefined && { timerange: note.timerange }),
      ...(note.ts_offset !== undefined && { ts_offset: note.ts_offset }),
      ...(note.transcript_id !== undefined && { transcript_id: note.transcript_id }),
      ...(note.ref !== undefined && { ref: note.ref }),
    };
    if (note.error !== undefined) {
      const what =
        note.kind === 'segment'
          ? 'a timed-text segment'
          : note.kind === 'transcript'
            ? 'a transcript'
            : note.ref;
      log.warn({ ...where, reason: note.error }, `search: ${what} could not be indexed and was passed over`);
      continue;
    }
    if (note.outside > 0) {
      log.warn(
        { ...where, cues: note.cues, outside: note.outside, cue_times: cueTimes(note) },
        "search: cues outside their segment's timerange were not indexed (see the segment's ts_offset)",
      );
    }
    if (note.unembedded > 0) {
      log.warn(
        { ...where, unembedded: note.unembedded },
        'search: the embedding service refused the text of cues; they are found by keyword search only',
      );
    }
  }
}
