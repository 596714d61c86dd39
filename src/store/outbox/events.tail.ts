import { deepFreeze } from '../../common/freeze.ts';
import type { JsonValue } from '../../db/db.types.ts';
import type { OutboxEvent } from './events.types.ts';

/** How much of the outbox the tail keeps: events, and their weight (a segment counts one). */
export interface TailCapacity {
  events: number;
  weight: number;
}

/**
 * 14-17 MiB of heap at the sizes registration writes (measured: 20,000 single-segment events
 * 14.4 MiB, 64 events of 1,000 segments 17.0 MiB): seconds of single-segment ingest and tens of
 * 1,000-segment batches, which is as far as the followers and deliveries of one process trail
 * when they keep up.
 */
const DEFAULT_CAPACITY: TailCapacity = { events: 20_000, weight: 64_000 };

/** A seq pending longer than this is taken for lost: reads go to the database. */
const STALE_PENDING_MS = 60_000;

/**
 * The newest events of the outbox as this process committed them, for its own readers (the search
 * and EXR followers, the object-size follower, webhook deliveries, event streams), which would
 * otherwise each read and parse the same rows from the database: three or four reads of every
 * event, most of a follower's cost under single-segment ingest.
 *
 * Only where this process is the one writer (LocalSequence): then every event committed above
 * `floor` (the newest seq when numbering started, or the newest one let go since) passed through
 * `settle` here. Numbers issued to a transaction still running are pending: a read stops below
 * the lowest of them, so no reader passes an event that commits later, whatever order the
 * transactions' `settle` calls come in. A reader whose cursor is below `floor` reads the database.
 *
 * The events are copies made when they commit, as the database returns them (their payload went
 * through JSON as the insert's does), frozen, since all readers share them.
 */
export class OutboxTail {
  /** Committed events above `floor`, in seq order; entries before `first` are let go. */
  private events: OutboxEvent[] = [];
  private first = 0;
  private weight = 0;
  private floor: bigint | undefined;
  /** Seqs issued to transactions not ended yet, with when (ms since the epoch). */
  private readonly pending = new Map<bigint, number>();
  private served = 0;
  private missed = 0;

  constructor(
    private readonly capacity: TailCapacity = DEFAULT_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Numbering starts above `newest`: from here on every event that commits is settled here. */
  start(newest: bigint): void {
    this.floor ??= newest;
  }

  /** Seqs issued to a transaction that has not ended yet. */
  issued(seqs: readonly bigint[]): void {
    const at = this.now();
    for (const seq of seqs) this.pending.set(seq, at);
  }

  /** The end of the transaction the events were numbered in: kept when it committed. */
  settle(events: readonly OutboxEvent[], committed: boolean): void {
    for (const event of events) this.pending.delete(event.seq);
    if (!committed || this.floor === undefined) return;
    for (const event of events) if (event.seq > this.floor) this.insert(frozenCopy(event));
    this.trim();
  }

  /**
   * Committed events after `seq` (at most `limit`, none above `upTo` when given) in order, each a
   * shallow copy the caller may change (its payload and arrays are frozen); undefined when the
   * tail does not hold every event after `seq`: the caller reads the database.
   */
  read(seq: bigint, limit: number, upTo?: bigint): OutboxEvent[] | undefined {
    if (this.floor === undefined || seq < this.floor) {
      this.missed++;
      return undefined;
    }
    let bound = upTo;
    const stale = this.now() - STALE_PENDING_MS;
    for (const [p, at] of this.pending) {
      // A transaction that never ended (or a settle that never came) must not stop every reader:
      // they read the database, as they did before the tail, where commits come in seq order.
      if (at < stale) {
        this.missed++;
        return undefined;
      }
      if (bound === undefined || p <= bound) bound = p - 1n;
    }
    this.served++;
    const out: OutboxEvent[] = [];
    for (let i = this.firstAfter(seq); i < this.events.length && out.length < limit; i++) {
      const event = this.events[i] as OutboxEvent;
      if (bound !== undefined && event.seq > bound) break;
      out.push({ ...event });
    }
    return out;
  }

  /** Events up to `upTo` were deleted from the outbox (purged): readers below them read the database. */
  forget(upTo: bigint): void {
    if (this.floor === undefined || upTo <= this.floor) return;
    this.floor = upTo;
    while (this.first < this.events.length && (this.events[this.first] as OutboxEvent).seq <= upTo)
      this.dropFirst();
    this.compact();
  }

  stats(): { events: number; weight: number; served: number; missed: number } {
    return {
      events: this.events.length - this.first,
      weight: this.weight,
      served: this.served,
      missed: this.missed,
    };
  }

  /** In seq order: at the end but for a transaction that settled after a later-numbered one. */
  private insert(event: OutboxEvent): void {
    let at = this.events.length;
    while (at > this.first && (this.events[at - 1] as OutboxEvent).seq > event.seq) at--;
    if (at === this.events.length) this.events.push(event);
    else this.events.splice(at, 0, event);
    this.weight += weightOf(event.payload);
  }

  private trim(): void {
    const { events, weight } = this.capacity;
    while (
      this.events.length - this.first > events ||
      (this.weight > weight && this.events.length - this.first > 1)
    ) {
      this.floor = (this.events[this.first] as OutboxEvent).seq;
      this.dropFirst();
    }
    this.compact();
  }

  private dropFirst(): void {
    this.weight -= weightOf((this.events[this.first] as OutboxEvent).payload);
    this.events[this.first] = undefined as unknown as OutboxEvent;
    this.first++;
  }

  /** Shifts the live entries down once the let-go ones are as many (amortised O(1) a drop). */
  private compact(): void {
    if (this.first === 0 || this.first < this.events.length - this.first) return;
    this.events = this.events.slice(this.first);
    this.first = 0;
  }

  /** The index of the first live event above `seq` (binary search). */
  private firstAfter(seq: bigint): number {
    let lo = this.first;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid] as OutboxEvent).seq > seq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** A stored segment counts one; an event without segments counts one. */
function weightOf(payload: JsonValue): number {
  const segments = (payload as { segments?: unknown } | null)?.segments;
  return Array.isArray(segments) && segments.length > 0 ? segments.length : 1;
}

/**
 * The event as the tail keeps it. A payload already frozen is kept as it is: its maker froze the
 * whole of it (deepFreeze), built of JSON values only, for the tail to share (flows/segments_added,
 * whose payload a bulk registration makes 1,000 segments long; its JSON copy was ~5 % of the
 * server's thread under bulk POSTs). Any other is copied through JSON, as the outbox's readers of
 * the table would see it.
 */
function frozenCopy(event: OutboxEvent): OutboxEvent {
  const payload = event.payload;
  const copy: OutboxEvent = {
    seq: event.seq,
    event_type: event.event_type,
    event_timestamp: new Date(event.event_timestamp.getTime()),
    payload: Object.isFrozen(payload)
      ? payload
      : deepFreeze(JSON.parse(JSON.stringify(payload) ?? 'null') as JsonValue),
  };
  if (event.flow_id !== undefined) copy.flow_id = event.flow_id;
  if (event.source_id !== undefined) copy.source_id = event.source_id;
  if (event.flow_collected_by !== undefined)
    copy.flow_collected_by = Object.freeze([...event.flow_collected_by]) as string[];
  if (event.source_collected_by !== undefined)
    copy.source_collected_by = Object.freeze([...event.source_collected_by]) as string[];
  return Object.freeze(copy) as OutboxEvent;
}
