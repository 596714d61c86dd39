import type { Static } from 'typebox';
import type { Clock } from '../common/clock.ts';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import type { IdGenerator } from '../common/ids.ts';
import type { TamsStore } from '../store/store.ts';
import { parseTimeRange, TimeRange } from '../time/index.ts';
import { searchRepos } from './store/search.repos.ts';
import type { SearchJob, TranscriptCue, TranscriptRecord } from './store/search.transcripts.repo.ts';
import type { Transcript } from './transcripts.schemas.ts';

export type TranscriptDoc = Static<typeof Transcript>;

export interface TranscriptInput {
  flow_id: string;
  label?: string;
  language?: string;
  generator?: string;
  cues: { timerange: string; text: string; speaker?: string; confidence?: number }[];
}

const NOT_FOUND = 'the transcript does not exist';

/**
 * Transcripts made elsewhere (ASR) for a Flow: posted as STAGING, published (ACTIVE, the Flow's
 * previous ACTIVE version ARCHIVED, in one transaction), listed, deleted. The index follows
 * through jobs queued in the same transactions (search.indexer.ts).
 */
export class TranscriptsService {
  constructor(
    private readonly deps: { store: TamsStore; ids: IdGenerator; clock: Clock; wake: () => void },
  ) {}

  async create(input: TranscriptInput, actor: string | undefined): Promise<TranscriptDoc> {
    const cues: TranscriptCue[] = input.cues.map((c, n) => {
      const range = parseTimeRange(c.timerange);
      if (range.start === null || range.end === null || range.isEmpty()) {
        throw new BadRequestError(`body.cues[${n}].timerange must be bounded and not empty`);
      }
      // Stored as [start, end): an inclusive end takes its instant with it.
      const start = range.startInclusive ? range.start : range.start + 1n;
      const end = range.endInclusive ? range.end + 1n : range.end;
      return {
        n,
        time_start: start,
        time_end: end,
        text: c.text,
        ...(c.speaker !== undefined && { speaker: c.speaker }),
        ...(c.confidence !== undefined && { confidence: c.confidence }),
      };
    });
    const record: TranscriptRecord = {
      id: this.deps.ids.uuid(),
      flow_id: input.flow_id,
      status: 'STAGING',
      cues: cues.length,
      created: this.deps.clock.now(),
      ...(input.label !== undefined && { label: input.label }),
      ...(input.language !== undefined && { language: input.language }),
      ...(input.generator !== undefined && { generator: input.generator }),
      ...(actor !== undefined && { created_by: actor }),
    };
    await this.deps.store.transaction(async (tx) => {
      if ((await tx.flows.get(input.flow_id)) === null) throw new NotFoundError('the flow does not exist');
      await searchRepos(tx).transcripts.insert(record, cues);
    });
    return document(record);
  }

  async list(flowId: string): Promise<TranscriptDoc[]> {
    return (await searchRepos(this.deps.store).transcripts.ofFlow(flowId)).map((r) => document(r));
  }

  async get(id: string, withCues: boolean): Promise<TranscriptDoc> {
    const record = await searchRepos(this.deps.store).transcripts.get(id);
    if (record === undefined) throw new NotFoundError(NOT_FOUND);
    return document(record, withCues ? await searchRepos(this.deps.store).transcripts.cues(id) : undefined);
  }

  /** Makes the version ACTIVE and the Flow's other ACTIVE one ARCHIVED; publishing it again changes nothing. */
  async publish(id: string): Promise<TranscriptDoc> {
    const now = this.deps.clock.now();
    const record = await this.deps.store.transaction(async (tx) => {
      const found = await searchRepos(tx).transcripts.get(id);
      if (found === undefined) throw new NotFoundError(NOT_FOUND);
      // Two publications for one Flow at once: the claim makes one of them run again, and see the other.
      await tx.guards.claim([`transcripts:${found.flow_id}`]);
      if (found.status === 'ACTIVE') return found;
      const jobs: SearchJob[] = [];
      for (const other of await searchRepos(tx).transcripts.ofFlow(found.flow_id)) {
        if (other.status !== 'ACTIVE') continue;
        await searchRepos(tx).transcripts.setStatus(other.id, 'ARCHIVED', now);
        jobs.push(this.job('unindex-transcript', other));
      }
      await searchRepos(tx).transcripts.setStatus(id, 'ACTIVE', now);
      jobs.push(this.job('index-transcript', found));
      await searchRepos(tx).transcripts.queue(jobs);
      return { ...found, status: 'ACTIVE' as const, published: now };
    });
    this.deps.wake();
    return document(record);
  }

  async delete(id: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const found = await searchRepos(tx).transcripts.get(id);
      if (found === undefined) throw new NotFoundError(NOT_FOUND);
      await tx.guards.claim([`transcripts:${found.flow_id}`]);
      if (found.status === 'ACTIVE')
        await searchRepos(tx).transcripts.queue([this.job('unindex-transcript', found)]);
      await searchRepos(tx).transcripts.delete(id);
    });
    this.deps.wake();
  }

  private job(kind: SearchJob['kind'], t: TranscriptRecord): SearchJob {
    return {
      id: this.deps.ids.uuid(),
      kind,
      transcript_id: t.id,
      flow_id: t.flow_id,
      created: this.deps.clock.now(),
    };
  }
}

function document(r: TranscriptRecord, cues?: readonly TranscriptCue[]): TranscriptDoc {
  return {
    id: r.id,
    flow_id: r.flow_id,
    status: r.status,
    ...(r.label !== undefined && { label: r.label }),
    ...(r.language !== undefined && { language: r.language }),
    ...(r.generator !== undefined && { generator: r.generator }),
    cue_count: r.cues,
    created: r.created.toISOString(),
    ...(r.created_by !== undefined && { created_by: r.created_by }),
    ...(r.published !== undefined && { published: r.published.toISOString() }),
    ...(r.archived !== undefined && { archived: r.archived.toISOString() }),
    ...(cues !== undefined && {
      cues: cues.map((c) => ({
        timerange: TimeRange.from(c.time_start, c.time_end, { endInclusive: false }).format(),
        text: c.text,
        ...(c.speaker !== undefined && { speaker: c.speaker }),
        ...(c.confidence !== undefined && { confidence: c.confidence }),
      })),
    }),
  };
}
