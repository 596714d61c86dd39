import type { TableDef } from '../../db/db.types.ts';

export const AT = {
  sizes: 'object_sizes',
} as const;

/**
 * Object sizes for analytics (src/analytics/): TAMS carries no object sizes and the `objects`
 * table keeps none, so a follower of the event outbox asks the media backend (HEAD) for each
 * object registered (a row for every object, external ones unsized), and `tams-mgmt analytics
 * sizes` does the same for objects registered before.
 *
 * A table of its own rather than a column of `objects`: recording a size there would be an
 * update, and an update finds its rows by a scan of the key inside the write transaction
 * (measured on 10M objects: 220-250 ms to find 500 ids, with the single writer held, so ingest
 * would stall behind every batch), while this table receives appends, and deletions. Its rows go
 * with their objects: the follower deletes them as it comes to the store's `objects/deleted`
 * events (as it adds them at `flows/segments_added`), so totals read here count the objects
 * that exist as far as it has followed the outbox.
 *
 * Each row also says where the object's bytes were counted: its backend, the Flow whose segment
 * registration the follower saw (the first, normally), that segment's start on the media timeline
 * and when it was registered (wall clock). Reports over the whole store aggregate this table
 * alone (a join of 10M objects with 10M sizes took 4-6 s; one table's scan ~0.1 s).
 */
export const analyticsTables: TableDef[] = [
  {
    name: AT.sizes,
    columns: [
      { name: 'object_id', type: 'string', nullable: false },
      // Bytes; null when the backend had no object at the path when it was asked, or for an
      // external object (no backend: storage_id null too).
      { name: 'size', type: 'int64' },
      { name: 'checked', type: 'timestamp', nullable: false },
      { name: 'storage_id', type: 'string' },
      { name: 'flow_id', type: 'string' },
      // TAI nanoseconds: the start of the registering segment (null for objects sized without one).
      { name: 'seg_start', type: 'int64' },
      { name: 'registered', type: 'timestamp' },
      // Why the size could not be read, when the backend refused this object while it answered
      // others (size null): the object size follower's failed item (store/followers/follower.failures.ts).
      { name: 'error', type: 'string' },
    ],
  },
];
