import type { Clock } from '../common/clock.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { Topology } from '../db/topology.ts';
import { copyObject } from '../media/media.copy.ts';
import type { DeletionHold } from '../media/media.hold.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import { type InstanceRecord, instanceKey } from '../store/objects/instances.types.ts';
import type { TamsStore } from '../store/store.ts';
import { copySource } from './objects.instances.ts';

/** Attempts of one copy before it is `failed` (POST the instance again to try anew). */
export const COPY_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 10 * 60 * 1000;

export interface CopyWorkerDeps {
  store: TamsStore;
  media: MediaRegistry;
  clock: Clock;
  log: WorkerLog;
  /** Identifies this process among replicas sharing the store. */
  owner: string;
  /** How long a claim on a copy lasts unless renewed (it is while the bytes move). */
  leaseMs: number;
  /** Without leasesNeeded (one process owns the store), leases found at start are a killed process's. */
  topology: Topology;
  /** Passed before deleting bytes: a backup holds deletions while it reads the objects (media.hold.ts). */
  hold?: DeletionHold;
}

/** What one attempt at a copy came to. */
type Outcome = { ok: true; how: string } | { ok: false; error: string };

/**
 * Makes the copies of objects asked for with POST /objects/{id}/instances {storage_id} (TAMS 8.2
 * controlled instances): the object's bytes copied from its own storage (or a ready copy) to the
 * backend asked for, within the storage where it can (S3 CopyObject between buckets of one S3
 * service), else streamed through this process; then the instance is `ready` and advertised.
 *
 * Each copy is claimed with a lease on its row (lease_owner, lease_until), so replicas share the
 * work and a copy a crashed process was making is taken over when its lease lapses (a restart of
 * a store one process owns frees them at once). The lease is renewed while the bytes move. The
 * outcome is written only while the lease is still this worker's; an instance deleted meanwhile
 * (or its object) has its bytes deleted here too. A failure is retried with backoff, up to
 * COPY_ATTEMPTS, then the instance is `failed` with its error.
 */
export class CopyWorker {
  private resumed = false;
  /** The copy under way, to give its lease up at shutdown. */
  private held: InstanceRecord | undefined;

  constructor(private readonly deps: CopyWorkerDeps) {}

  /** Makes one copy; true while there may be more to make. */
  async step(): Promise<boolean> {
    const { store, clock } = this.deps;
    if (!this.resumed) {
      if (!this.deps.topology.leasesNeeded) await store.instances.freeLeases();
      this.resumed = true;
    }
    // A look outside any transaction first: an idle worker must not take the writer's turn.
    const [due] = await store.instances.copiesDue(clock.now(), 1);
    if (due === undefined) return false;
    const claimed = await this.claim(due);
    if (claimed === undefined) return true;
    this.held = claimed.instance;
    let outcome: Outcome;
    const renewing = setInterval(() => void this.renew(claimed.instance), this.deps.leaseMs / 3);
    try {
      outcome = await this.copy(claimed.instance, claimed.from);
    } finally {
      clearInterval(renewing);
    }
    this.held = undefined;
    await this.record(claimed.instance, outcome);
    return true;
  }

  /** Gives up the lease of the copy under way (at shutdown), for another replica to go on at once. */
  async release(): Promise<void> {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    await this.deps.store.transaction(async (tx) => {
      const row = await tx.instances.byKey(held.object_id, instanceKey(held));
      if (row?.lease_owner === this.deps.owner)
        await tx.instances.change(row, { lease_owner: null, lease_until: null });
    });
  }

  /**
   * Takes the copy's lease, and finds where to copy from. Two replicas claiming one copy both
   * update its row: one commits, the other runs again and finds it leased.
   */
  private async claim(due: InstanceRecord) {
    const { store, clock, owner, leaseMs, media } = this.deps;
    return store.transaction(async (tx) => {
      const now = clock.now();
      const row = await tx.instances.byKey(due.object_id, instanceKey(due));
      if (row?.state !== 'copying' || (row.lease_until !== undefined && row.lease_until > now))
        return undefined;
      await tx.instances.change(row, { lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs) });
      const [object, found] = await Promise.all([
        tx.objects.get(row.object_id),
        tx.instances.among([row.object_id]),
      ]);
      const from = object ? copySource(object, found.get(row.object_id) ?? [], media) : undefined;
      return { instance: { ...row, lease_owner: owner }, from };
    });
  }

  private async copy(
    instance: InstanceRecord,
    from: { id: string; path: string } | undefined,
  ): Promise<Outcome> {
    const { media } = this.deps;
    const target = instance.storage_id === undefined ? undefined : media.get(instance.storage_id);
    const source = from && media.get(from.id);
    try {
      if (!target || instance.storage_path === undefined) {
        throw new Error(`storage backend ${instance.storage_id} is not configured`);
      }
      if (!source || !from) throw new Error('no instance on a configured storage backend to copy from');
      const how = await copyObject(source, from.path, target, instance.storage_path);
      return { ok: true, how };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Extends the lease while the bytes move (a copy of a large object outlasts one term). */
  private async renew(instance: InstanceRecord): Promise<void> {
    const { store, clock, owner, leaseMs } = this.deps;
    try {
      await store.transaction(async (tx) => {
        const row = await tx.instances.byKey(instance.object_id, instanceKey(instance));
        if (row?.lease_owner !== owner) return;
        await tx.instances.change(row, { lease_until: new Date(clock.now().getTime() + leaseMs) });
      });
    } catch (error) {
      this.deps.log.warn({ err: error, object_id: instance.object_id }, 'object copy lease not renewed');
    }
  }

  /** Writes the outcome while the lease is still this worker's. */
  private async record(instance: InstanceRecord, outcome: Outcome): Promise<void> {
    const { store, clock, owner, log, media } = this.deps;
    const where = { object_id: instance.object_id, storage_id: instance.storage_id };
    const result = await store.transaction(async (tx) => {
      const row = await tx.instances.byKey(instance.object_id, instanceKey(instance));
      if (row === undefined) return 'gone';
      if (row.lease_owner !== owner || row.state !== 'copying') return 'lost';
      if (outcome.ok) {
        await tx.instances.change(row, { state: 'ready', lease_owner: null, lease_until: null, error: null });
        return 'ready';
      }
      const attempts = (row.attempts ?? 0) + 1;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
      await tx.instances.change(row, {
        state: attempts >= COPY_ATTEMPTS ? 'failed' : 'copying',
        attempts,
        next_attempt: new Date(clock.now().getTime() + delay),
        error: outcome.error,
        lease_owner: null,
        lease_until: null,
      });
      return attempts >= COPY_ATTEMPTS ? 'failed' : 'retry';
    });
    if (outcome.ok && result === 'ready') log.info({ ...where, how: outcome.how }, 'object copy made');
    else if (!outcome.ok) log.error({ ...where, error: outcome.error, result }, 'object copy failed');
    // Deleted while it was being made (the instance or its object): its bytes go too. The
    // deletion queued them already; this deletes what the copy wrote after.
    if (
      result === 'gone' &&
      outcome.ok &&
      instance.storage_id !== undefined &&
      instance.storage_path !== undefined
    ) {
      await this.deps.hold?.pass();
      await media.get(instance.storage_id)?.delete(instance.storage_path);
    }
  }
}
