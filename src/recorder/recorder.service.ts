import type { Clock } from '../common/clock.ts';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import type { IdGenerator } from '../common/ids.ts';
import type { UrlGuard } from '../common/url.guard.ts';
import { jobCursorText, parseJobCursor } from '../feature/feature.jobs.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { TamsStore } from '../store/store.ts';
import type { Recording, RecordingPost } from './recorder.schemas.ts';
import { checkSource, shownUrl } from './recorder.source.ts';
import type { MediaTools } from './recorder.tools.ts';
import { type JobRecord, recordingJobs } from './store/recorder.jobs.repo.ts';

export interface RecorderServiceDeps {
  store: TamsStore;
  clock: Clock;
  ids: IdGenerator;
  media: MediaRegistry;
  /** Network sources must pass it (TAMS_RECORDER_ALLOW). */
  guard: UrlGuard;
  /** Where file sources are read from (TAMS_RECORDER_FILE_DIR); '' refuses them. */
  fileDir: string;
  tools: MediaTools;
}

const NS = 1_000_000_000n;
const DEFAULT_SEGMENT_NS = 2n * NS;

/**
 * Recording jobs as the API sees them: created after their source passed the checks (kind,
 * allow-list, file directory, ffmpeg on this replica), listed, stopped and started again,
 * deleted. The recorder's worker (recorder.worker.ts) runs them.
 */
export class RecorderService {
  constructor(private readonly deps: RecorderServiceDeps) {}

  async create(body: RecordingPost, actor: string | undefined): Promise<Recording> {
    const { deps } = this;
    const missing = await deps.tools.missing();
    if (missing !== undefined) throw new BadRequestError(`recording needs ffmpeg: ${missing}`);
    const source = await checkSource(body.source.url, deps.guard, deps.fileDir);
    if (source.kind !== 'file' && body.source.realtime !== undefined)
      throw new BadRequestError('source.realtime is for file sources: a live source has its own pace');
    if (body.storage_id !== undefined) {
      try {
        deps.media.resolve(body.storage_id);
      } catch (error) {
        throw new BadRequestError(`storage_id: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const now = deps.clock.now();
    const job: JobRecord = {
      id: deps.ids.uuid(),
      source_url: body.source.url,
      source_kind: source.kind,
      ...(source.kind === 'file' && { realtime: body.source.realtime ?? true }),
      segment_ns:
        body.segment_duration === undefined ? DEFAULT_SEGMENT_NS : secondsToNs(body.segment_duration),
      container: body.container ?? 'video/mp2t',
      source_id: deps.ids.uuid(),
      multi_flow_id: deps.ids.uuid(),
      want: 'record',
      state: 'waiting',
      created: now,
      updated: now,
      segments_written: 0n,
      restarts: 0,
      ...(body.label !== undefined && { label: body.label }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.storage_id !== undefined && { storage_id: body.storage_id }),
      ...(body.tags !== undefined && { tags: body.tags }),
      ...(body.retention_seconds !== undefined && { retention_ns: BigInt(body.retention_seconds) * NS }),
      ...(actor !== undefined && { created_by: actor }),
    };
    await recordingJobs(deps.store).insert(job);
    return shown(job, now);
  }

  async get(id: string): Promise<Recording> {
    return shown(await this.require(id), this.deps.clock.now());
  }

  /** A page of jobs, oldest first; `after` and `next` are page cursors (isListCursor). */
  async list(limit: number, after?: string): Promise<{ items: Recording[]; next?: string }> {
    const page = await recordingJobs(this.deps.store).page(limit, parseJobCursor(after));
    const now = this.deps.clock.now();
    return {
      items: page.items.map((j) => shown(j, now)),
      ...(page.next && { next: jobCursorText(page.next) }),
    };
  }

  /** Asks the job to stop (its replica stops ffmpeg at its next look) or to record again. */
  async want(id: string, want: JobRecord['want']): Promise<Recording> {
    const { store, clock } = this.deps;
    const job = await store.transaction(async (tx) => {
      const jobs = recordingJobs(tx);
      const found = await jobs.get(id);
      if (!found) throw new NotFoundError(`recording job ${id} does not exist`);
      if (found.want === want) return found;
      found.want = want;
      found.updated = clock.now();
      // Not running: the state says so at once; a running one changes it as it stops or starts.
      if (found.lease_owner === undefined) found.state = want === 'stop' ? 'stopped' : 'waiting';
      await jobs.save(found);
      return found;
    });
    return shown(job, clock.now());
  }

  /** Deletes the job (its replica stops ffmpeg at its next look); its Source and Flows stay. */
  async delete(id: string): Promise<void> {
    if (!(await recordingJobs(this.deps.store).delete(id)))
      throw new NotFoundError(`recording job ${id} does not exist`);
  }

  private async require(id: string): Promise<JobRecord> {
    const job = await recordingJobs(this.deps.store).get(id);
    if (!job) throw new NotFoundError(`recording job ${id} does not exist`);
    return job;
  }
}

function secondsToNs(seconds: number): bigint {
  return BigInt(Math.round(seconds * 1000)) * 1_000_000n;
}

/** A job as the API shows it. A lease that lapsed shows no replica. */
export function shown(job: JobRecord, now: Date): Recording {
  const leased = job.lease_owner !== undefined && job.lease_until !== undefined && job.lease_until > now;
  return {
    id: job.id,
    ...(job.label !== undefined && { label: job.label }),
    ...(job.description !== undefined && { description: job.description }),
    source: {
      url: shownUrl(job.source_url),
      kind: job.source_kind,
      ...(job.realtime !== undefined && { realtime: job.realtime }),
    },
    segment_duration: Number(job.segment_ns) / 1e9,
    container: job.container,
    ...(job.storage_id !== undefined && { storage_id: job.storage_id }),
    ...(job.tags !== undefined && { tags: job.tags as Record<string, string> }),
    ...(job.retention_ns !== undefined && { retention_seconds: Number(job.retention_ns / NS) }),
    source_id: job.source_id,
    flow_ids: {
      multi: job.multi_flow_id,
      audio: job.flows?.audio ?? [],
      ...(job.flows?.video !== undefined && { video: job.flows.video }),
      ...(job.flows?.captions !== undefined && { captions: job.flows.captions }),
    },
    want: job.want,
    state: job.state,
    ...(leased && { replica: job.lease_owner }),
    created: job.created.toISOString(),
    ...(job.created_by !== undefined && { created_by: job.created_by }),
    updated: job.updated.toISOString(),
    ...(job.run_started !== undefined && { run_started: job.run_started.toISOString() }),
    segments_written: Number(job.segments_written),
    restarts: job.restarts,
    ...(job.lag_ms !== undefined && { lag_ms: Number(job.lag_ms) }),
    ...(job.last_error !== undefined && { last_error: job.last_error }),
    ...(job.last_error_at !== undefined && { last_error_at: job.last_error_at.toISOString() }),
  };
}
