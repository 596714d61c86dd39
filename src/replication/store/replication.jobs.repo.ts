import type { DbSession, JsonValue, Row } from '../../db/db.types.ts';
import { and, col, or } from '../../db/predicate.ts';
import type { ListingOrder, SortCursor } from '../../store/listing.order.ts';
import { big, bool, date, num, reqStr, str } from '../../store/rows.ts';
import { sortedPage } from '../../store/sorted.scan.ts';
import type { RepoSet, StoreSession } from '../../store/store.ts';
import { RPT } from './replication.tables.ts';

export type AuthKind = 'none' | 'bearer' | 'basic' | 'client_credentials';
/** The origin's credentials: the secret parts never leave the server. */
export type OriginAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | {
      kind: 'client_credentials';
      token_url: string;
      client_id: string;
      client_secret: string;
      scope?: string;
    };
export type Selection =
  | { kind: 'flow'; flow_id: string }
  | { kind: 'source'; source_id: string }
  | { kind: 'tags'; tags: Record<string, string> };
export type MediaMode = 'reference' | 'copy';
export type IdMode = 'keep' | 'map';
export type JobWant = 'run' | 'pause';
export type JobState =
  | 'waiting'
  | 'connecting'
  | 'catching_up'
  | 'following'
  | 'retrying'
  | 'paused'
  | 'done'
  | 'failed';

/** The counts a run adds to as it goes (written with its progress). */
export interface JobCounts {
  segments_copied: bigint;
  objects_copied: bigint;
  bytes_copied: bigint;
  segments_refused: bigint;
  segments_deleted: bigint;
  origin_requests: bigint;
}

export const COUNT_NAMES = [
  'segments_copied',
  'objects_copied',
  'bytes_copied',
  'segments_refused',
  'segments_deleted',
  'origin_requests',
] as const satisfies readonly (keyof JobCounts)[];

export interface ReplicationJob extends JobCounts {
  id: string;
  label?: string;
  description?: string;
  origin_url: string;
  origin_version?: string;
  auth: OriginAuth;
  select: Selection;
  media: MediaMode;
  storage_id?: string;
  follow: boolean;
  mirror_deletions: boolean;
  ids: IdMode;
  want: JobWant;
  state: JobState;
  lease_owner?: string;
  lease_until?: Date;
  created: Date;
  created_by?: string;
  updated: Date;
  run_started?: Date;
  caught_up?: Date;
  nudged?: Date;
  origin_webhook_id?: string;
  follow_by?: 'webhook' | 'polling';
  follow_note?: string;
  event_key?: string;
  restarts: number;
  lag_ms?: bigint;
  last_error?: string;
  last_error_at?: Date;
}

/** Replication jobs (replication.tables.ts), run by the replication worker under leases. */
export class ReplicationJobsRepo {
  constructor(private readonly db: DbSession) {}

  async insert(job: ReplicationJob): Promise<void> {
    await this.db.insert(RPT.jobs, [toRow(job)]);
  }

  async save(job: ReplicationJob): Promise<void> {
    await this.db.update(RPT.jobs, and(col('id').eq(job.id)), toRow(job));
  }

  async get(id: string): Promise<ReplicationJob | undefined> {
    const [row] = await this.db.select(RPT.jobs, { where: and(col('id').eq(id)), limit: 1 });
    return row ? fromRow(row) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.delete(RPT.jobs, and(col('id').eq(id)))) > 0;
  }

  /** Marks that the origin sent an event: the replica running the job looks at once. */
  async nudge(id: string, at: Date): Promise<boolean> {
    return (await this.db.update(RPT.jobs, and(col('id').eq(id)), { nudged: at })) > 0;
  }

  /** A page of jobs, oldest first, after `after`; `next` when more follow. */
  async page(limit: number, after?: SortCursor): Promise<{ items: ReplicationJob[]; next?: SortCursor }> {
    const order: ListingOrder = { values: 'asc', ids: 'asc', unsetFirst: false };
    const page = await sortedPage(this.db, RPT.jobs, { column: 'created', order, where: [] }, after, limit);
    return { items: page.rows.map(fromRow), ...(page.next && { next: page.next }) };
  }

  /** Jobs asked to run whose lease is free or lapsed, oldest first. */
  async claimable(now: Date, limit: number): Promise<ReplicationJob[]> {
    const rows = await this.db.select(RPT.jobs, {
      where: and(
        col('want').eq('run'),
        col('state').in(['waiting', 'connecting', 'catching_up', 'following', 'retrying']),
        or(col('lease_until').isNull(), col('lease_until').lt(now)),
      ),
      orderBy: [{ column: 'created' }],
      limit,
    });
    return rows.map(fromRow);
  }

  /** Frees leases not held by `owner` (one process owns the embedded store: they are a dead one's). */
  async releaseLeases(owner: string): Promise<number> {
    return this.db.update(
      RPT.jobs,
      and(col('lease_until').isNotNull(), or(col('lease_owner').isNull(), col('lease_owner').ne(owner))),
      { lease_owner: null, lease_until: null },
    );
  }
}

const OPTIONAL_TEXT = [
  'label',
  'description',
  'origin_version',
  'storage_id',
  'lease_owner',
  'created_by',
  'origin_webhook_id',
  'event_key',
  'follow_by',
  'follow_note',
];
const OPTIONAL_TIME = ['lease_until', 'run_started', 'caught_up', 'nudged', 'last_error_at'];

function toRow(j: ReplicationJob): Row {
  const row: Row = {
    id: j.id,
    origin_url: j.origin_url,
    auth_kind: j.auth.kind,
    auth: j.auth as unknown as JsonValue,
    select_kind: j.select.kind,
    select_value: j.select as unknown as JsonValue,
    media: j.media,
    follow: j.follow,
    mirror_deletions: j.mirror_deletions,
    ids: j.ids,
    want: j.want,
    state: j.state,
    created: j.created,
    updated: j.updated,
    restarts: j.restarts,
    lag_ms: j.lag_ms ?? null,
    last_error: j.last_error ?? null,
  };
  const record = j as unknown as Record<string, string | Date | bigint | undefined>;
  for (const name of [...OPTIONAL_TEXT, ...OPTIONAL_TIME]) row[name] = record[name] ?? null;
  for (const name of COUNT_NAMES) row[name] = j[name];
  return row;
}

function fromRow(row: Row): ReplicationJob {
  const job: ReplicationJob = {
    id: reqStr(row, 'id'),
    origin_url: reqStr(row, 'origin_url'),
    auth: (row.auth as unknown as OriginAuth | null) ?? { kind: 'none' },
    select: row.select_value as unknown as Selection,
    media: reqStr(row, 'media') as MediaMode,
    follow: bool(row, 'follow') ?? true,
    mirror_deletions: bool(row, 'mirror_deletions') ?? false,
    ids: (str(row, 'ids') ?? 'keep') as IdMode,
    want: reqStr(row, 'want') as JobWant,
    state: reqStr(row, 'state') as JobState,
    created: date(row, 'created') ?? new Date(0),
    updated: date(row, 'updated') ?? new Date(0),
    restarts: num(row, 'restarts') ?? 0,
    segments_copied: 0n,
    objects_copied: 0n,
    bytes_copied: 0n,
    segments_refused: 0n,
    segments_deleted: 0n,
    origin_requests: 0n,
  };
  for (const name of COUNT_NAMES) job[name] = big(row, name) ?? 0n;
  const target = job as unknown as Record<string, unknown>;
  for (const name of OPTIONAL_TEXT) {
    const v = str(row, name);
    if (v !== undefined) target[name] = v;
  }
  for (const name of OPTIONAL_TIME) {
    const v = date(row, name);
    if (v !== undefined) target[name] = v;
  }
  const lag = big(row, 'lag_ms');
  if (lag !== undefined) job.lag_ms = lag;
  const error = str(row, 'last_error');
  if (error !== undefined) job.last_error = error;
  return job;
}

const JOBS: RepoSet<ReplicationJobsRepo> = { open: (db) => new ReplicationJobsRepo(db) };

/** The replication jobs on `store`'s session (the root's, or a transaction's). */
export function replicationJobs(store: StoreSession): ReplicationJobsRepo {
  return store.repos(JOBS);
}
