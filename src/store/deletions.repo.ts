import type { DbSession, JsonValue, Row } from '../db/db.types.ts';
import { and, col, or } from '../db/predicate.ts';
import type { TimeRange } from '../time/index.ts';
import type { ListingOrder, SortCursor } from './listing.order.ts';
import { bool, date, rangeFromColumns, rangeToColumns, reqStr, str } from './rows.ts';
import { sortedPage } from './sorted.scan.ts';
import { T } from './tables.ts';

export type DeletionStatus = 'created' | 'started' | 'done' | 'error';

export interface DeletionRecord {
  id: string;
  flow_id: string;
  delete_flow: boolean;
  /** Only segments referencing this object (DELETE segments?object_id=). */
  object_id?: string;
  status: DeletionStatus;
  timerange_to_delete: TimeRange;
  timerange_remaining: TimeRange;
  created: Date;
  created_by?: string;
  updated: Date;
  expiry?: Date;
  error?: JsonValue;
  lease_owner?: string;
  lease_until?: Date;
}

/** Flow and segment deletion requests, worked on by a background worker (deletion.worker.ts). */
export class DeletionsRepo {
  constructor(private readonly db: DbSession) {}

  async insert(record: DeletionRecord): Promise<void> {
    await this.db.insert(T.deletions, [toRow(record)]);
  }

  async save(record: DeletionRecord): Promise<void> {
    await this.db.update(T.deletions, and(col('id').eq(record.id)), toRow(record));
  }

  async get(id: string): Promise<DeletionRecord | null> {
    const [row] = await this.db.select(T.deletions, { where: and(col('id').eq(id)), limit: 1 });
    return row ? fromRow(row) : null;
  }

  /** Requests not yet expired, oldest first. */
  async list(now: Date, limit: number): Promise<DeletionRecord[]> {
    const rows = await this.db.select(T.deletions, {
      where: and(or(col('expiry').isNull(), col('expiry').gt(now))),
      orderBy: [{ column: 'created' }, { column: 'id' }],
      limit,
    });
    return rows.map(fromRow);
  }

  /**
   * A page of the requests not yet expired in a listing order (TAMS 8.2's sort_by): by
   * `created` or `expiry` (unset while a request runs), after `after`.
   */
  async listSorted(
    now: Date,
    sortBy: 'created' | 'expiry',
    order: ListingOrder,
    after: SortCursor | undefined,
    limit: number,
  ): Promise<{ items: DeletionRecord[]; next?: SortCursor }> {
    const page = await sortedPage(
      this.db,
      T.deletions,
      { column: sortBy, order, where: [or(col('expiry').isNull(), col('expiry').gt(now))] },
      after,
      limit,
    );
    return { items: page.rows.map(fromRow), ...(page.next && { next: page.next }) };
  }

  /** Unfinished requests whose lease is free or lapsed (a replica died holding it), oldest first. */
  async claimable(now: Date, limit: number): Promise<DeletionRecord[]> {
    const rows = await this.db.select(T.deletions, {
      where: and(
        col('status').in(['created', 'started']),
        or(col('lease_until').isNull(), col('lease_until').lt(now)),
      ),
      orderBy: [{ column: 'created' }],
      limit,
    });
    return rows.map(fromRow);
  }

  /**
   * Frees every lease not held by `owner`: for a process that knows no other can be working on
   * the store (the embedded engine admits one), such leases are a killed process's.
   */
  async releaseLeases(owner: string): Promise<number> {
    return this.db.update(
      T.deletions,
      and(col('lease_until').isNotNull(), or(col('lease_owner').isNull(), col('lease_owner').ne(owner))),
      { lease_owner: null, lease_until: null },
    );
  }

  async pendingForFlow(flowId: string): Promise<DeletionRecord[]> {
    const rows = await this.db.select(T.deletions, {
      where: and(col('flow_id').eq(flowId), col('status').in(['created', 'started'])),
    });
    return rows.map(fromRow);
  }

  async countPending(): Promise<number> {
    return this.db.count(T.deletions, and(col('status').in(['created', 'started'])));
  }

  async purgeExpired(now: Date): Promise<number> {
    return this.db.delete(T.deletions, and(col('expiry').lt(now)));
  }
}

function toRow(r: DeletionRecord): Row {
  return {
    id: r.id,
    flow_id: r.flow_id,
    delete_flow: r.delete_flow,
    object_id: r.object_id ?? null,
    status: r.status,
    ...rangeToColumns('del', r.timerange_to_delete),
    ...rangeToColumns('rem', r.timerange_remaining),
    created: r.created,
    created_by: r.created_by ?? null,
    updated: r.updated,
    expiry: r.expiry ?? null,
    error: r.error ?? null,
    lease_owner: r.lease_owner ?? null,
    lease_until: r.lease_until ?? null,
  };
}

function fromRow(row: Row): DeletionRecord {
  const created = date(row, 'created') ?? new Date(0);
  const record: DeletionRecord = {
    id: reqStr(row, 'id'),
    flow_id: reqStr(row, 'flow_id'),
    delete_flow: bool(row, 'delete_flow') ?? false,
    status: reqStr(row, 'status') as DeletionStatus,
    timerange_to_delete: rangeFromColumns(row, 'del'),
    timerange_remaining: rangeFromColumns(row, 'rem'),
    created,
    updated: date(row, 'updated') ?? created,
  };
  const objectId = str(row, 'object_id');
  if (objectId !== undefined) record.object_id = objectId;
  const createdBy = str(row, 'created_by');
  if (createdBy !== undefined) record.created_by = createdBy;
  const expiry = date(row, 'expiry');
  if (expiry !== undefined) record.expiry = expiry;
  if (row.error !== null && row.error !== undefined) record.error = row.error as JsonValue;
  const owner = str(row, 'lease_owner');
  if (owner !== undefined) record.lease_owner = owner;
  const until = date(row, 'lease_until');
  if (until !== undefined) record.lease_until = until;
  return record;
}
