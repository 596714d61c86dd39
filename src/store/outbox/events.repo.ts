import type { DbSession, JsonValue, Predicate, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, date, reqStr, str } from '../rows.ts';
import { T } from '../tables.ts';
import { type EventSequence, newestSeq } from './events.sequence.ts';
import type { NewEvent, OutboxEvent } from './events.types.ts';

export type { NewEvent, OutboxEvent } from './events.types.ts';

/**
 * The event outbox. Sequence numbers order the events and are what readers (webhook cursors,
 * event streams' Last-Event-ID) resume from; the sequence decides how they are issued and how
 * far a reader may read: one writer (the embedded engine) commits in sequence order, so every
 * committed event is final (LocalSequence); replicas sharing a database number in slots of their
 * own and read up to the bound below which nothing can still commit (SlotSequence,
 * events.slots.ts).
 */
export class EventsRepo {
  constructor(
    private readonly db: DbSession,
    private readonly sequence: EventSequence,
    private readonly recorded: () => void = () => {},
    /** Outside a transaction: runs an append in one (a sequence that reads and writes needs it). */
    private readonly atomically?: <R>(fn: (events: EventsRepo) => Promise<R>) => Promise<R>,
  ) {}

  async append(events: readonly NewEvent[]): Promise<OutboxEvent[]> {
    if (events.length === 0) return [];
    if (this.atomically && this.sequence.transactional) return this.atomically((tx) => tx.append(events));
    this.recorded();
    const read = this.read;
    this.read = undefined;
    const { seqs, write } = await this.sequence.issue(this.db, events.length, read);
    const stored = events.map((e, i) => ({ ...e, seq: seqs[i] as bigint }));
    const insert = this.db.insert(
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
    const written = write?.();
    if (this.sequence.tail) this.appended.push(...stored);
    let inserted = false;
    try {
      await (written === undefined ? insert : Promise.all([insert, written]));
      inserted = true;
    } finally {
      // Outside a transaction the insert commits on its own; inside one, the store settles the
      // events when the transaction ends (TamsStore.run).
      if (this.atomically !== undefined) this.settle(inserted);
    }
    return stored;
  }

  /** Events appended in this transaction, for the tail when it ends. */
  private readonly appended: OutboxEvent[] = [];

  /** At the end of the transaction this repository is of: its events committed or not (TamsStore). */
  settle(committed: boolean): void {
    if (this.appended.length === 0) return;
    this.sequence.tail?.settle(this.appended, committed);
    this.appended.length = 0;
  }

  /** What the sequence read at the transaction's start (prefetch), for its first append. */
  private read: Promise<unknown> | undefined;

  /**
   * At the start of a transaction: lets the sequence read what numbering events needs beside the
   * transaction's first reads, so that an append does not wait for it. Returns the read, which
   * the transaction waits for before it commits (nothing may be under way then).
   */
  prefetch(): Promise<unknown> | undefined {
    const read = this.sequence.prefetch?.(this.db);
    // Not awaited when nothing is appended: a failure of it is the transaction's own to report.
    read?.catch(() => undefined);
    this.read = read;
    return read;
  }

  /**
   * Events after `seq` (and not after `upTo` when given), in order, at most `limit`. For the
   * outbox's readers, woken as events become visible (StoreOpenOptions.eventsCommitted): the
   * read may lag behind the newest commits (SelectOptions.lag), which then come at the next wake.
   */
  async after(seq: bigint, limit: number, upTo?: bigint): Promise<OutboxEvent[]> {
    const held = this.sequence.tail?.read(seq, limit, upTo);
    if (held !== undefined) return held;
    const rows = await this.db.select(T.events, {
      where: this.range(seq, upTo),
      orderBy: [{ column: 'seq' }],
      limit,
      lag: true,
    });
    return rows.map(fromRow);
  }

  /**
   * As `after`, with the payloads of only the events `wanted` keeps (the others' payload is null):
   * for readers that act on a few of the events, so that they do not read and parse every
   * payload (a segments_added event carries its segments) to skip most of them.
   */
  async afterSome(
    seq: bigint,
    limit: number,
    upTo: bigint | undefined,
    wanted: (event: OutboxEvent) => boolean | Promise<boolean>,
  ): Promise<OutboxEvent[]> {
    const held = this.sequence.tail?.read(seq, limit, upTo);
    if (held !== undefined) {
      for (const event of held) {
        const { payload } = event;
        // As `wanted` sees events read from the database: without their payload.
        event.payload = null;
        if (await wanted(event)) event.payload = payload;
      }
      return held;
    }
    const rows = await this.db.select(T.events, {
      where: this.range(seq, upTo),
      columns: HEAD_COLUMNS,
      orderBy: [{ column: 'seq' }],
      limit,
      lag: true,
    });
    const events = rows.map((row) => fromRow({ ...row, payload: null }));
    const keep: bigint[] = [];
    for (const event of events) if (await wanted(event)) keep.push(event.seq);
    if (keep.length === 0) return events;
    const payloads = new Map<bigint, JsonValue>();
    for (const row of await this.db.select(T.events, {
      where: and(col('seq').in(keep)),
      columns: ['seq', 'payload'],
      lag: true,
    }))
      payloads.set(big(row, 'seq') ?? 0n, row.payload as JsonValue);
    for (const event of events) event.payload = payloads.get(event.seq) ?? null;
    return events;
  }

  /** Events after `seq`, and not after `upTo` when given. */
  private range(seq: bigint, upTo: bigint | undefined): Predicate {
    return and(col('seq').gt(seq), upTo === undefined ? undefined : col('seq').le(upTo));
  }

  /**
   * The highest seq readers may pass now (the `upTo` of `after`): no event at or below it can
   * still commit. Undefined: every committed event is final (one writer). Read it before the
   * events it bounds.
   */
  settled(): Promise<bigint | undefined> {
    return this.sequence.settled(this.db);
  }

  /**
   * Where a new reader (a webhook being registered, an event stream) starts so that it gets every
   * event committed after this call's snapshot: the settled bound on a shared database (an event
   * above it committed before may come too), the newest event with one writer.
   */
  async startCursor(): Promise<bigint> {
    return (await this.settled()) ?? this.lastSeq();
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
    // Before the delete: a reader below `upTo` then reads the database, as it would after it.
    this.sequence.tail?.forget(upTo);
    return this.db.delete(T.events, and(col('seq').le(upTo), col('event_timestamp').lt(before)));
  }
}

/** Every column but the payload. */
const HEAD_COLUMNS = [
  'seq',
  'event_type',
  'event_timestamp',
  'flow_id',
  'source_id',
  'flow_collected_by',
  'source_collected_by',
];

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
