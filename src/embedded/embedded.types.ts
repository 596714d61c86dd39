import type { SegmentPageOptions } from '../store/segments.repo.ts';
import type { TimeRange } from '../time/index.ts';
import type { PlainPage } from './index/segment-index.plain.ts';

/**
 * What the accelerator's segment indexes answer beyond SegmentsStore, for the embedded fast lane
 * of segment pages (segments/segments.fastlane.ts): EmbeddedAccelerator.segmentIndex.
 */
export interface SegmentIndexLane {
  /**
   * page() as a PlainPage where an in-memory index holds the Flow and every row of the page is
   * plain; undefined where page() must answer (the Flow not loaded, a row that is not plain, a
   * Flow gone).
   */
  plainPage(flowId: string, range: TimeRange, options: SegmentPageOptions): Promise<PlainPage | undefined>;
}
