import type { Row } from '../../db/db.types.ts';
import type { Migration } from '../../db/migrate/migrate.types.ts';
import { and, col } from '../../db/predicate.ts';
import { reqStr, str } from '../rows.ts';
import { T } from '../tables.ts';

const BATCH = 1000;

/**
 * Backfills the location (storage_id, storage_path) of allocation rows written before the
 * allocations table carried it (115e0e4), from their objects, so that unused allocations load
 * without reading the objects table. Rows whose object has no location (or no row) keep none,
 * as they read before.
 *
 * Safe to repeat: rows are visited in object id order after a cursor, each batch updated in one
 * transaction, and a row already located is not selected again.
 */
export const backfillAllocationLocations: Migration = {
  id: 2,
  name: 'backfill-allocation-locations',
  description: 'allocation rows without storage_id/storage_path get them from their objects',
  async up({ db, renew, log }) {
    let after: string | undefined;
    let located = 0;
    for (;;) {
      const rows = await db.select(T.allocations, {
        where: and(col('storage_id').isNull(), after !== undefined && col('object_id').gt(after)),
        columns: ['object_id'],
        orderBy: [{ column: 'object_id' }],
        limit: BATCH,
      });
      if (rows.length === 0) break;
      const ids = [...new Set(rows.map((r) => reqStr(r, 'object_id')))];
      after = ids.at(-1);
      const objects = await db.select(T.objects, {
        where: and(col('id').in(ids), col('storage_id').isNotNull(), col('storage_path').isNotNull()),
        columns: ['id', 'storage_id', 'storage_path'],
      });
      const changes: Row[] = objects.map((o) => ({
        object_id: reqStr(o, 'id'),
        storage_id: str(o, 'storage_id') ?? null,
        storage_path: str(o, 'storage_path') ?? null,
      }));
      if (changes.length > 0) {
        await db.transaction(async (tx) => {
          located += await tx.updateEach(T.allocations, 'object_id', changes);
        });
      }
      await renew();
    }
    if (located > 0) log.info({ allocations: located }, 'allocation rows given their location');
  },
};
