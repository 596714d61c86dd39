import type { DbSession, JsonValue, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { big, date, reqStr, str } from './rows.ts';
import { T } from './tables.ts';

/** One TAMS event as kept in the outbox. */
export interface OutboxEvent {
  seq: bigint;
  event_type: string;
  event_timestamp: Date;
  flow_id?: string;
  source_id?: string;
  /** The Flow's `collected_by` when the event happened (webhook filter flow_collected_by_ids). */
  flow_collected_by?: string[];
  /** The Source's `collected_by` when the event happened (filter source_collected_by_ids). */
  source_collected_by?: string[];
  /** The event body's `event` object (segments without their per-delivery get_urls). */
  payload: JsonValue;
}

export type NewEvent = Omit<OutboxEvent, 'seq'>;

/**
 * The event outbox. Sequence numbers grow with time (microseconds since the epoch, at least one
 * more than the last issued by this process), so events of several processes interleave in
 * roughly the order they happened and each process's own are strictly ordered. One process
 * writing (DuckDB) commits in sequence order; with several replicas a number is issued before its
 * transaction commits, so readers stay a settle time behind (`settledSeq`) lest a cursor pass an
 * event that commits late.
 */
export class EventsRepo {
  constructor(
    private readonly db: DbSession,
    private readonly sequence: EventSequence,
    private readonly recorded: () => void = () => {},
  ) {}

  async append(events: readonly NewEvent[]): Promise<OutboxEvent[]> {
    if (events.length === 0) return [];
    this.recorded();
    await this.sequence.ready(this.db);
    const stored = events.map((e) => ({ ...e, seq: this.sequence.next() }));
    await this.db.insert(
      T.events,
      stored.map((e) => ({
        seq: e.seq,
        event_type: e.event_type,
        event_timestamp: e.event_timestamp,
        flow_id: e.flow_id ?? null,
        source_id: e.source_id ?? null,
        flow_collected_by: e.flow_collected_by ?? null,
        source_collected_by: e.source_collected_by ?? null,
        payload: e.payload,
      })),
    );
    return stored;
  }

  /** Events after `seq` (and not after `upTo` when given), in order, at most `limit`. */
  async after(seq: bigint, limit: number, upTo?: bigint): Promise<OutboxEvent[]> {
    const rows = await this.db.select(T.events, {
      where: and(col('seq').gt(seq), upTo === undefined ? undefined : col('seq').le(upTo)),
      orderBy: [{ column: 'seq' }],
      limit,
    });
    return rows.map(fromRow);
  }

  /** How many events come after `seq`. */
  async countAfter(seq: bigint): Promise<number> {
    return this.db.count(T.events, and(col('seq').gt(seq)));
  }

  /** The seq of the newest event in the outbox or issued here (0 when there is none). */
  async lastSeq(): Promise<bigint> {
    await this.sequence.ready(this.db);
    const newest = await newestSeq(this.db);
    const issued = this.sequence.last();
    // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers only)
    return newest > issued ? newest : issued;
  }

  /** Deletes events older than `before` that every webhook has passed (seq up to `upTo`). */
  async purge(upTo: bigint, before: Date): Promise<number> {
    return this.db.delete(T.events, and(col('seq').le(upTo), col('event_timestamp').lt(before)));
  }
}

/** The highest seq a reader may take as final `settleMs` after it was issued (see EventsRepo). */
export function settledSeq(now: Date, settleMs: number): bigint | undefined {
  return settleMs <= 0 ? undefined : BigInt(now.getTime() - settleMs) * 1000n;
}

/** The process's sequence of event numbers (see EventsRepo). */
export class EventSequence {
  private lastIssued = -1n;

  async ready(db: DbSession): Promise<void> {
    if (this.lastIssued >= 0n) return;
    this.lastIssued = await newestSeq(db);
  }

  next(): bigint {
    const now = BigInt(Date.now()) * 1000n;
    this.lastIssued = now > this.lastIssued ? now : this.lastIssued + 1n;
    return this.lastIssued;
  }

  last(): bigint {
    return this.lastIssued < 0n ? 0n : this.lastIssued;
  }
}

async function newestSeq(db: DbSession): Promise<bigint> {
  const [row] = await db.select(T.events, {
    columns: ['seq'],
    orderBy: [{ column: 'seq', direction: 'desc' }],
    limit: 1,
  });
  return big(row ?? {}, 'seq') ?? 0n;
}

function fromRow(row: Row): OutboxEvent {
  const event: OutboxEvent = {
    seq: big(row, 'seq') ?? 0n,
    event_type: reqStr(row, 'event_type'),
    event_timestamp: date(row, 'event_timestamp') ?? new Date(0),
    payload: row.payload as JsonValue,
  };
  const flowId = str(row, 'flow_id');
  if (flowId !== undefined) event.flow_id = flowId;
  const sourceId = str(row, 'source_id');
  if (sourceId !== undefined) event.source_id = sourceId;
  if (Array.isArray(row.flow_collected_by)) event.flow_collected_by = row.flow_collected_by as string[];
  if (Array.isArray(row.source_collected_by)) event.source_collected_by = row.source_collected_by as string[];
  return event;
}
