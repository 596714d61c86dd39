import type { SegmentsRepo } from './segments.repo.ts';

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
