import type { Clock } from '../../common/clock.ts';
import type { MediaRegistry } from '../../media/media.registry.ts';
import { isPassing } from '../../store/followers/follower.failures.ts';
import type { SegmentKey } from '../../store/segments.repo.ts';
import type { TamsStore } from '../../store/store.ts';
import type { FlowRecord, TagFilters } from '../../store/store.types.ts';
import { TimeRange } from '../../time/index.ts';
import { type Inspected, inspectAlone, type ObjectToRead } from '../exr.inspect.ts';
import { exrRepos } from '../store/exr.repos.ts';
import { applyChange } from './exr.apply.ts';
import { isolateRefused } from './exr.isolate.ts';
import { FramePlan, frameAndObject, isExrFlow } from './exr.plan.ts';
import { recordInspectedAll } from './exr.record.ts';

const FLOWS = 200;
const SEGMENTS = 100;
const PARALLEL_READS = 4;
const NO_TAGS: TagFilters = { equals: {}, exists: {} };

export interface BackfillOptions {
  /** One Flow only. */
  flowId?: string;
  /** Read every object again (an inspected file counts one more inspection); else only the new and failed. */
  force: boolean;
}

export interface BackfillCounts {
  segments: number;
  inspected: number;
  failed: number;
}

/**
 * Catalogues what the EXR image Flows already hold: every segment becomes a frame (replacing the
 * one there was), and every object without an inspected file (all of them with `force`) is read
 * and recorded, a page of segments per transaction. For stores that had media before the
 * catalogue followed the outbox, and for files that failed (their bytes uploaded late, say).
 * Idempotent, so safe beside a running follower.
 */
export class ExrBackfill {
  constructor(private readonly deps: { store: TamsStore; media: MediaRegistry; clock: Clock }) {}

  /** The segments a run will go through (its progress bar's total). */
  async count(options: Pick<BackfillOptions, 'flowId'>): Promise<number> {
    let total = 0;
    for await (const flow of this.flows(options.flowId))
      total += await this.deps.store.segments.countFlow(flow.id);
    return total;
  }

  async run(options: BackfillOptions, progress: (done: BackfillCounts) => void): Promise<BackfillCounts> {
    const counts: BackfillCounts = { segments: 0, inspected: 0, failed: 0 };
    for await (const flow of this.flows(options.flowId)) {
      let after: SegmentKey | undefined;
      do {
        const page = await this.deps.store.segments.page(flow.id, TimeRange.ETERNITY, {
          reverse: false,
          limit: SEGMENTS,
          ...(after !== undefined && { after }),
        });
        await this.page(flow, page.items, options.force, counts);
        counts.segments += page.items.length;
        progress({ ...counts });
        after = page.next;
      } while (after !== undefined);
    }
    return counts;
  }

  private async page(
    flow: FlowRecord,
    segments: readonly { object_id: string; timerange: TimeRange; storage?: { id: string; path: string } }[],
    force: boolean,
    counts: BackfillCounts,
  ): Promise<void> {
    const { store, media, clock } = this.deps;
    const now = clock.now();
    const made = segments.map((s) => frameAndObject(flow, s, now));
    const objects = new Map<string, ObjectToRead>(made.map((m) => [m.object.objectId, m.object]));
    const known = await exrRepos(store).files.byObjects([...objects.keys()]);
    const todo = [...objects.values()].filter(
      (o) => force || !(known.get(o.objectId) ?? []).some((f) => f.status === 'inspected'),
    );
    let read: Inspected[] = [];
    for (let i = 0; i < todo.length; i += PARALLEL_READS) {
      const at = clock.now().toISOString();
      read.push(
        ...(await Promise.all(todo.slice(i, i + PARALLEL_READS).map((o) => inspectAlone(media, o, at)))),
      );
    }
    const plan = new FramePlan();
    for (const [id, o] of objects) plan.objects.set(id, o);
    plan.changes.push({ kind: 'put', frames: made.map((m) => m.frame) });
    const write = () =>
      store.transaction(async (tx) => {
        await recordInspectedAll(tx, read);
        for (const change of plan.changes) await applyChange(tx, change, now);
      });
    let dropped = 0;
    try {
      await write();
    } catch (error) {
      // As the follower does: what the store refuses on its own fails alone (exr.isolate.ts).
      if (isPassing(error)) throw error;
      const isolated = await isolateRefused(store, plan, read, { error, now, bare: async () => {} });
      read = isolated.read;
      dropped = isolated.dropped.length;
      await write();
    }
    counts.inspected += read.filter((r) => r.ok).length;
    counts.failed += read.filter((r) => !r.ok).length + dropped;
  }

  /** The EXR image Flows (or the one asked for, when it is one). */
  private async *flows(flowId: string | undefined): AsyncGenerator<FlowRecord> {
    const { store } = this.deps;
    if (flowId !== undefined) {
      const flow = await store.flows.get(flowId);
      if (flow !== null && isExrFlow(flow)) yield flow;
      return;
    }
    let after: string | undefined;
    do {
      const page = await store.flows.list({ tags: NO_TAGS, format: 'urn:x-tam:format:image' }, after, FLOWS);
      for (const flow of page.items) if (isExrFlow(flow)) yield flow;
      after = page.next;
    } while (after !== undefined);
  }
}
