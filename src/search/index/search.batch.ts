import type { FlowLookup } from '../../store/flows.lookup.ts';
import type { OutboxEvent } from '../../store/outbox/events.repo.ts';
import type { StoreTx } from '../../store/store.ts';
import type { SearchDoc } from '../store/search.docs.repo.ts';
import { searchRepos } from '../store/search.repos.ts';
import type { SearchJob } from '../store/search.transcripts.repo.ts';
import { addedCount, addedSegments, isTimedTextFlow, segmentNote } from './search.captions.ts';
import type { DocDraft } from './search.extract.ts';
import type { Progress } from './search.index.types.ts';
import { IndexPlan } from './search.indexplan.ts';
import type { BatchScope } from './search.retry.ts';
import type { IndexState } from './search.state.ts';

/** The parts of an indexer batch of events and transcript jobs that are not the indexer's loop. */

/** The segment of an event that Recovery takes alone (EventParts). */
export interface EventPart {
  index: number;
  /** Whether it is the event's last segment: the cursor moves past the event with it. */
  last: boolean;
  /** Called once the segment went through: the next batch takes the next one. */
  done(): void;
}

/**
 * The segment to take alone of the one event of a batch, while Recovery takes items one at a
 * time: none unless the event added several. Which one is kept in memory: a restart takes the
 * event's segments again from the first (documents are replaced by key: indexed twice, counted
 * once).
 */
export class EventParts {
  private at: { seq: bigint; index: number } | undefined;

  of(events: readonly OutboxEvent[]): EventPart | undefined {
    const event = events[0];
    // A read that found nothing yet (the outbox not settled) keeps the place in the event.
    if (event === undefined) return undefined;
    const count = events.length === 1 ? addedCount(event) : 0;
    if (count <= 1) {
      this.at = undefined;
      return undefined;
    }
    const at = this.at?.seq === event.seq ? this.at : { seq: event.seq, index: 0 };
    this.at = at;
    return {
      index: at.index,
      last: at.index >= count - 1,
      done: () => {
        at.index++;
      },
    };
  }
}

/** Segments an event adds (an item each, for Recovery); other events are one item. */
function itemsOf(event: OutboxEvent): number {
  return Math.max(1, addedCount(event));
}

/**
 * The items of an events batch, and how to pass over the one item of a batch of one: the
 * transcript job finished, the cursor moved past the event, or past the event's segment `part`
 * (the cursor left at `from` until its last), with the failure recorded.
 */
export function eventsScope(
  jobs: readonly SearchJob[],
  events: readonly OutboxEvent[],
  commit: (plan: IndexPlan, progress: Progress) => Promise<unknown>,
  at: { part: EventPart | undefined; from: bigint },
): BatchScope {
  const job = jobs[0];
  const event = events[0];
  const { part, from } = at;
  const items = part !== undefined ? 1 : jobs.length + events.reduce((n, e) => n + itemsOf(e), 0);
  const key =
    items !== 1
      ? 'batch'
      : job !== undefined
        ? `job ${job.id}`
        : `event ${event?.seq}${part !== undefined ? ` segment ${part.index}` : ''}`;
  const none = { cues: 0, indexed: 0, outside: 0, unembedded: 0 };
  return {
    items,
    key,
    ...(part !== undefined && { done: () => part.done() }),
    passOver: (reason) => {
      const plan = new IndexPlan();
      if (job !== undefined) {
        plan.remove({ kind: 'transcript', transcriptId: job.transcript_id });
        plan.note({
          kind: 'transcript',
          flow_id: job.flow_id,
          transcript_id: job.transcript_id,
          ...none,
          error: reason,
        });
        return commit(plan, { jobs: [job.id] });
      }
      if (event === undefined) return Promise.resolve(undefined);
      const segment = part !== undefined ? addedSegments(event)[part.index] : undefined;
      if (segment !== undefined && part !== undefined) {
        const note = segmentNote(segment.flow_id, segment);
        // Replaces what an earlier attempt may have recorded of it.
        plan.remove({
          kind: 'segment',
          flowId: segment.flow_id,
          segStart: note.seg_start ?? 0n,
          objectId: segment.object_id,
        });
        plan.note({ ...note, error: reason });
        return commit(plan, { cursor: part.last ? event.seq : from });
      }
      const ref = `${event.event_type} event ${event.seq}`;
      plan.note({
        kind: 'other',
        ...(event.flow_id !== undefined && { flow_id: event.flow_id }),
        ref,
        ...none,
        error: reason,
      });
      return commit(plan, { cursor: event.seq });
    },
  };
}

/** Resolves the plan's removals to documents and deletes them; returns how many went. */
export async function removeDocs(tx: StoreTx, plan: IndexPlan, state: IndexState): Promise<number> {
  const gone = new Map<number, number>();
  const docs = searchRepos(tx).docs;
  for (const removal of plan.removals) {
    let found: SearchDoc[];
    switch (removal.kind) {
      case 'keys':
        found = await docs.byKeys(removal.keys);
        break;
      case 'flow':
        found = await docs.ofFlow(removal.flowId);
        break;
      case 'segment':
        found = (await docs.captionsOfSegments(removal.flowId, removal.segStart, removal.segStart)).filter(
          (d) => d.object_id === removal.objectId,
        );
        break;
      case 'transcript':
        found = await docs.ofTranscript(removal.transcriptId);
        break;
    }
    for (const d of found) gone.set(d.doc_no, d.length);
  }
  if (gone.size === 0) return 0;
  await docs.deleteNumbers([...gone.keys()]);
  for (const length of gone.values()) {
    state.docs--;
    state.tokens -= length;
  }
  return gone.size;
}

export function toDoc(draft: DocDraft, docNo: number, length: number, indexed: Date): SearchDoc {
  return { ...draft, doc_no: docNo, length, indexed };
}

/**
 * Which events the plan reads the payload of: segments removed (their timerange), and segments
 * added to timed-text Flows (the rest of the events name what they are about in their columns).
 */
export function needsPayload(flows: FlowLookup): (event: OutboxEvent) => Promise<boolean> {
  return async (event) => {
    if (event.event_type === 'flows/segments_deleted') return true;
    if (event.event_type !== 'flows/segments_added') return false;
    return flows.is(event.flow_id, isTimedTextFlow);
  };
}
