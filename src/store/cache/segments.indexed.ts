import { envelopeOf, TimeRange } from '../../time/index.ts';
import type { FlowSegmentIndex } from '../index/segment-index.flow.ts';
import {
  keyOf,
  type SegmentKey,
  type SegmentPageOptions,
  type SegmentRecord,
  type SegmentsRepo,
} from '../segments.repo.ts';
import type { CacheView } from './store.cache.ts';

/** What the services use of the segments store, whichever implementation answers. */
export type SegmentsStore = Pick<
  SegmentsRepo,
  | 'insertMany'
  | 'page'
  | 'overlapping'
  | 'overlappingMany'
  | 'within'
  | 'countWithin'
  | 'countFlow'
  | 'deleteKeys'
  | 'envelope'
>;

const keyString = (k: SegmentKey) => `${k.start}${k.startInclusive ? '' : 'x'}`;

/**
 * Segments read from the in-memory index (src/store/index), loaded per Flow from the database
 * on first use; writes go to the database first and reach the index when their transaction
 * commits. A Flow the store does not know has no segments and gets no index.
 */
export class IndexedSegments implements SegmentsStore {
  constructor(
    private readonly db: SegmentsRepo,
    private readonly view: CacheView,
  ) {}

  async insertMany(segments: readonly SegmentRecord[]): Promise<void> {
    await this.db.insertMany(segments);
    const byFlow = new Map<string, SegmentRecord[]>();
    for (const s of segments) {
      const list = byFlow.get(s.flow_id);
      if (list) list.push(s);
      else byFlow.set(s.flow_id, [s]);
    }
    for (const [flowId, records] of byFlow) this.view.segmentWrite(flowId, { insert: records });
  }

  async page(flowId: string, range: TimeRange, options: SegmentPageOptions) {
    // Like the database's: nothing for a Flow gone or being deleted (not among the live ones).
    if (!this.view.flows.has(flowId)) return { items: [] };
    const index = await this.index(flowId);
    return index ? index.page(range, options) : { items: [] };
  }

  async overlapping(flowId: string, range: TimeRange): Promise<SegmentRecord[]> {
    return (await this.index(flowId))?.overlapping(range) ?? [];
  }

  async overlappingMany(ranges: ReadonlyMap<string, TimeRange>): Promise<Map<string, SegmentRecord[]>> {
    const found = new Map<string, SegmentRecord[]>();
    for (const [flowId, range] of ranges) {
      const segments = await this.overlapping(flowId, range);
      if (segments.length > 0) found.set(flowId, segments);
    }
    return found;
  }

  async within(
    flowId: string,
    range: TimeRange,
    objectId?: string,
    limit?: number,
  ): Promise<SegmentRecord[]> {
    return (await this.index(flowId))?.within(range, objectId, limit) ?? [];
  }

  async countWithin(flowId: string, range: TimeRange, objectId?: string): Promise<number> {
    return (await this.index(flowId))?.countWithin(range, objectId) ?? 0;
  }

  async countFlow(flowId: string): Promise<number> {
    return (await this.index(flowId))?.size ?? 0;
  }

  async deleteKeys(flowId: string, keys: readonly SegmentKey[]): Promise<number> {
    const deleted = await this.db.deleteKeys(flowId, keys);
    if (keys.length > 0) this.view.segmentWrite(flowId, { remove: keys });
    return deleted;
  }

  /**
   * The Flow's envelope as this transaction sees it: the committed index with the transaction's
   * own removals and insertions applied (they reach the index only at commit).
   */
  async envelope(flowId: string): Promise<TimeRange> {
    const index = await this.index(flowId);
    if (!index) return TimeRange.EMPTY;
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

  private async index(flowId: string): Promise<FlowSegmentIndex | undefined> {
    if (!this.view.knowsFlow(flowId)) return undefined;
    const { segments } = this.view;
    // Reads wait for a preload in progress rather than each scanning the table; a transaction
    // (which holds the writer) loads what it needs now instead.
    const preload = this.view.cache.preload;
    if (preload && !this.view.transactional && !segments.get(flowId)) await preload;
    return segments.get(flowId) ?? segments.load(flowId, () => this.db.all(flowId));
  }
}
