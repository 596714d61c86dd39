import type { TimeRange } from '../time/index.ts';
import type { PlainPage } from './index/segment-index.plain.ts';
import type { SegmentPageOptions, SegmentsRepo } from './segments.repo.ts';

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

/**
 * What a store holding segment indexes in memory answers beyond SegmentsStore (the embedded fast
 * lane): obtained as TamsStore.segmentIndex, which only a store with the cache has (where the
 * topology can cache tables).
 */
export interface SegmentIndexLane {
  /**
   * page() as a PlainPage where an in-memory index holds the Flow and every row of the page is
   * plain; undefined where page() must answer (the Flow not loaded, a row that is not plain, a
   * Flow gone).
   */
  plainPage(flowId: string, range: TimeRange, options: SegmentPageOptions): Promise<PlainPage | undefined>;
  /**
   * How many segments the Flow has, for deciding how to delete many of them: from its index
   * where loaded, else counted. A store without indexes does not ask: a count is a further round
   * trip on a remote engine.
   */
  sizeForDeletion(flowId: string): Promise<number>;
}
