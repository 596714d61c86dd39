import type { FlowLookup } from '../../store/flows.lookup.ts';
import type { OutboxEvent } from '../../store/outbox/events.repo.ts';
import type { StoreSession } from '../../store/store.ts';
import type { FlowRecord } from '../../store/store.types.ts';
import { searchRepos } from '../store/search.repos.ts';
import type { SearchJob, TranscriptRecord } from '../store/search.transcripts.repo.ts';
import { planSegmentsAdded, planSegmentsDeleted } from './search.captions.ts';
import {
  type DocDraft,
  flowDoc,
  flowKey,
  sourceDoc,
  sourceKey,
  transcriptKeyPrefix,
} from './search.extract.ts';
import type { IndexPlan, PlanDeps } from './search.indexplan.ts';

/**
 * Adds what the events of a batch change to `plan`, in order; segments added are planned against
 * the Flows `flows` read when the batch's payloads were chosen.
 */
export async function planEvents(
  deps: PlanDeps,
  flows: FlowLookup,
  events: readonly OutboxEvent[],
  plan: IndexPlan,
  /** Of a batch of one segments_added event: plan its segment number `only` alone. */
  only?: number,
): Promise<void> {
  const { store } = deps;
  for (const event of events) {
    switch (event.event_type) {
      case 'flows/created':
      case 'flows/updated': {
        const flow = event.flow_id === undefined ? null : await store.flows.get(event.flow_id);
        // Gone since: the flows/deleted event that follows removes it.
        if (flow !== null) {
          plan.remove({ kind: 'keys', keys: [flowKey(flow.id)] });
          plan.add(flowDoc(flow));
        }
        break;
      }
      case 'flows/deleted':
        if (event.flow_id !== undefined) {
          plan.remove({ kind: 'flow', flowId: event.flow_id });
          plan.deletedFlows.add(event.flow_id);
        }
        break;
      case 'sources/created':
      case 'sources/updated': {
        const source = event.source_id === undefined ? null : await store.sources.get(event.source_id);
        if (source !== null) {
          plan.remove({ kind: 'keys', keys: [sourceKey(source.id)] });
          plan.add(sourceDoc(source));
        }
        break;
      }
      case 'sources/deleted':
        if (event.source_id !== undefined) plan.remove({ kind: 'keys', keys: [sourceKey(event.source_id)] });
        break;
      case 'flows/segments_added':
        await planSegmentsAdded(deps, flows, event, plan, only);
        break;
      case 'flows/segments_deleted':
        await planSegmentsDeleted(deps, event, plan);
        break;
    }
  }
}

/** A transcript job: an ACTIVE version's cues indexed, or a version's documents removed. */
export async function planJob(store: StoreSession, job: SearchJob, plan: IndexPlan): Promise<void> {
  plan.remove({ kind: 'transcript', transcriptId: job.transcript_id });
  if (job.kind !== 'index-transcript') return;
  const transcript = await searchRepos(store).transcripts.get(job.transcript_id);
  if (transcript?.status !== 'ACTIVE') return;
  const flow = await store.flows.get(transcript.flow_id);
  if (flow === null) return;
  const docs = await transcriptDocs(store, flow, transcript);
  plan.note({
    kind: 'transcript',
    flow_id: flow.id,
    transcript_id: transcript.id,
    cues: transcript.cues,
    indexed: docs.length,
    outside: 0,
    unembedded: 0,
  });
  for (const doc of docs) plan.add(doc);
}

async function transcriptDocs(
  store: StoreSession,
  flow: FlowRecord,
  transcript: TranscriptRecord,
): Promise<DocDraft[]> {
  const prefix = transcriptKeyPrefix(transcript.id);
  return (await searchRepos(store).transcripts.cues(transcript.id))
    .filter((c) => c.time_end > c.time_start && c.text.trim() !== '')
    .map((c) => ({
      doc_key: `${prefix}${c.n}`,
      kind: 'transcript' as const,
      flow_id: flow.id,
      source_id: flow.source_id,
      format: flow.format,
      ...(flow.codec !== undefined && { codec: flow.codec }),
      time_start: c.time_start,
      time_end: c.time_end,
      transcript_id: transcript.id,
      ...(c.speaker !== undefined && { speaker: c.speaker }),
      text: c.text,
    }));
}
