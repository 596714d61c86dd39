import { recordRelease } from '../../db/migrate/migrate.releases.ts';
import type { Migration } from '../../db/migrate/migrate.types.ts';

/**
 * Starts store_releases (db/migrate/migrate.releases.ts), the record of which releases opened the
 * store, with the release applying it. It is a migration, not only a new table, so that it raises
 * the schema version: release 1.0.0, which knows migrations up to 4 and nothing of the record,
 * refuses a store a later release opened (its schema_too_new) instead of writing to it. Safe to
 * repeat: the release is recorded once per schema version.
 */
export const startStoreReleases: Migration = {
  id: 5,
  name: 'store-releases',
  description:
    'records which releases of tams-server opened the store (store_releases): an older release than the newest refuses it',
  async up({ db, release, owner, now }) {
    await recordRelease(db, { release, schema: 5, by: owner, at: now() });
  },
};
