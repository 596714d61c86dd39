import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../common/clock.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { SegmentKey } from '../store/segments.repo.ts';
import type { StoreTx, TamsStore } from '../store/store.ts';
import type { TagFilters } from '../store/store.types.ts';
import { TimeRange } from '../time/index.ts';
import { headSizes, type ObjectToSize } from './analytics.head.ts';
import type { AnalyticsReports } from './store/reports.ts';
import { type ObjectSize, objectSizes } from './store/sizes.repo.ts';

const LEASE = 'analytics-sizes';
const FLOWS = 200;
/** Segments per page: each page's objects are looked up (64 at a time) and sized in one transaction. */
const SEGMENTS = 1000;
const PAGE = 1000;
const NO_TAGS: TagFilters = { equals: {}, exists: {} };
/** How long to wait for a running server's size follower to let the lease go, per try. */
const LEASE_WAIT_MS = 1000;

export interface SizeBackfillOptions {
  flowId?: string;
  /** Ask again for the objects whose backend had no bytes when last asked. */
  missing?: boolean;
  /** Remove size rows whose objects are gone. */
  prune?: boolean;
}

export interface SizeBackfillCounts {
  segments: number;
  /** Objects sized now (with bytes). */
  sized: number;
  /** Objects asked whose backend has no bytes. */
  missing: number;
  /** Misses asked again that now have bytes. */
  found: number;
  pruned: number;
}

export interface SizeBackfillDeps {
  store: TamsStore;
  media: MediaRegistry;
  reports: AnalyticsReports;
  clock: Clock;
  owner: string;
  leaseMs: number;
}

/**
 * `tams-mgmt analytics sizes`: sizes the objects the store held before the size follower ran
 * (every Flow's segments, a page at a time: the objects without a size row are asked for), and
 * with `missing` asks again for objects whose bytes were missing. Each page commits under the
 * follower's lease, so on a shared database it never writes beside a running server's follower
 * (it waits for the lease); pages already done are skipped when it runs again.
 */
export class SizeBackfill {
  constructor(private readonly deps: SizeBackfillDeps) {}

  async run(
    options: SizeBackfillOptions,
    progress: (done: SizeBackfillCounts) => void,
  ): Promise<SizeBackfillCounts> {
    const counts: SizeBackfillCounts = { segments: 0, sized: 0, missing: 0, found: 0, pruned: 0 };
    if (options.prune) counts.pruned = await this.prune();
    for await (const flowId of this.flows(options.flowId)) {
      let after: SegmentKey | undefined;
      do {
        const page = await this.deps.store.segments.page(flowId, TimeRange.ETERNITY, {
          reverse: false,
          limit: SEGMENTS,
          ...(after !== undefined && { after }),
        });
        const objects = new Map<string, ObjectToSize>();
        for (const s of page.items) {
          if (objects.has(s.object_id)) continue;
          // External objects (no backend) get their row too, unsized (see headSizes).
          objects.set(s.object_id, {
            objectId: s.object_id,
            ...(s.storage !== undefined && { storageId: s.storage.id, path: s.storage.path }),
            flowId,
            ...(s.timerange.start !== null && { segStart: s.timerange.start }),
          });
        }
        const sizes = await this.size([...objects.values()]);
        counts.segments += page.items.length;
        counts.sized += sizes.filter((s) => s.size !== null).length;
        counts.missing += sizes.filter((s) => s.size === null && s.storageId !== undefined).length;
        progress({ ...counts });
        after = page.next;
      } while (after !== undefined);
    }
    if (options.missing) counts.found = await this.recheck();
    progress({ ...counts });
    return counts;
  }

  /** Sizes the objects without a size row, and records them; returns what it recorded. */
  private async size(objects: readonly ObjectToSize[]): Promise<ObjectSize[]> {
    const { store, media, clock } = this.deps;
    const known = await objectSizes(store).known(objects.map((o) => o.objectId));
    const unknown = objects.filter((o) => !known.has(o.objectId));
    // An object another Flow registered first is sized in that Flow's turn (its bytes count there).
    const first = await objectSizes(store).firstFlows(unknown.map((o) => o.objectId));
    const todo = unknown.filter((o) => {
      const flow = first.get(o.objectId);
      return flow === undefined || flow === o.flowId;
    });
    if (todo.length === 0) return [];
    const sizes = await headSizes(media, todo, () => clock.now());
    return this.leased(async (tx) => {
      // The follower may have sized some since: they keep their row.
      const since = await objectSizes(tx).known(sizes.map((s) => s.objectId));
      const fresh = sizes.filter((s) => !since.has(s.objectId));
      await objectSizes(tx).insert(fresh);
      return fresh;
    });
  }

  /** Asks again for the misses; returns how many now have bytes. */
  private async recheck(): Promise<number> {
    const { store, media, clock } = this.deps;
    let found = 0;
    let after: string | undefined;
    for (;;) {
      const ids = await objectSizes(store).missing(after, PAGE);
      if (ids.length === 0) return found;
      after = ids[ids.length - 1];
      const rows = new Map((await objectSizes(store).get(ids)).map((r) => [r.objectId, r]));
      const located = await store.objects.getMany(ids);
      const todo: ObjectToSize[] = [];
      for (const [id, o] of located) {
        const row = rows.get(id);
        if (o.storage_id === undefined || o.storage_path === undefined || row === undefined) continue;
        todo.push({
          objectId: id,
          storageId: o.storage_id,
          path: o.storage_path,
          ...(row.flowId !== undefined && { flowId: row.flowId }),
          ...(row.segStart !== undefined && { segStart: row.segStart }),
          ...(row.registered !== undefined && { registered: row.registered }),
        });
      }
      const now = (await headSizes(media, todo, () => clock.now())).filter((s) => s.size !== null);
      await this.leased((tx) => objectSizes(tx).replace(now));
      found += now.length;
      if (ids.length < PAGE) return found;
    }
  }

  private async prune(): Promise<number> {
    let pruned = 0;
    for (;;) {
      const ids = await this.deps.reports.orphanSizes(PAGE);
      if (ids.length === 0) return pruned;
      await this.leased((tx) => objectSizes(tx).delete(ids));
      pruned += ids.length;
      if (ids.length < PAGE) return pruned;
    }
  }

  /** Runs `fn` in a transaction holding the follower's lease, waiting while another holds it. */
  private async leased<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const { store, clock, owner, leaseMs } = this.deps;
    const deadline = clock.now().getTime() + leaseMs + LEASE_WAIT_MS;
    for (;;) {
      const result = await store.transaction(async (tx) => {
        if (!(await tx.leases.take(LEASE, owner, clock.now(), leaseMs))) return undefined;
        return { value: await fn(tx) };
      });
      if (result !== undefined) return result.value;
      if (clock.now().getTime() > deadline) {
        throw new Error(
          'the object size follower of a running server keeps the analytics-sizes lease; try again',
        );
      }
      await sleep(LEASE_WAIT_MS);
    }
  }

  /** Every Flow's id (or the one asked for). */
  private async *flows(flowId: string | undefined): AsyncGenerator<string> {
    if (flowId !== undefined) {
      yield flowId;
      return;
    }
    let after: string | undefined;
    do {
      const page = await this.deps.store.flows.list({ tags: NO_TAGS }, after, FLOWS);
      for (const flow of page.items) yield flow.id;
      after = page.next;
    } while (after !== undefined);
  }

  /** Lets the lease go (at the end of a run). */
  async release(): Promise<void> {
    await this.deps.store.leases.release(LEASE, this.deps.owner);
  }
}
