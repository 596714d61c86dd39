import type { Clock } from '../common/clock.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { Topology } from '../db/topology.ts';
import type { TamsStore } from '../store/store.ts';
import { ReplicationRun, type RunDeps } from './replication.run.ts';
import { COUNT_NAMES, type ReplicationJob, replicationJobs } from './store/replication.jobs.repo.ts';

export interface ReplicationWorkerDeps {
  store: TamsStore;
  clock: Clock;
  log: WorkerLog;
  owner: string;
  leaseMs: number;
  maxJobs: number;
  topology: Topology;
  run: Omit<RunDeps, 'log'>;
}

/** A run this replica holds, and what the job's row held when it was taken (its counts add to it). */
interface Held {
  run: ReplicationRun;
  base: ReplicationJob;
  /** The origin event last seen (when taken: those before the run are no news to it). */
  nudged?: number;
}

/**
 * Runs replication jobs on this replica, as many as TAMS_REPLICATION_MAX_JOBS, on the recorder's
 * pattern: each step writes every run's progress to its job's row and renews the lease in one
 * transaction (which also finds a job paused, deleted or taken over: its run is then stopped),
 * then takes jobs whose lease is free or lapsed (their dead replica's run ended with it; this
 * one resumes from the Flows' cursors).
 */
export class ReplicationWorker {
  private readonly held = new Map<string, Held>();
  private resumed = false;

  constructor(private readonly deps: ReplicationWorkerDeps) {}

  async step(): Promise<boolean> {
    const { store, owner, topology } = this.deps;
    if (!this.resumed) {
      if (!topology.leasesNeeded) await replicationJobs(store).releaseLeases(owner);
      this.resumed = true;
    }
    for (const id of [...this.held.keys()]) await this.tend(id);
    while (this.held.size < this.deps.maxJobs && (await this.claim())) {}
    return false;
  }

  /** At shutdown: every run stopped after its page, its lease given up for another replica. */
  async release(): Promise<void> {
    await Promise.all(
      [...this.held.entries()].map(async ([id, held]) => {
        await held.run.stop();
        this.held.delete(id);
        await this.write(id, held, { release: true, state: 'waiting' }).catch((error: unknown) =>
          this.deps.log.warn({ err: error, job: id }, 'replication job not released at shutdown'),
        );
      }),
    );
  }

  private async tend(id: string): Promise<void> {
    const held = this.held.get(id);
    if (!held) return;
    if (held.run.finished) {
      this.held.delete(id);
      await this.write(id, held, { release: true, state: held.run.progress.state });
      return;
    }
    const outcome = await this.write(id, held, {});
    if (outcome === 'keep') return;
    this.held.delete(id);
    await held.run.stop(outcome === 'gone');
    if (outcome === 'pause') await this.write(id, held, { release: true, state: 'paused' });
  }

  /**
   * One transaction on the job's row: 'gone' (deleted), 'lost' (another replica holds it), 'pause'
   * (asked to), else its progress written and its lease renewed ('keep').
   */
  private write(
    id: string,
    held: Held,
    options: { release?: boolean; state?: ReplicationJob['state'] },
  ): Promise<'keep' | 'pause' | 'lost' | 'gone'> {
    const { store, clock, owner, leaseMs } = this.deps;
    return store.transaction(async (tx) => {
      const jobs = replicationJobs(tx);
      const job = await jobs.get(id);
      if (!job) return 'gone';
      if (job.lease_owner !== owner) return 'lost';
      const now = clock.now();
      const p = held.run.progress;
      const state = options.state === 'waiting' && job.want === 'pause' ? 'paused' : options.state;
      // A run's end (done, failed) is written with the lease let go, in one write: seen alone, a
      // job resumed then would be let go as done afterwards (as the recorder's f50a06d).
      const ended = p.state === 'done' || p.state === 'failed';
      job.state = state ?? (ended ? job.state : p.state);
      for (const name of COUNT_NAMES) job[name] = held.base[name] + BigInt(p.counts[name]);
      job.restarts = held.base.restarts + p.retries;
      if (p.version !== undefined) job.origin_version = p.version;
      if (p.caughtUp !== undefined && job.caught_up === undefined) job.caught_up = p.caughtUp;
      if (p.lagMs !== undefined) job.lag_ms = BigInt(p.lagMs);
      if (p.followBy !== undefined) {
        job.follow_by = p.followBy.kind;
        if (p.followBy.kind === 'webhook') {
          delete job.follow_note;
          if (p.followBy.id !== undefined) job.origin_webhook_id = p.followBy.id;
        } else job.follow_note = p.followBy.why;
      }
      if (p.error !== undefined) {
        job.last_error = p.error.message;
        job.last_error_at = p.error.at;
      }
      job.updated = now;
      const pause = job.want === 'pause' && options.release !== true;
      if (options.release) {
        delete job.lease_owner;
        delete job.lease_until;
      } else {
        job.lease_until = new Date(now.getTime() + leaseMs);
      }
      await jobs.save(job);
      const nudged = job.nudged?.getTime();
      if (nudged !== undefined && nudged !== held.nudged) {
        held.run.nudge();
        held.nudged = nudged;
      }
      return pause ? 'pause' : 'keep';
    });
  }

  /** Takes the oldest job waiting (or whose holder's lease lapsed) and starts its run. */
  private async claim(): Promise<boolean> {
    const { store, clock, owner, leaseMs } = this.deps;
    // A look outside any transaction first: an idle worker must not take the writer's turn.
    if ((await replicationJobs(store).claimable(clock.now(), 1)).length === 0) return false;
    const job = await store.transaction(async (tx) => {
      const jobs = replicationJobs(tx);
      const now = clock.now();
      const [candidate] = await jobs.claimable(now, 1);
      if (!candidate) return undefined;
      if (candidate.run_started !== undefined) candidate.restarts++;
      candidate.state = 'connecting';
      candidate.lease_owner = owner;
      candidate.lease_until = new Date(now.getTime() + leaseMs);
      candidate.run_started = now;
      candidate.updated = now;
      await jobs.save(candidate);
      return candidate;
    });
    if (!job) return false;
    const run = new ReplicationRun({ ...this.deps.run, log: this.deps.log }, job);
    this.held.set(job.id, { run, base: job, ...(job.nudged && { nudged: job.nudged.getTime() }) });
    this.deps.log.info({ job: job.id, origin: job.origin_url }, 'replication job taken');
    return true;
  }
}
