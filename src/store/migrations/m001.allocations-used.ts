import type { TableDef } from '../../db/db.types.ts';
import type { Migration } from '../../db/migrate/migrate.types.ts';
import { and, col } from '../../db/predicate.ts';
import { reqStr } from '../rows.ts';
import { T } from '../tables.ts';

const ALLOCATIONS_USED = 'allocations_used';

/** The table as the versions that wrote it declared it. */
const allocationsUsed: TableDef = {
  name: ALLOCATIONS_USED,
  columns: [
    { name: 'object_id', type: 'string', nullable: false },
    { name: 'used', type: 'timestamp', nullable: false },
  ],
};

/** Objects per transaction: one `in` list per table, small enough for any engine's predicate. */
const BATCH = 1000;

/**
 * Retires `allocations_used`. Registration once recorded there that an allocated object had been
 * used by a segment; since then (e978a19) the object_refs row of an object's first segment
 * records it, and the store kept reading the old rows as uses and tidying them away. In today's
 * representation an allocated object that has been used has no allocation row (housekeeping
 * removes it), so for each object recorded here its allocation row goes, as housekeeping would
 * have done; then the table is dropped.
 *
 * Safe to repeat: each batch deletes its allocation rows and its allocations_used rows in one
 * transaction, and the drop comes last.
 */
export const retireAllocationsUsed: Migration = {
  id: 1,
  name: 'retire-allocations-used',
  description:
    'objects recorded as used in allocations_used (written by versions before 2026-11-22) lose their allocation rows; the table is dropped',
  retired: [allocationsUsed],
  async up({ db, has, dropRetired, renew, log }) {
    if (!has(ALLOCATIONS_USED)) return;
    let moved = 0;
    for (;;) {
      const rows = await db.select(ALLOCATIONS_USED, { columns: ['object_id'], limit: BATCH });
      if (rows.length === 0) break;
      const ids = [...new Set(rows.map((r) => reqStr(r, 'object_id')))];
      await db.transaction(async (tx) => {
        moved += await tx.delete(T.allocations, and(col('object_id').in(ids)));
        await tx.delete(ALLOCATIONS_USED, and(col('object_id').in(ids)));
      });
      await renew();
    }
    if (moved > 0) log.info({ allocations: moved }, 'allocations of objects recorded as used removed');
    await dropRetired(ALLOCATIONS_USED);
  },
};
