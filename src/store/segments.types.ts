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
  | 'hasSegmentWithInit'
  | 'deleteKeys'
  | 'relocate'
  | 'envelope'
  | 'sizeForDeletion'
>;

/**
 * What a store holding segment indexes in memory answers beyond SegmentsStore, for the embedded
 * fast lane of segment pages (segments/segments.fastlane.ts): obtained as TamsStore.segmentIndex,
 * which only a root store with the cache has (where the topology can cache tables).
 */
export interface SegmentIndexLane {
  /**
   * page() as a PlainPage where an in-memory index holds the Flow and every row of the page is
   * plain; undefined where page() must answer (the Flow not loaded, a row that is not plain, a
   * Flow gone).
   */
  plainPage(flowId: string, range: TimeRange, options: SegmentPageOptions): Promise<PlainPage | undefined>;
}
