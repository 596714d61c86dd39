import type { WorkerLog } from '../../common/worker.ts';
import type { JsonValue } from '../../db/db.types.ts';
import type { MediaRegistry } from '../../media/media.registry.ts';
import { FlowLookup } from '../../store/flows.lookup.ts';
import { HeldCursor } from '../../store/followers/follower.cursor.ts';
import { isPassing } from '../../store/followers/follower.failures.ts';
import { FollowerLease, type FollowerLeaseOptions } from '../../store/followers/leases.follower.ts';
import type { StoreSession, StoreTx } from '../../store/store.ts';
import { type Inspected, inspectAlone, type ObjectToRead } from '../exr.inspect.ts';
import { exrRepos } from '../store/exr.repos.ts';
import { applyChange } from './exr.apply.ts';
import { type Isolated, isolateRefused } from './exr.isolate.ts';
import { type EventProgress, type FramePlan, isExrFlow, planEvents, type SkippedEvent } from './exr.plan.ts';
import { recordInspectedAll } from './exr.record.ts';

/** Events per batch: most need no more than their head (only EXR Flows' segments are read whole). */
const EVENT_BATCH = 5000;
/** Objects a batch reads at most (each a ranged read or two of its backend), and at once. */
const BATCH_OBJECTS = 64;
const PARALLEL_READS = 4;
/** Skipped events whose details `exr_state` keeps (the count is of all of them). */
const SKIPPED_KEPT = 20;

/** `owner` names this process in the `exr-inspect` lease. */
export interface FollowerDeps extends FollowerLeaseOptions {
  media: MediaRegistry;
  log: WorkerLog;
  onBatch?: (report: FollowReport) => void;
}

export interface FollowReport {
  events: number;
  inspected: number;
  /** Objects recorded as failed (missing, not OpenEXR, or failing on their own), or not even that. */
  failed: number;
  /** Events passed over because they could not be applied. */
  skipped: number;
  frames: number;
  cursor: bigint;
}

/** The events the follower passed over: how many, and the last few (`exr_state`'s `skipped`). */
export interface SkippedLog {
  count: number;
  last: SkippedEvent[];
}

export async function readSkipped(store: StoreSession): Promise<SkippedLog> {
  const value = (await exrRepos(store).state.all()).get('skipped') as SkippedLog | null | undefined;
  return { count: value?.count ?? 0, last: value?.last ?? [] };
}

/** The follower's place in the outbox (`exr_state`). */
export interface FollowState {
  cursor: bigint;
  partial: EventProgress | undefined;
}

export async function readFollowState(store: StoreSession): Promise<FollowState> {
  const values = await exrRepos(store).state.all();
  const cursor = values.get('cursor');
  const partial = values.get('partial') as EventProgress | null | undefined;
  return { cursor: typeof cursor === 'string' ? BigInt(cursor) : 0n, partial: partial ?? undefined };
}

const stateKey = (state: FollowState) => `${state.cursor}:${JSON.stringify(state.partial ?? null)}`;
const sameState = (a: FollowState, b: FollowState) => stateKey(a) === stateKey(b);

/**
 * Keeps the EXR catalogue in step with the store by following the event outbox: segments added
 * to EXR image Flows become frames, and their objects' headers are read (ranged reads of the
 * media backend, outside any transaction) and recorded; segments and Flows deleted take their
 * frames away, and a file no Flow uses any more is marked removed. Each batch commits in one
 * transaction with the cursor past it, under the `exr-inspect` lease: a restart, or another
 * replica taking over, goes on from the cursor. Ingest never waits: the TAMS write paths only
 * record their events.
 *
 * One bad item never stops it (store/followers/follower.failures.ts): an object that fails on its own is
 * recorded as a failed file with its reason (INSPECT_ERROR, NOT_RECORDED), an event that cannot
 * be applied is skipped and counted in `exr_state` (`skipped`), each logged once when its batch
 * commits; a failure that passes (database, a backend failing its check) fails the step, which
 * the worker tries again after a growing pause.
 */
export class ExrFollower {
  private readonly lease: FollowerLease;
  /** The cursor past batches that had nothing to write, when it is not written yet. */
  private readonly held: HeldCursor;

  constructor(private readonly deps: FollowerDeps) {
    this.lease = new FollowerLease('exr-inspect', deps);
    this.held = new HeldCursor(this.lease.topology, deps.clock);
  }

  /** One batch; true when there may be more to do at once. */
  async step(): Promise<boolean> {
    const { store } = this.deps;
    if (!(await this.lease.mayWork())) return false;
    const written = await readFollowState(store);
    const base = stateKey(written);
    // A held cursor is only ever past whole events: no event is partly done beyond it.
    const from = this.held.from(base, written.cursor);
    const state: FollowState = from === written.cursor ? written : { cursor: from, partial: undefined };
    const upTo = await store.events.settled();
    // Only segments added to EXR Flows need their payload read (deletions carry a timerange);
    // the plan sees the Flows as they were read here.
    const flows = new FlowLookup(store);
    const events = await store.events.afterSome(
      state.cursor,
      EVENT_BATCH,
      upTo,
      async (e) => e.event_type !== 'flows/segments_added' || (await flows.is(e.flow_id, isExrFlow)),
    );
    if (events.length === 0) {
      await this.writeHeld();
      await this.lease.idle();
      return false;
    }
    const plan = await planEvents(flows, events, state.partial, BATCH_OBJECTS);
    // Events of other Flows only: nothing to write but the cursor, which may wait (HeldCursor).
    const nothing =
      plan.changes.length === 0 &&
      plan.objects.size === 0 &&
      plan.partial === undefined &&
      plan.skipped.length === 0;
    if (nothing && plan.applied !== undefined && this.held.mayHold(base)) {
      this.held.hold(base, plan.applied);
      this.deps.onBatch?.({
        events: events.length,
        inspected: 0,
        failed: 0,
        skipped: 0,
        frames: 0,
        cursor: plan.applied,
      });
      return events.length === EVENT_BATCH;
    }
    const read = await this.readObjects(plan);
    const done = await this.commitOrIsolate(plan, read, written, state.cursor);
    if (done !== undefined) {
      this.logFailures(plan, done.isolated);
      const applied = plan.applied;
      const whole = applied === undefined ? 0 : events.filter((e) => e.seq <= applied).length;
      this.deps.onBatch?.({ ...done.report, events: whole });
    }
    return events.length === EVENT_BATCH || plan.partial !== undefined;
  }

  /**
   * Commits the batch; when the store refuses it for a reason that does not pass, commits what
   * is left once the parts it refuses on their own are out (exr.isolate.ts).
   */
  private async commitOrIsolate(plan: FramePlan, read: Inspected[], planned: FollowState, from: bigint) {
    try {
      const report = await this.commit(plan, read, planned, from);
      return report && { report, isolated: { read, dropped: [] } as Isolated };
    } catch (error) {
      if (isPassing(error)) throw error;
      const isolated = await isolateRefused(this.deps.store, plan, read, {
        error,
        now: this.deps.clock.now(),
        bare: async (tx) => {
          await writeState(tx, plan, from);
        },
      });
      const report = await this.commit(plan, isolated.read, planned, from);
      return report && { report: { ...report, failed: report.failed + isolated.dropped.length }, isolated };
    }
  }

  /** One warning per object failed and per event skipped, once the batch recording them committed. */
  private logFailures(plan: FramePlan, isolated: Isolated): void {
    const { log } = this.deps;
    for (const r of isolated.read) {
      if (r.ok) continue;
      const { object_id, error_code, error_message } = r.failure;
      log.warn({ object_id, code: error_code, reason: error_message }, 'exr: object not inspected');
    }
    for (const r of isolated.dropped) {
      const { object_id } = r.ok ? r.inspection.file : r.failure;
      log.warn({ object_id }, 'exr: object not recorded: the store refused its rows and its failure');
    }
    for (const e of plan.skipped) log.warn({ ...e }, 'exr: event skipped');
  }

  /** Writes the cursor held in memory, if any (see HeldCursor). */
  private writeHeld(): Promise<void> {
    return this.held.write(this.deps.store, this.lease, async (tx, held) => {
      if (stateKey(await readFollowState(tx)) !== held.base) return false;
      await exrRepos(tx).state.set({ cursor: held.cursor.toString(), partial: null });
      return true;
    });
  }

  async release(): Promise<void> {
    await this.writeHeld();
    await this.lease.release();
  }

  /** The headers of the plan's objects that have no inspected file yet (failures are tried again). */
  private async readObjects(plan: FramePlan): Promise<Inspected[]> {
    const { store, clock } = this.deps;
    const known = await exrRepos(store).files.byObjects([...plan.objects.keys()]);
    const todo: ObjectToRead[] = [...plan.objects.values()].filter(
      (o) => !(known.get(o.objectId) ?? []).some((f) => f.status === 'inspected'),
    );
    const out: Inspected[] = [];
    for (let i = 0; i < todo.length; i += PARALLEL_READS) {
      const now = clock.now().toISOString();
      const slice = todo.slice(i, i + PARALLEL_READS);
      out.push(...(await Promise.all(slice.map((o) => inspectAlone(this.deps.media, o, now)))));
    }
    return out;
  }

  /**
   * Writes a batch if the written state is still the one it planned from (`planned`, read on from
   * `from`: a held cursor, or its own); undefined when dropped.
   */
  private async commit(plan: FramePlan, read: Inspected[], planned: FollowState, from: bigint) {
    const { store, clock } = this.deps;
    const result = await store.transaction(async (tx) => {
      if (!(await this.lease.take(tx))) return undefined;
      const state = await readFollowState(tx);
      if (!sameState(state, planned)) return undefined;
      await recordInspectedAll(tx, read);
      let frames = 0;
      for (const change of plan.changes) frames += await applyChange(tx, change, clock.now());
      const cursor = await writeState(tx, plan, from);
      return {
        events: 0,
        inspected: read.filter((r) => r.ok).length,
        failed: read.filter((r) => !r.ok).length,
        skipped: plan.skipped.length,
        frames,
        cursor,
      };
    });
    this.lease.settle(result !== undefined);
    if (result !== undefined) this.held.written();
    return result;
  }
}

/** Writes the cursor past the batch (and the events it skipped) in `tx`; returns the cursor. */
async function writeState(tx: StoreTx, plan: FramePlan, from: bigint): Promise<bigint> {
  const cursor = plan.applied ?? from;
  const values: Record<string, JsonValue> = {
    cursor: cursor.toString(),
    partial: (plan.partial ?? null) as JsonValue,
  };
  if (plan.skipped.length > 0) {
    const before = await readSkipped(tx);
    const skipped: SkippedLog = {
      count: before.count + plan.skipped.length,
      last: [...before.last, ...plan.skipped].slice(-SKIPPED_KEPT),
    };
    values.skipped = skipped as unknown as JsonValue;
  }
  await exrRepos(tx).state.set(values);
  return cursor;
}
