import {
  keyOf,
  type SegmentKey,
  type SegmentPageOptions,
  type SegmentRecord,
  type SegmentsRepo,
} from '../../store/segments.repo.ts';
import type { SegmentsStore } from '../../store/segments.types.ts';
import { envelopeOf, TimeRange } from '../../time/index.ts';
import type { SegmentIndexLane } from '../embedded.types.ts';
import type { FlowSegmentIndex } from '../index/segment-index.flow.ts';
import type { PlainPage } from '../index/segment-index.plain.ts';
import type { CacheView } from './store.cache.ts';

const keyString = (k: SegmentKey) => `${k.start}${k.startInclusive ? '' : 'x'}`;

/**
 * Segments read from the in-memory index (src/embedded/index) where the Flow's index is loaded,
 * from the database otherwise (asking for the index to be loaded in the background, see
 * SegmentIndexLoader): nobody waits for a load, and memory holds the Flows in use within the
 * budget. Writes go to the database first and reach a loaded index when their transaction
 * commits. A Flow the store does not know has no segments and gets no index.
 *
 * The database answers exactly what the index would (the `core` test project runs every HTTP
 * suite on it); inside a transaction it also sees the transaction's own writes, which the index
 * gets only at commit: where that matters (envelope), the index adds them itself.
 */
export class IndexedSegments implements SegmentsStore, SegmentIndexLane {
  constructor(
    private readonly db: SegmentsRepo,
    private readonly view: CacheView,
  ) {}

  async insertMany(segments: readonly SegmentRecord[]): Promise<void> {
    await this.write(async (token) => {
      await this.db.insertMany(segments, this.view.segments.writeSeq(token));
      const byFlow = new Map<string, SegmentRecord[]>();
      for (const s of segments) {
        const list = byFlow.get(s.flow_id);
        if (list) list.push(s);
        else byFlow.set(s.flow_id, [s]);
      }
      for (const [flowId, records] of byFlow) this.view.segmentWrite(flowId, { insert: records });
    });
  }

  async page(flowId: string, range: TimeRange, options: SegmentPageOptions) {
    // Like the database's: nothing for a Flow gone or being deleted (not among the live ones).
    if (!this.view.flows.has(flowId)) return { items: [] };
    const index = await this.readIndex(flowId);
    return index ? index.page(range, options) : this.db.page(flowId, range, options);
  }

  async plainPage(
    flowId: string,
    range: TimeRange,
    options: SegmentPageOptions,
  ): Promise<PlainPage | undefined> {
    if (!this.view.flows.has(flowId)) return undefined;
    return (await this.readIndex(flowId))?.plainPage(range, options);
  }

  async overlapping(flowId: string, range: TimeRange): Promise<SegmentRecord[]> {
    if (!this.view.knowsFlow(flowId) || this.beyondTimerange(flowId, range)) return [];
    const index = await this.readIndex(flowId);
    return index ? index.overlapping(range) : this.db.overlapping(flowId, range);
  }

  async overlappingMany(ranges: ReadonlyMap<string, TimeRange>): Promise<Map<string, SegmentRecord[]>> {
    const found = new Map<string, SegmentRecord[]>();
    const unloaded = new Map<string, TimeRange>();
    for (const [flowId, range] of ranges) {
      if (!this.view.knowsFlow(flowId) || this.beyondTimerange(flowId, range)) continue;
      const index = this.index(flowId);
      if (!index) {
        unloaded.set(flowId, range);
        continue;
      }
      const segments = index.overlapping(range);
      if (segments.length > 0) found.set(flowId, segments);
    }
    if (unloaded.size > 0)
      for (const [id, list] of await this.db.overlappingMany(unloaded)) found.set(id, list);
    return found;
  }

  async within(
    flowId: string,
    range: TimeRange,
    objectId?: string,
    limit?: number,
  ): Promise<SegmentRecord[]> {
    if (!this.view.knowsFlow(flowId)) return [];
    const index = await this.readIndex(flowId);
    return index ? index.within(range, objectId, limit) : this.db.within(flowId, range, objectId, limit);
  }

  async countWithin(flowId: string, range: TimeRange, objectId?: string): Promise<number> {
    if (!this.view.knowsFlow(flowId)) return 0;
    const index = await this.readIndex(flowId);
    return index ? index.countWithin(range, objectId) : this.db.countWithin(flowId, range, objectId);
  }

  /** SegmentsRepo.sizeForDeletion, from the Flow's index where loaded, else counted. */
  sizeForDeletion(flowId: string): Promise<number | undefined> {
    // The index is as last committed: call before this transaction changes the Flow.
    return this.countFlow(flowId);
  }

  async countFlow(flowId: string): Promise<number> {
    if (!this.view.knowsFlow(flowId)) return 0;
    return (await this.readIndex(flowId))?.size ?? this.db.countFlow(flowId);
  }

  /** From the database, which sees this transaction's writes (a rare question: a Flow's PUT). */
  hasSegmentWithInit(flowId: string, withInit: boolean): Promise<boolean> {
    return this.db.hasSegmentWithInit(flowId, withInit);
  }

  async deleteKeys(flowId: string, keys: readonly SegmentKey[]): Promise<number> {
    if (keys.length === 0) return 0;
    return this.write(async (token) => {
      // Before the rows go: no snapshot may hold them once they are gone.
      this.view.cache.snapshots?.deletingIn(flowId, token);
      const deleted = await this.db.deleteKeys(flowId, keys);
      this.view.segmentWrite(flowId, { remove: keys });
      return deleted;
    });
  }

  /**
   * SegmentsRepo.relocate, and the Flow's index with it: the segments are taken out and put back
   * with their new location (an index has no change in place). The Flow's snapshot goes, as for a
   * deletion: the rows keep their write sequences, so a snapshot's reader would not see them.
   */
  async relocate(
    flowId: string,
    objectId: string,
    to: { id: string; path: string },
  ): Promise<SegmentRecord[]> {
    return this.write(async (token) => {
      // Before the rows change, as a deletion's; only where the Flow has some to move.
      const moved = await this.db.relocate(flowId, objectId, to, () =>
        this.view.cache.snapshots?.deletingIn(flowId, token),
      );
      if (moved.length > 0) {
        this.view.segmentWrite(flowId, { remove: moved.map(keyOf) });
        this.view.segmentWrite(flowId, { insert: moved });
      }
      return moved;
    });
  }

  /**
   * Runs a segment write under the token that holds its write sequence and snapshot state: the
   * transaction's view, settled by the store after COMMIT; outside a transaction a token of its
   * own, settled once the write is applied.
   */
  private async write<R>(fn: (token: object) => Promise<R>): Promise<R> {
    if (this.view.transactional) return fn(this.view);
    const token = {};
    try {
      return await fn(token);
    } finally {
      this.view.cache.settled(token);
    }
  }

  /**
   * The Flow's envelope as this transaction sees it: the committed index with the transaction's
   * own removals and insertions applied (they reach the index only at commit); the database,
   * which sees them, when the index is not loaded.
   */
  async envelope(flowId: string): Promise<TimeRange> {
    if (!this.view.knowsFlow(flowId)) return TimeRange.EMPTY;
    const index = this.index(flowId);
    if (!index) return this.db.envelope(flowId);
    const ops = this.view.segmentOps.get(flowId);
    if (!ops) return index.envelope();
    const removed = new Set<string>();
    const inserted: SegmentRecord[] = [];
    for (const op of ops) {
      if ('insert' in op) inserted.push(...op.insert);
      else for (const k of op.remove) removed.add(keyString(k));
    }
    const kept = (reverse: boolean) =>
      index
        .page(TimeRange.ETERNITY, { reverse, limit: removed.size + 1 })
        .items.find((s) => !removed.has(keyString(keyOf(s))));
    const first = kept(false);
    const last = kept(true);
    const remaining = first && last ? first.timerange.envelope(last.timerange) : TimeRange.EMPTY;
    return remaining.envelope(envelopeOf(inserted.map((s) => s.timerange)));
  }

  /**
   * Whether `range` lies outside the Flow's timerange, so that no committed segment of the Flow
   * overlaps it: an append, nearly every registration. Nothing is read for it, and no index load
   * is asked for (at 100M segments, the Flows being written far outnumber the indexes the budget
   * holds). The timerange covers every segment when the cache vouches for it (timerangesExact):
   * registration and deletion set it in their transaction, a crash is reconciled at start. Not
   * for a Flow being deleted (its old segments go in the background) or one this transaction
   * wrote segments to (they reach the timerange later in the transaction).
   */
  private beyondTimerange(flowId: string, range: TimeRange): boolean {
    if (
      !this.view.cache.timerangesExact ||
      this.view.deleting.has(flowId) ||
      this.view.segmentOps.has(flowId)
    )
      return false;
    const flow = this.view.flows.get(flowId);
    return flow !== undefined && !range.overlaps(flow.timerange);
  }

  /**
   * The Flow's index, loading it first where that is cheap: outside a transaction, for a Flow
   * with a snapshot (a file read, and the rows written since found by their sequence), waiting
   * for the load costs less than a database read would, which finds one Flow's rows in every part
   * of the table. Inside a transaction (a write), or without a snapshot, as index().
   */
  private async readIndex(flowId: string): Promise<FlowSegmentIndex | undefined> {
    const { cache } = this.view;
    if (!this.view.transactional && cache.segments.peek(flowId) === undefined && cache.snapshots?.has(flowId))
      await cache.loader.loaded(flowId);
    return this.index(flowId);
  }

  /** The Flow's index if loaded; otherwise undefined, and a load is asked for. */
  private index(flowId: string): FlowSegmentIndex | undefined {
    const index = this.view.segments.get(flowId);
    if (!index) this.view.cache.loader.request(flowId);
    return index;
  }
}
