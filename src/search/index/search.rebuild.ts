import type { JsonValue } from '../../db/db.types.ts';
import type { SegmentKey } from '../../store/segments.repo.ts';
import type { StoreSession } from '../../store/store.ts';
import type { TagFilters } from '../../store/store.types.ts';
import { TimeRange } from '../../time/index.ts';
import { searchRepos } from '../store/search.repos.ts';
import { isTimedTextFlow, planSegment } from './search.captions.ts';
import { flowDoc, flowKey, sourceDoc, sourceKey } from './search.extract.ts';
import type { CommitPlan, IndexerDeps } from './search.index.types.ts';
import { IndexPlan } from './search.indexplan.ts';
import { planJob } from './search.plan.ts';
import type { BatchScope } from './search.retry.ts';
import type { IndexState } from './search.state.ts';

const PAGE = 200;
/** Timed-text segments read per batch (each is an object read from a media backend). */
const SEGMENTS = 50;
const NO_TAGS: TagFilters = { equals: {}, exists: {} };

/** Where a build from the tables is: kept in the state, so that a restart goes on from there. */
interface Progress {
  /** The outbox cursor when the build began: events after it are applied once it is done. */
  cursor: string;
  stage: 'sources' | 'flows' | 'captions' | 'transcripts';
  /** The listing's cursor within the stage. */
  after?: string;
  /** The timed-text Flow being read (captions), and its last segment read. */
  flow?: string;
  segment?: { start: string; inclusive: boolean };
}

/**
 * Indexes what the tables hold when the index has no cursor (a new store, an index emptied by
 * `tams-mgmt search reindex`): Sources, Flows, the timed text of data Flows, ACTIVE transcripts,
 * a batch per step, each committed with its progress. The outbox cursor is taken first, so the
 * changes made while the build runs are applied after it (documents are replaced by key, so an
 * event repeating what the build read changes nothing).
 */
export class RebuildScan {
  private scanned = 0;
  /** Table items a batch reads at most (1 while Recovery takes a failed batch's items one by one). */
  private limit = PAGE;

  constructor(
    private readonly deps: IndexerDeps,
    private readonly commit: CommitPlan,
  ) {}

  /**
   * One batch of at most `limit` table items (fewer than the stage's page only while Recovery
   * isolates an item); `scope` receives the batch's items once they are planned.
   */
  async step(state: IndexState, limit: number, scope: (batch: BatchScope) => void): Promise<boolean> {
    const { store } = this.deps;
    const progress = (state.rebuild as Progress | null) ?? {
      cursor: (await store.events.startCursor()).toString(),
      stage: 'sources',
    };
    const plan = new IndexPlan();
    this.scanned = 0;
    this.limit = Math.max(1, Math.min(PAGE, limit));
    const next = await this.advance(progress, plan);
    const done = next === undefined;
    const moved = {
      rebuild: done ? null : (next as unknown as JsonValue),
      ...(done && { cursor: BigInt(progress.cursor) }),
    };
    scope({
      items: Math.max(1, this.scanned),
      key: `build ${JSON.stringify(progress)}`,
      passOver: (reason) => this.commit(failedPlan(plan, progress, reason), state, moved),
    });
    const result = await this.commit(plan, state, moved);
    if (result !== undefined) {
      this.deps.log.info({ stage: progress.stage, added: result.added, done }, 'search: building the index');
      this.deps.onBatch?.({
        events: 0,
        jobs: 0,
        ...result,
        failures: plan.failures,
        cursor: BigInt(progress.cursor),
        scanned: this.scanned,
      });
    }
    return true;
  }

  /** Adds the next batch of the stage to `plan`; returns the progress after it (undefined: done). */
  private async advance(p: Progress, plan: IndexPlan): Promise<Progress | undefined> {
    const { store } = this.deps;
    switch (p.stage) {
      case 'sources': {
        const page = await store.sources.list({ tags: NO_TAGS }, p.after, this.limit);
        this.scanned += page.items.length;
        for (const source of page.items) {
          plan.remove({ kind: 'keys', keys: [sourceKey(source.id)] });
          plan.add(sourceDoc(source));
        }
        return page.next !== undefined ? { ...p, after: page.next } : { cursor: p.cursor, stage: 'flows' };
      }
      case 'flows': {
        const page = await store.flows.list({ tags: NO_TAGS }, p.after, this.limit);
        this.scanned += page.items.length;
        for (const flow of page.items) {
          plan.remove({ kind: 'keys', keys: [flowKey(flow.id)] });
          plan.add(flowDoc(flow));
        }
        return page.next !== undefined ? { ...p, after: page.next } : { cursor: p.cursor, stage: 'captions' };
      }
      case 'captions':
        return this.captions(p, plan);
      case 'transcripts': {
        const active = await searchRepos(store).transcripts.active(p.after ?? '', this.limit);
        this.scanned += active.length;
        for (const t of active) {
          await planJob(
            store,
            { id: '', kind: 'index-transcript', transcript_id: t.id, flow_id: t.flow_id, created: t.created },
            plan,
          );
        }
        const last = active.at(-1);
        return active.length === this.limit && last !== undefined ? { ...p, after: last.id } : undefined;
      }
    }
  }

  /** The next segments of the timed-text Flows, one Flow after another. */
  private async captions(p: Progress, plan: IndexPlan): Promise<Progress> {
    const { store } = this.deps;
    let flowId = p.flow;
    let after: SegmentKey | undefined =
      p.segment === undefined
        ? undefined
        : { start: BigInt(p.segment.start), startInclusive: p.segment.inclusive };
    let listed = p.after;
    for (;;) {
      if (flowId === undefined) {
        const page = await store.flows.list(
          { tags: NO_TAGS, format: 'urn:x-nmos:format:data' },
          listed,
          PAGE,
        );
        const next = page.items.find(isTimedTextFlow);
        if (next === undefined) {
          if (page.next === undefined) return { cursor: p.cursor, stage: 'transcripts' };
          listed = page.next;
          continue;
        }
        // Resume the listing after this Flow: the cursor of a Flow listing is its id.
        listed = next.id;
        flowId = next.id;
        after = undefined;
      }
      const flow = await store.flows.get(flowId);
      const page = flow
        ? await store.segments.page(flowId, TimeRange.ETERNITY, {
            reverse: false,
            limit: Math.min(SEGMENTS, this.limit),
            after,
          })
        : { items: [] };
      this.scanned += page.items.length;
      if (flow) for (const segment of page.items) await planSegment(this.deps, flow, segment, plan);
      const last = page.items.at(-1);
      if (flow && page.items.length === Math.min(SEGMENTS, this.limit) && last !== undefined) {
        const start = last.timerange.start ?? 0n;
        return {
          ...p,
          after: listed,
          flow: flowId,
          segment: { start: start.toString(), inclusive: last.timerange.startInclusive },
        };
      }
      return { cursor: p.cursor, stage: 'captions', after: listed };
    }
  }
}

/**
 * The record of a build's batch of one item passed over: the segment's note with the failure, or
 * an item of kind `other` naming the document it was to make.
 */
function failedPlan(plan: IndexPlan, progress: Progress, reason: string): IndexPlan {
  const failed = new IndexPlan();
  const none = { cues: 0, indexed: 0, outside: 0, unembedded: 0, error: reason };
  const note = [...plan.notes.values()][0];
  for (const removal of plan.removals) failed.remove(removal);
  if (note !== undefined) failed.note({ ...note, ...none });
  else {
    const ref = `index build, ${[...plan.additions.keys()][0] ?? progress.stage}`;
    failed.note({ kind: 'other', ref, ...none });
  }
  return failed;
}

/** What a build reads, for its progress: Sources, Flows, timed-text segments, ACTIVE transcripts. */
export async function countRebuildItems(store: StoreSession): Promise<number> {
  let items = 0;
  for (let after: string | undefined, first = true; first || after !== undefined; first = false) {
    const page = await store.sources.list({ tags: NO_TAGS }, after, 1000);
    items += page.items.length;
    after = page.next;
  }
  for (let after: string | undefined, first = true; first || after !== undefined; first = false) {
    const page = await store.flows.list({ tags: NO_TAGS }, after, 1000);
    items += page.items.length;
    for (const flow of page.items)
      if (isTimedTextFlow(flow)) items += await store.segments.countFlow(flow.id);
    after = page.next;
  }
  for (let after = '', more = true; more; ) {
    const active = await searchRepos(store).transcripts.active(after, 1000);
    items += active.length;
    after = active.at(-1)?.id ?? after;
    more = active.length === 1000;
  }
  return items;
}
