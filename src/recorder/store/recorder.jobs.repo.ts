import type { DbSession, JsonValue, Row } from '../../db/db.types.ts';
import { and, col, or } from '../../db/predicate.ts';
import type { ListingOrder, SortCursor } from '../../store/listing.order.ts';
import { big, bool, date, num, reqStr, str } from '../../store/rows.ts';
import { sortedPage } from '../../store/sorted.scan.ts';
import type { RepoSet, StoreSession } from '../../store/store.ts';
import type { Track } from '../recorder.segmenter.ts';
import type { TimelineClock } from '../recorder.timeline.ts';
import { RT } from './recorder.tables.ts';

export type SourceKind = 'hls' | 'udp' | 'srt' | 'rtmp' | 'file';
export type JobWant = 'record' | 'stop';
export type JobState = 'waiting' | 'starting' | 'recording' | 'retrying' | 'stopped' | 'failed';

/** The essence Flows a job records into, known once its source was first probed. */
export interface JobFlows {
  video?: string;
  audio: string[];
  captions?: string;
  /** The source's tracks they were made for (a takeover runs ffmpeg on them without a probe). */
  tracks?: Track[];
}

export interface JobRecord {
  id: string;
  label?: string;
  description?: string;
  source_url: string;
  source_kind: SourceKind;
  realtime?: boolean;
  segment_ns: bigint;
  container: string;
  storage_id?: string;
  tags?: Record<string, string | string[]>;
  retention_ns?: bigint;
  source_id: string;
  multi_flow_id: string;
  flows?: JobFlows;
  want: JobWant;
  state: JobState;
  lease_owner?: string;
  lease_until?: Date;
  created: Date;
  created_by?: string;
  updated: Date;
  run_started?: Date;
  timeline_end?: bigint;
  clock?: TimelineClock;
  segments_written: bigint;
  restarts: number;
  lag_ms?: bigint;
  last_error?: string;
  last_error_at?: Date;
}

/** Recording jobs (recorder.tables.ts), run by the recorder's leased worker. */
export class RecordingJobsRepo {
  constructor(private readonly db: DbSession) {}

  async insert(job: JobRecord): Promise<void> {
    await this.db.insert(RT.jobs, [toRow(job)]);
  }

  async save(job: JobRecord): Promise<void> {
    await this.db.update(RT.jobs, and(col('id').eq(job.id)), toRow(job));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const [row] = await this.db.select(RT.jobs, { where: and(col('id').eq(id)), limit: 1 });
    return row ? fromRow(row) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.delete(RT.jobs, and(col('id').eq(id)))) > 0;
  }

  /** A page of jobs, oldest first, after `after`; `next` when more follow. */
  async page(limit: number, after?: SortCursor): Promise<{ items: JobRecord[]; next?: SortCursor }> {
    const order: ListingOrder = { values: 'asc', ids: 'asc', unsetFirst: false };
    const page = await sortedPage(this.db, RT.jobs, { column: 'created', order, where: [] }, after, limit);
    return { items: page.rows.map(fromRow), ...(page.next && { next: page.next }) };
  }

  /** Jobs asked to record whose lease is free or lapsed (a replica died holding it), oldest first. */
  async claimable(now: Date, limit: number): Promise<JobRecord[]> {
    const rows = await this.db.select(RT.jobs, {
      where: and(col('want').eq('record'), or(col('lease_until').isNull(), col('lease_until').lt(now))),
      orderBy: [{ column: 'created' }],
      limit,
    });
    return rows.map(fromRow);
  }

  /**
   * Frees every lease not held by `owner`: for a process that knows no other can be working on
   * the store (the embedded engine admits one), such leases are a killed process's.
   */
  async releaseLeases(owner: string): Promise<number> {
    return this.db.update(
      RT.jobs,
      and(col('lease_until').isNotNull(), or(col('lease_owner').isNull(), col('lease_owner').ne(owner))),
      { lease_owner: null, lease_until: null },
    );
  }
}

function toRow(j: JobRecord): Row {
  return {
    id: j.id,
    label: j.label ?? null,
    description: j.description ?? null,
    source_url: j.source_url,
    source_kind: j.source_kind,
    realtime: j.realtime ?? null,
    segment_ns: j.segment_ns,
    container: j.container,
    storage_id: j.storage_id ?? null,
    tags: (j.tags ?? null) as JsonValue,
    retention_ns: j.retention_ns ?? null,
    source_id: j.source_id,
    multi_flow_id: j.multi_flow_id,
    flows: (j.flows ?? null) as JsonValue,
    want: j.want,
    state: j.state,
    lease_owner: j.lease_owner ?? null,
    lease_until: j.lease_until ?? null,
    created: j.created,
    created_by: j.created_by ?? null,
    updated: j.updated,
    run_started: j.run_started ?? null,
    timeline_end: j.timeline_end ?? null,
    clock_offset_ns: j.clock?.offset ?? null,
    clock_ticks: j.clock?.latestTicks ?? null,
    clock_pts: j.clock?.latestPts ?? null,
    clock_at_ns: j.clock?.at ?? null,
    segments_written: j.segments_written,
    restarts: j.restarts,
    lag_ms: j.lag_ms ?? null,
    last_error: j.last_error ?? null,
    last_error_at: j.last_error_at ?? null,
  };
}

function jsonOf<T>(row: Row, column: string): T | undefined {
  const v = row[column];
  return v === null || v === undefined ? undefined : (v as T);
}

function fromRow(row: Row): JobRecord {
  const job: JobRecord = {
    id: reqStr(row, 'id'),
    source_url: reqStr(row, 'source_url'),
    source_kind: reqStr(row, 'source_kind') as SourceKind,
    segment_ns: big(row, 'segment_ns') ?? 2_000_000_000n,
    container: reqStr(row, 'container'),
    source_id: reqStr(row, 'source_id'),
    multi_flow_id: reqStr(row, 'multi_flow_id'),
    want: reqStr(row, 'want') as JobWant,
    state: reqStr(row, 'state') as JobState,
    created: date(row, 'created') ?? new Date(0),
    updated: date(row, 'updated') ?? new Date(0),
    segments_written: big(row, 'segments_written') ?? 0n,
    restarts: num(row, 'restarts') ?? 0,
  };
  const optional: Partial<JobRecord> = {
    label: str(row, 'label'),
    description: str(row, 'description'),
    realtime: bool(row, 'realtime'),
    storage_id: str(row, 'storage_id'),
    tags: jsonOf(row, 'tags'),
    retention_ns: big(row, 'retention_ns'),
    flows: jsonOf(row, 'flows'),
    lease_owner: str(row, 'lease_owner'),
    lease_until: date(row, 'lease_until'),
    created_by: str(row, 'created_by'),
    run_started: date(row, 'run_started'),
    timeline_end: big(row, 'timeline_end'),
    lag_ms: big(row, 'lag_ms'),
    last_error: str(row, 'last_error'),
    last_error_at: date(row, 'last_error_at'),
  };
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) Object.assign(job, { [key]: value });
  const [offset, latestTicks, latestPts, at] = [
    'clock_offset_ns',
    'clock_ticks',
    'clock_pts',
    'clock_at_ns',
  ].map((column) => big(row, column));
  if (offset !== undefined && latestTicks !== undefined && latestPts !== undefined && at !== undefined)
    job.clock = { offset, latestTicks, latestPts, at };
  return job;
}

const JOBS: RepoSet<RecordingJobsRepo> = { open: (db) => new RecordingJobsRepo(db) };

/** The recording jobs on `store`'s session (the root's, or a transaction's). */
export function recordingJobs(store: StoreSession): RecordingJobsRepo {
  return store.repos(JOBS);
}
