import { BoundedMap } from '../common/bounded-map.ts';
import { SegmentSpacing } from './segments.spacing.ts';

/**
 * The hints of one process's store, shared by all its transactions (see BoundedMap): only for a
 * store without a cache, whose every read is a round trip. Replicas need not agree on them.
 */
export class StoreHints {
  /** How far apart each Flow's segments start (segment pages). */
  readonly spacing = new SegmentSpacing();
  /** Flow -> its Source, and Source -> its Flows (the events' filter fields, see SourcesRepo). */
  readonly sourceOfFlow = new BoundedMap<string, string>();
  readonly flowsOfSource = new BoundedMap<string, readonly string[]>();
}
