import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, date, num, reqStr, str } from '../../store/rows.ts';
import { ST } from './search.tables.ts';

export type TranscriptStatus = 'STAGING' | 'ACTIVE' | 'ARCHIVED';

export interface TranscriptRecord {
  id: string;
  flow_id: string;
  status: TranscriptStatus;
  label?: string;
  language?: string;
  /** What made it (an ASR system and version), as its poster says. */
  generator?: string;
  cues: number;
  created: Date;
  created_by?: string;
  published?: Date;
  archived?: Date;
}

export interface TranscriptCue {
  n: number;
  time_start: bigint;
  time_end: bigint;
  text: string;
  speaker?: string;
  confidence?: number;
}

export interface SearchJob {
  id: string;
  kind: 'index-transcript' | 'unindex-transcript';
  transcript_id: string;
  flow_id: string;
  created: Date;
}

/** Transcript versions posted through the search API, and the indexer's queue of their changes. */
export class TranscriptsRepo {
  constructor(private readonly db: DbSession) {}

  async insert(record: TranscriptRecord, cues: readonly TranscriptCue[]): Promise<void> {
    await this.db.insert(ST.transcripts, [toRow(record)]);
    if (cues.length === 0) return;
    await this.db.insert(
      ST.cues,
      cues.map((c) => ({
        transcript_id: record.id,
        n: c.n,
        time_start: c.time_start,
        time_end: c.time_end,
        text: c.text,
        speaker: c.speaker ?? null,
        confidence: c.confidence ?? null,
      })),
    );
  }

  async get(id: string): Promise<TranscriptRecord | undefined> {
    const rows = await this.db.select(ST.transcripts, { where: and(col('id').eq(id)), limit: 1 });
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  /** A Flow's versions, newest first. */
  async ofFlow(flowId: string): Promise<TranscriptRecord[]> {
    const rows = await this.db.select(ST.transcripts, { where: and(col('flow_id').eq(flowId)) });
    return rows
      .map(fromRow)
      .sort((a, b) => b.created.getTime() - a.created.getTime() || (a.id < b.id ? 1 : -1));
  }

  /** The statuses of these versions (a query checks that its transcript hits are still ACTIVE). */
  async statuses(ids: readonly string[]): Promise<Map<string, TranscriptStatus>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select(ST.transcripts, {
      where: and(col('id').in([...ids])),
      columns: ['id', 'status'],
    });
    return new Map(rows.map((r) => [reqStr(r, 'id'), reqStr(r, 'status') as TranscriptStatus]));
  }

  /** ACTIVE versions by id after `after`, at most `limit` (a rebuild of the index). */
  async active(after: string, limit: number): Promise<TranscriptRecord[]> {
    const rows = await this.db.select(ST.transcripts, {
      where: and(col('status').eq('ACTIVE'), col('id').gt(after)),
      orderBy: [{ column: 'id' }],
      limit,
    });
    return rows.map(fromRow);
  }

  async cues(id: string): Promise<TranscriptCue[]> {
    const rows = await this.db.select(ST.cues, { where: and(col('transcript_id').eq(id)) });
    return rows
      .map((r) => {
        const cue: TranscriptCue = {
          n: num(r, 'n') ?? 0,
          time_start: big(r, 'time_start') ?? 0n,
          time_end: big(r, 'time_end') ?? 0n,
          text: reqStr(r, 'text'),
        };
        const speaker = str(r, 'speaker');
        if (speaker !== undefined) cue.speaker = speaker;
        const confidence = num(r, 'confidence');
        if (confidence !== undefined) cue.confidence = confidence;
        return cue;
      })
      .sort((a, b) => a.n - b.n);
  }

  async setStatus(id: string, status: TranscriptStatus, at: Date): Promise<void> {
    const changes: Row = { status };
    if (status === 'ACTIVE') changes.published = at;
    if (status === 'ARCHIVED') changes.archived = at;
    await this.db.update(ST.transcripts, and(col('id').eq(id)), changes);
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(ST.cues, and(col('transcript_id').eq(id)));
    await this.db.delete(ST.transcripts, and(col('id').eq(id)));
  }

  async queue(jobs: readonly SearchJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.db.insert(
      ST.jobs,
      jobs.map((j) => ({ ...j })),
    );
  }

  /** The oldest queued jobs. */
  async jobs(limit: number): Promise<SearchJob[]> {
    const rows = await this.db.select(ST.jobs, { orderBy: [{ column: 'created' }, { column: 'id' }], limit });
    return rows.map((r) => ({
      id: reqStr(r, 'id'),
      kind: reqStr(r, 'kind') as SearchJob['kind'],
      transcript_id: reqStr(r, 'transcript_id'),
      flow_id: reqStr(r, 'flow_id'),
      created: date(r, 'created') ?? new Date(0),
    }));
  }

  async finishJobs(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.db.delete(ST.jobs, and(col('id').in([...ids])));
  }

  async countJobs(): Promise<number> {
    return this.db.count(ST.jobs);
  }
}

function toRow(r: TranscriptRecord): Row {
  return {
    id: r.id,
    flow_id: r.flow_id,
    status: r.status,
    label: r.label ?? null,
    language: r.language ?? null,
    generator: r.generator ?? null,
    cues: r.cues,
    created: r.created,
    created_by: r.created_by ?? null,
    published: r.published ?? null,
    archived: r.archived ?? null,
  };
}

function fromRow(row: Row): TranscriptRecord {
  const r: TranscriptRecord = {
    id: reqStr(row, 'id'),
    flow_id: reqStr(row, 'flow_id'),
    status: reqStr(row, 'status') as TranscriptStatus,
    cues: num(row, 'cues') ?? 0,
    created: date(row, 'created') ?? new Date(0),
  };
  for (const key of ['label', 'language', 'generator', 'created_by'] as const) {
    const v = str(row, key);
    if (v !== undefined) r[key] = v;
  }
  for (const key of ['published', 'archived'] as const) {
    const v = date(row, key);
    if (v !== undefined) r[key] = v;
  }
  return r;
}
