import type { DbSession, Row } from '../db/db.types.ts';
import { LEASE_TABLE } from '../db/migrate/migrate.history.ts';
import { and, col } from '../db/predicate.ts';
import { T } from '../store/tables.ts';

/** Rows listed at most per table (the counts are complete): a bundle of a large store stays small. */
export const STATE_ROWS = 200;

/** A follower of the outbox (search index, EXR catalogue, object sizes) and where it is. */
export interface FollowerPosition {
  feature: string;
  /** The lowest outbox position it still needs; undefined when it needs none. */
  position: bigint | undefined;
}

export interface StateSources {
  db: DbSession;
  followers(): Promise<FollowerPosition[]>;
  now: Date;
}

/** Row values as JSON takes them: bigints as strings, dates as ISO text. */
export function plain(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

const live = (until: unknown, now: Date) =>
  until instanceof Date && until > now ? 'held' : 'free or lapsed';

/** Up to STATE_ROWS rows of `table` matching `where`, with how many match in all. */
async function listed(
  db: DbSession,
  table: string,
  columns: string[],
  where = and(col(columns[0] as string).isNotNull()),
) {
  const [rows, count] = await Promise.all([
    db.select(table, { where, columns, limit: STATE_ROWS }),
    db.count(table, where),
  ]);
  return { count, ...(count > rows.length && { listed: rows.length }), rows: rows.map(plain) };
}

/**
 * The followers and leases of the store: where each outbox follower is against the outbox's head,
 * each webhook's delivery (its cursor, retries, lease; never its API key), the job leases (media
 * garbage collection, housekeeping of allocations, the followers'), the deletion requests still
 * running with their leases, controlled copies under way, the media garbage queue, the event
 * slots of replicas and the migration lease. Read through the table manager, in bounded lists.
 */
export async function followersAndLeases(sources: StateSources): Promise<Record<string, unknown>> {
  const { db, now } = sources;
  const head = await db.select(T.events, {
    columns: ['seq'],
    orderBy: [{ column: 'seq', direction: 'desc' }],
    limit: 1,
  });
  const outboxHead = head[0]?.seq;
  const followers = (await sources.followers()).map((f) => ({
    feature: f.feature,
    position: f.position?.toString() ?? null,
  }));
  const webhookRows = await db.select(T.webhooks, {
    columns: [
      'id',
      'api_version',
      'status',
      'cursor',
      'attempts',
      'next_attempt',
      'last_error',
      'lease_owner',
      'lease_until',
      'suspended',
      'suspended_at',
    ],
    limit: STATE_ROWS,
  });
  const parked = await db.count(T.parkedEvents);
  const jobLeases = (
    await db.select(T.guards, {
      where: and(col('key').startsWith('lease:')),
      columns: ['key', 'owner', 'until'],
    })
  ).map((r) => ({ ...plain(r), state: live(r.until, now) }));
  const migrationLease = (await db.select(LEASE_TABLE, { columns: ['name', 'owner', 'until'] })).map((r) => ({
    ...plain(r),
    state: live(r.until, now),
  }));
  return {
    taken_at: now.toISOString(),
    outbox: { head: outboxHead === undefined ? null : String(outboxHead), events: await db.count(T.events) },
    followers,
    webhook_deliveries: { webhooks: webhookRows.map(plain), parked_events: parked },
    job_leases: jobLeases,
    migration_lease: migrationLease,
    deletion_requests: await listed(
      db,
      T.deletions,
      ['id', 'flow_id', 'status', 'updated', 'lease_owner', 'lease_until'],
      and(col('status').in(['created', 'started'])),
    ),
    object_copies: await listed(
      db,
      T.instances,
      ['object_id', 'state', 'attempts', 'next_attempt', 'error', 'lease_owner', 'lease_until'],
      and(col('controlled').eq(true), col('state').ne('ready')),
    ),
    media_gc_queue: await listed(db, T.mediaGc, [
      'storage_id',
      'object_id',
      'queued',
      'attempts',
      'next_attempt',
      'last_error',
      'deleted',
    ]),
    event_slots: (await db.select(T.eventSlots, { columns: ['slot', 'high', 'owner', 'until'] })).map(plain),
  };
}
