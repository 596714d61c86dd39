import type { WorkerLog } from '../../common/worker.ts';
import type { MediaRegistry } from '../../media/media.registry.ts';
import type { TamsStore } from '../../store/store.ts';
import type { SearchItem } from '../store/search.items.repo.ts';
import type { DocDraft } from './search.extract.ts';

/** What removes documents: resolved to document rows inside the indexer's transaction. */
export type Removal =
  | { kind: 'keys'; keys: string[] }
  | { kind: 'flow'; flowId: string }
  | { kind: 'segment'; flowId: string; segStart: bigint; objectId: string }
  | { kind: 'transcript'; transcriptId: string };

/** What the indexer made of an item (search_items), before it is written. */
export type ItemNote = Omit<SearchItem, 'at'>;

/** The key of an item's note in a plan: a segment's or a transcript's identity, else its ref. */
export function noteKey(
  note: Pick<ItemNote, 'kind' | 'flow_id' | 'seg_start' | 'object_id' | 'transcript_id' | 'ref'>,
): string {
  switch (note.kind) {
    case 'segment':
      return `segment:${note.flow_id}:${note.seg_start}:${note.object_id}`;
    case 'transcript':
      return `transcript:${note.transcript_id}`;
    case 'other':
      return `other:${note.ref}`;
  }
}

/**
 * One indexer batch's changes, in event order: removals first hit the documents already indexed,
 * then the additions left (an addition a later event of the batch removed never gets written).
 * Items (segments, transcripts) carry a note of what was made of them, replaced the same way.
 */
export class IndexPlan {
  readonly removals: Removal[] = [];
  readonly additions = new Map<string, DocDraft>();
  readonly notes = new Map<string, ItemNote>();
  /** Flows deleted in the batch: their transcripts go too. */
  readonly deletedFlows = new Set<string>();

  /** Items of the batch that could not be indexed (each logged, counted in metrics). */
  get failures(): number {
    let n = 0;
    for (const note of this.notes.values()) if (note.error !== undefined) n++;
    return n;
  }

  remove(removal: Removal): void {
    this.removals.push(removal);
    for (const [key, doc] of this.additions) {
      if (dropped(removal, key, doc)) this.additions.delete(key);
    }
    for (const [key, note] of this.notes) {
      if (noteDropped(removal, note)) this.notes.delete(key);
    }
  }

  add(doc: DocDraft): void {
    this.additions.set(doc.doc_key, doc);
  }

  note(note: ItemNote): void {
    this.notes.set(noteKey(note), note);
  }
}

function noteDropped(removal: Removal, note: ItemNote): boolean {
  switch (removal.kind) {
    case 'keys':
      return false;
    case 'flow':
      return note.flow_id === removal.flowId;
    case 'segment':
      return (
        note.kind === 'segment' &&
        note.flow_id === removal.flowId &&
        note.seg_start === removal.segStart &&
        note.object_id === removal.objectId
      );
    case 'transcript':
      return note.kind === 'transcript' && note.transcript_id === removal.transcriptId;
  }
}

function dropped(removal: Removal, key: string, doc: DocDraft): boolean {
  switch (removal.kind) {
    case 'keys':
      return removal.keys.includes(key);
    case 'flow':
      return doc.flow_id === removal.flowId;
    case 'segment':
      return (
        doc.kind === 'caption' &&
        doc.flow_id === removal.flowId &&
        doc.seg_start === removal.segStart &&
        doc.object_id === removal.objectId
      );
    case 'transcript':
      return doc.transcript_id === removal.transcriptId;
  }
}

export interface PlanDeps {
  store: TamsStore;
  media: MediaRegistry;
  log: WorkerLog;
}
