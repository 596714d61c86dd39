import type { Clock } from '../common/clock.ts';
import { isBackendUnavailable } from '../common/errors.ts';
import { type UrlGuard, UrlRefused } from '../common/url.guard.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { Topology } from '../db/topology.ts';
import type { TamsStore } from '../store/store.ts';
import { JobRun, type RunDeps, type RunSource } from './recorder.run.ts';
import { checkSource } from './recorder.source.ts';
import { type JobRecord, recordingJobs } from './store/recorder.jobs.repo.ts';

export interface RecorderWorkerDeps {
  store: TamsStore;
  clock: Clock;
  log: WorkerLog;
  /** This process among replicas. */
  owner: string;
  leaseMs: number;
  /** Jobs this replica runs at once (TAMS_RECORDER_MAX_JOBS). */
  maxJobs: number;
  topology: Topology;
  guard: UrlGuard;
  fileDir: string;
  run: Omit<RunDeps, 'log'>;
}

/** What a job's row held when this replica took it: the run's counts add to these. */
interface Held {
  run: JobRun;
  segments: bigint;
  restarts: number;
}

/**
 * Runs recording jobs on this replica, as many as TAMS_RECORDER_MAX_JOBS: each step writes every
 * running job's progress to its row and renews its lease (one transaction each, which also finds
 * a job stopped, deleted or taken over: its run is then stopped), then takes jobs whose lease is
 * free or lapsed (a replica that died held them: its runs end with it, and this one goes on after
 * what they registered). A run's failures stay in the run (retried with backoff): a step fails
 * only for what passes (the database away), and the runs go on meanwhile.
 */
export class RecorderWorker {
  private readonly held = new Map<string, Held>();
  private resumed = false;

  constructor(private readonly deps: RecorderWorkerDeps) {}

  async step(): Promise<boolean> {
    const { store, owner, topology } = this.deps;
    if (!this.resumed) {
      if (!topology.leasesNeeded) await recordingJobs(store).releaseLeases(owner);
      this.resumed = true;
    }
    for (const id of [...this.held.keys()]) await this.tend(id);
    while (this.held.size < this.deps.maxJobs && (await this.claim())) {}
    return false;
  }

  /** At shutdown: every run stopped (its segment in progress registered), its lease given up. */
  async release(): Promise<void> {
    await Promise.all(
      [...this.held.keys()].map(async (id) => {
        const held = this.held.get(id);
        if (!held) return;
        await held.run.stop();
        this.held.delete(id);
        await this.write(id, held, { release: true, state: 'waiting' }).catch((error: unknown) =>
          this.deps.log.warn({ err: error, job: id }, 'recording job not released at shutdown'),
        );
      }),
    );
  }

  /** Writes a running job's progress and renews its lease; stops it when it is no longer ours to run. */
  private async tend(id: string): Promise<void> {
    const held = this.held.get(id);
    if (!held) return;
    if (held.run.finished) {
      this.held.delete(id);
      await held.run.stop();
      const state = held.run.progress.state === 'failed' ? 'failed' : 'stopped';
      await this.write(id, held, { release: true, state, finish: true });
      return;
    }
    const outcome = await this.write(id, held, {});
    if (outcome === 'keep') return;
    this.held.delete(id);
    await held.run.stop();
    // Asked to stop: what the run registered while stopping, then the job let go.
    if (outcome === 'stop') await this.write(id, held, { release: true, state: 'stopped' });
  }

  /**
   * One transaction on the job's row: 'lost' (deleted, or another replica holds it), 'stop' (asked
   * to), else its progress written and its lease renewed ('keep'). `release`: the lease let go;
   * `finish`: the source came to its end, nothing more to record.
   */
  private write(
    id: string,
    held: Held,
    options: { release?: boolean; state?: JobRecord['state']; finish?: boolean },
  ): Promise<'keep' | 'stop' | 'lost'> {
    const { store, clock, owner, leaseMs } = this.deps;
    return store.transaction(async (tx) => {
      const jobs = recordingJobs(tx);
      const job = await jobs.get(id);
      if (!job || job.lease_owner !== owner) return 'lost';
      const now = clock.now();
      const p = held.run.progress;
      // Let go at shutdown: waiting for another replica, unless it was asked to stop meanwhile.
      const released = options.state === 'waiting' && job.want === 'stop' ? 'stopped' : options.state;
      // A run that ended between tend's look and this write: its end (`stopped` with want `stop`,
      // or `failed`) is written by the next tend, together; seen alone, a client read a job
      // stopped that still wanted to record.
      const ended = p.state === 'stopped' || p.state === 'failed';
      job.state = released ?? (ended ? job.state : p.state);
      job.segments_written = held.segments + BigInt(p.segments);
      job.restarts = held.restarts + p.retries;
      if (p.flows !== undefined) job.flows = p.flows;
      if (p.timelineEnd !== undefined) job.timeline_end = p.timelineEnd;
      if (p.clock !== undefined) job.clock = p.clock;
      if (p.lagMs !== undefined) job.lag_ms = BigInt(p.lagMs);
      if (p.error !== undefined) {
        job.last_error = p.error.message;
        job.last_error_at = p.error.at;
      }
      job.updated = now;
      const stop = job.want === 'stop' && options.release !== true;
      if (options.finish) job.want = 'stop';
      if (options.release) {
        delete job.lease_owner;
        delete job.lease_until;
      } else {
        job.lease_until = new Date(now.getTime() + leaseMs);
      }
      await jobs.save(job);
      return stop ? 'stop' : 'keep';
    });
  }

  /** Takes the oldest job waiting (or whose holder's lease lapsed) and starts its run. */
  private async claim(): Promise<boolean> {
    const { store, clock, owner, leaseMs } = this.deps;
    // A look outside any transaction first: an idle worker must not take the writer's turn.
    if ((await recordingJobs(store).claimable(clock.now(), 1)).length === 0) return false;
    const job = await store.transaction(async (tx) => {
      const jobs = recordingJobs(tx);
      const now = clock.now();
      const [candidate] = await jobs.claimable(now, 1);
      if (!candidate) return undefined;
      if (candidate.run_started !== undefined) candidate.restarts++;
      candidate.state = 'starting';
      candidate.lease_owner = owner;
      candidate.lease_until = new Date(now.getTime() + leaseMs);
      candidate.run_started = now;
      candidate.updated = now;
      await jobs.save(candidate);
      return candidate;
    });
    if (!job) return false;
    let input: RunSource;
    try {
      input = await this.sourceOf(job);
    } catch (error) {
      if (isBackendUnavailable(error)) throw error;
      await this.refuse(job, error instanceof Error ? error.message : String(error));
      return true;
    }
    const run = new JobRun({ ...this.deps.run, log: this.deps.log }, job, input);
    this.held.set(job.id, { run, segments: job.segments_written, restarts: job.restarts });
    this.deps.log.info({ job: job.id, source: job.source_kind }, 'recording job taken');
    return true;
  }

  /**
   * What the run reads, checked again as at creation (the allow-list or the file may have changed
   * since); a network source's host pinned to the address checked.
   */
  private async sourceOf(job: JobRecord): Promise<RunSource> {
    const checked = await checkSource(job.source_url, this.deps.guard, this.deps.fileDir);
    switch (job.source_kind) {
      case 'file':
        return {
          kind: 'ffmpeg',
          input: { kind: 'file', path: checked.path as string, realtime: job.realtime ?? true },
        };
      // Every connection the server makes for it goes through the guard's lookup.
      case 'hls':
        return { kind: 'hls', url: job.source_url, guard: this.deps.guard };
      default:
        try {
          return {
            kind: 'ffmpeg',
            input: { kind: job.source_kind, url: await this.deps.guard.pin(job.source_url) },
          };
        } catch (error) {
          if (error instanceof UrlRefused) throw new Error(`source.url: ${error.message}`);
          throw error;
        }
    }
  }

  /** A job that cannot run here any more: failed, with why, and let go. */
  private async refuse(job: JobRecord, why: string): Promise<void> {
    const { store, clock, owner } = this.deps;
    this.deps.log.warn({ job: job.id, err: why }, 'recording job cannot run');
    await store.transaction(async (tx) => {
      const jobs = recordingJobs(tx);
      const found = await jobs.get(job.id);
      if (!found || found.lease_owner !== owner) return;
      found.state = 'failed';
      found.want = 'stop';
      found.last_error = why;
      found.last_error_at = clock.now();
      found.updated = clock.now();
      delete found.lease_owner;
      delete found.lease_until;
      await jobs.save(found);
    });
  }
}
