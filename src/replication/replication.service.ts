import { randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.ts';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import type { IdGenerator } from '../common/ids.ts';
import { type UrlGuard, UrlRefused } from '../common/url.guard.ts';
import { jobCursorText, parseJobCursor } from '../feature/feature.jobs.ts';
import type { TamsServices } from '../feature/feature.types.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { TamsStore } from '../store/store.ts';
import { formatTimestamp, isTimeRangeString, parseTimeRange } from '../time/index.ts';
import { keyMatches } from './replication.events.ts';
import type { Replication, ReplicationFlow, ReplicationPost } from './replication.schemas.ts';
import { replicationFlows } from './store/replication.flows.repo.ts';
import {
  type JobWant,
  type OriginAuth,
  type ReplicationJob,
  replicationJobs,
  type Selection,
} from './store/replication.jobs.repo.ts';

export interface ReplicationServiceDeps {
  store: TamsStore;
  clock: Clock;
  ids: IdGenerator;
  media: MediaRegistry;
  /** Origins and their token endpoints must pass it (TAMS_REPLICATION_ALLOW). */
  guard: UrlGuard;
  tams: TamsServices;
}

/** A webhook delivery as TAMS sends it (event-stream-common.json). */
export interface OriginEvent {
  event_type?: unknown;
  event?: unknown;
}

/**
 * Replication jobs as the API sees them: created once the origin passed the allow-list, listed
 * with their progress, paused and resumed, deleted. The worker (replication.worker.ts) runs them.
 */
export class ReplicationService {
  constructor(private readonly deps: ReplicationServiceDeps) {}

  async create(body: ReplicationPost, actor: string | undefined): Promise<Replication> {
    const { deps } = this;
    const origin = await this.checkUrl('origin.url', body.origin.url.replace(/\/+$/, ''));
    const auth = authOf(body.origin.auth);
    if (auth.kind === 'client_credentials') await this.checkUrl('origin.auth.token_url', auth.token_url);
    const media = body.media ?? 'reference';
    if (body.storage_id !== undefined) {
      if (media !== 'copy') throw new BadRequestError('storage_id is where copies go: it needs media "copy"');
      try {
        deps.media.resolve(body.storage_id);
      } catch (error) {
        throw new BadRequestError(`storage_id: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const now = deps.clock.now();
    const job: ReplicationJob = {
      id: deps.ids.uuid(),
      origin_url: origin,
      auth,
      select: selectionOf(body.select),
      media,
      follow: body.follow ?? true,
      mirror_deletions: body.mirror_deletions ?? false,
      ids: body.ids ?? 'keep',
      want: 'run',
      state: 'waiting',
      created: now,
      updated: now,
      restarts: 0,
      segments_copied: 0n,
      objects_copied: 0n,
      bytes_copied: 0n,
      segments_refused: 0n,
      segments_deleted: 0n,
      origin_requests: 0n,
      // The key the origin's webhook deliveries carry: a secret, never shown.
      event_key: randomBytes(24).toString('base64url'),
      ...(body.label !== undefined && { label: body.label }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.storage_id !== undefined && { storage_id: body.storage_id }),
      ...(actor !== undefined && { created_by: actor }),
    };
    await replicationJobs(deps.store).insert(job);
    return shown(job, 0, now);
  }

  async get(id: string): Promise<Replication> {
    const job = await this.require(id);
    const flows = await replicationFlows(this.deps.store).ofJob(id);
    return shown(job, flows.length, this.deps.clock.now());
  }

  /** The origin Flows a job follows, with their ids here and cursors. */
  async flows(id: string): Promise<ReplicationFlow[]> {
    await this.require(id);
    const links = await replicationFlows(this.deps.store).ofJob(id);
    return links.map((l) => ({
      origin_flow_id: l.origin_flow_id,
      flow_id: l.flow_id,
      ...(l.origin_source_id !== undefined && { origin_source_id: l.origin_source_id }),
      ...(l.source_id !== undefined && { source_id: l.source_id }),
      segments: Number(l.segments),
      ...(l.cursor !== undefined && { copied_to: formatTimestamp(l.cursor.end) }),
      gone: l.gone,
      ...(l.last_error !== undefined && { last_error: l.last_error }),
      updated: l.updated.toISOString(),
    }));
  }

  /** A page of jobs, oldest first; `after` and `next` are page cursors (isListCursor). */
  async list(limit: number, after?: string): Promise<{ items: Replication[]; next?: string }> {
    const { store, clock } = this.deps;
    const page = await replicationJobs(store).page(limit, parseJobCursor(after));
    const now = clock.now();
    const items = await Promise.all(
      page.items.map(async (j) => shown(j, (await replicationFlows(store).ofJob(j.id)).length, now)),
    );
    return { items, ...(page.next && { next: jobCursorText(page.next) }) };
  }

  /** Pauses the job (its replica stops at its next look) or lets it run again (a done job: a pass). */
  async want(id: string, want: JobWant): Promise<Replication> {
    const { store, clock } = this.deps;
    const job = await store.transaction(async (tx) => {
      const jobs = replicationJobs(tx);
      const found = await jobs.get(id);
      if (!found) throw new NotFoundError(`replication job ${id} does not exist`);
      // A job done (one pass) or failed runs again when resumed: another pass from its cursors.
      const ended = found.state === 'done' || found.state === 'failed';
      if (found.want === want && !(want === 'run' && ended)) return found;
      found.want = want;
      found.updated = clock.now();
      // Not running: the state says so at once; a running one changes it as it stops.
      if (found.lease_owner === undefined) found.state = want === 'pause' ? 'paused' : 'waiting';
      await jobs.save(found);
      return found;
    });
    const flows = await replicationFlows(store).ofJob(id);
    return shown(job, flows.length, clock.now());
  }

  /** Deletes the job and its cursors (its replica stops at its next look); what it copied stays. */
  async delete(id: string): Promise<void> {
    const found = await this.deps.store.transaction(async (tx) => {
      if (!(await replicationJobs(tx).delete(id))) return false;
      await replicationFlows(tx).deleteOfJob(id);
      return true;
    });
    if (!found) throw new NotFoundError(`replication job ${id} does not exist`);
  }

  /**
   * A delivery from the job's origin (its webhook): the replica running the job looks at once;
   * a deletion at the origin is made here now when the job mirrors them. An unknown job and a
   * wrong key answer the same (404): a delivery tells nothing of the jobs here.
   */
  async receive(id: string, key: string | undefined, event: OriginEvent): Promise<void> {
    const { store, clock, tams } = this.deps;
    const job = await replicationJobs(store).get(id);
    if (!job || !keyMatches(job, key)) throw new NotFoundError(`replication job ${id} does not exist`);
    await replicationJobs(store).nudge(id, clock.now());
    if (!job.mirror_deletions || event.event_type !== 'flows/segments_deleted') return;
    const about = event.event as { flow_id?: unknown; timerange?: unknown } | undefined;
    if (typeof about?.flow_id !== 'string' || typeof about.timerange !== 'string') return;
    const link = await replicationFlows(store).get(id, about.flow_id);
    if (link === undefined || !isTimeRangeString(about.timerange)) return;
    await tams.segments.delete(link.flow_id, parseTimeRange(about.timerange), undefined, job.created_by);
  }

  private async checkUrl(field: string, url: string): Promise<string> {
    try {
      await this.deps.guard.check(url);
    } catch (error) {
      if (error instanceof UrlRefused) throw new BadRequestError(`${field}: ${error.message}`);
      throw error;
    }
    return url;
  }

  private async require(id: string): Promise<ReplicationJob> {
    const job = await replicationJobs(this.deps.store).get(id);
    if (!job) throw new NotFoundError(`replication job ${id} does not exist`);
    return job;
  }
}

function authOf(given: ReplicationPost['origin']['auth']): OriginAuth {
  if (given === undefined || given.type === 'none') return { kind: 'none' };
  const { type, ...rest } = given;
  return { kind: type, ...rest } as OriginAuth;
}

function selectionOf(given: ReplicationPost['select']): Selection {
  if ('flow_id' in given) return { kind: 'flow', flow_id: given.flow_id };
  if ('source_id' in given) return { kind: 'source', source_id: given.source_id };
  return { kind: 'tags', tags: given.tags };
}

/** A job as the API shows it: never its credentials nor its event key. */
export function shown(job: ReplicationJob, flows: number, now: Date): Replication {
  const leased = job.lease_owner !== undefined && job.lease_until !== undefined && job.lease_until > now;
  const select = job.select;
  return {
    id: job.id,
    ...(job.label !== undefined && { label: job.label }),
    ...(job.description !== undefined && { description: job.description }),
    origin: {
      url: job.origin_url,
      ...(job.origin_version !== undefined && { version: job.origin_version }),
      auth: job.auth.kind,
    },
    select:
      select.kind === 'flow'
        ? { flow_id: select.flow_id }
        : select.kind === 'source'
          ? { source_id: select.source_id }
          : { tags: select.tags },
    media: job.media,
    ...(job.storage_id !== undefined && { storage_id: job.storage_id }),
    follow: job.follow,
    mirror_deletions: job.mirror_deletions,
    ids: job.ids,
    want: job.want,
    state: job.state,
    ...(leased && { replica: job.lease_owner }),
    created: job.created.toISOString(),
    ...(job.created_by !== undefined && { created_by: job.created_by }),
    updated: job.updated.toISOString(),
    ...(job.run_started !== undefined && { run_started: job.run_started.toISOString() }),
    ...(job.caught_up !== undefined && { caught_up: job.caught_up.toISOString() }),
    flows,
    segments_copied: Number(job.segments_copied),
    objects_copied: Number(job.objects_copied),
    bytes_copied: Number(job.bytes_copied),
    segments_refused: Number(job.segments_refused),
    segments_deleted: Number(job.segments_deleted),
    origin_requests: Number(job.origin_requests),
    restarts: job.restarts,
    ...(job.follow_by !== undefined && { follow_by: job.follow_by }),
    ...(job.follow_note !== undefined && { follow_note: job.follow_note }),
    ...(job.lag_ms !== undefined && { lag_ms: Number(job.lag_ms) }),
    ...(job.last_error !== undefined && { last_error: job.last_error }),
    ...(job.last_error_at !== undefined && { last_error_at: job.last_error_at.toISOString() }),
  };
}
