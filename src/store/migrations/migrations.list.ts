import type { Migration } from '../../db/migrate/migrate.types.ts';
import { retireAllocationsUsed } from './m001.allocations-used.ts';
import { backfillAllocationLocations } from './m002.allocation-locations.ts';
import { backfillObjectTimes } from './m003.object-times.ts';
import { moveSegmentUrls } from './m004.segment-urls.ts';
import { startStoreReleases } from './m005.store-releases.ts';

/**
 * The store's versioned migrations, in order (see db/migrate/migrate.types.ts for the rules).
 * Append only: a new migration takes the next id.
 */
export const storeMigrations: readonly Migration[] = [
  retireAllocationsUsed,
  backfillAllocationLocations,
  backfillObjectTimes,
  moveSegmentUrls,
  startStoreReleases,
];
