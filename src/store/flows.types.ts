import type { CollectionsRepo } from './collections.repo.ts';
import type { FlowsRepo } from './flows.repo.ts';
import type { FlowRecord } from './store.types.ts';

/** What the services use of the Flows store, whichever implementation answers. */
export type FlowsStore = Pick<
  FlowsRepo,
  | 'get'
  | 'getMany'
  | 'rows'
  | 'existing'
  | 'bySources'
  | 'sourcesOf'
  | 'countBySource'
  | 'save'
  | 'written'
  | 'forWrite'
  | 'saveRow'
  | 'delete'
  | 'markDeleting'
  | 'rowExists'
  | 'deleteRow'
  | 'list'
  | 'listSorted'
  | 'setSegmentsState'
  | 'setSegmentsStates'
  | 'taggedValues'
> & {
  /**
   * The Flow's own fields as held in memory, not copied and without its collections (undefined
   * where Flows are not held in memory): for checks of a Flow's own fields that must not pay for
   * a copy, which callers must not change.
   */
  own?(id: string): Readonly<FlowRecord> | null;
};

/** What Source inference reads of Flow collections. */
export type CollectionsReader = Pick<CollectionsRepo, 'itemsOf' | 'collectorsOf' | 'members'>;
