import type { DbSession } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big } from '../rows.ts';
import { T } from '../tables.ts';
import { OutboxTail } from './events.tail.ts';

/** Sequence numbers for events being appended, and the write that makes them final. */
export interface Issued {
  seqs: bigint[];
  /**
   * A write of the same transaction to run beside the events' insert (none: nothing to write),
   * started just after it: an engine that holds inserts back sends the events with it
   * (PostgreSQL: postgres.session.ts).
   */
  write?: () => Promise<unknown>;
}

/**
 * How the outbox numbers events, and how far its readers may read. Two kinds: one writer
 * (LocalSequence, the embedded engine) and replicas sharing a database (SlotSequence,
 * events.slots.ts).
 */
export interface EventSequence {
  /** `issue` reads and writes the database: an append outside a transaction gets one. */
  readonly transactional: boolean;
  /**
   * Numbers for `count` events about to be inserted through `db`, in order; `read`: what
   * `prefetch` read at the start of the same transaction, if it did.
   */
  issue(db: DbSession, count: number, read?: Promise<unknown>): Promise<Issued>;
  /**
   * At the start of a transaction: reads what `issue` needs, beside the transaction's first reads
   * (undefined: nothing to read).
   */
  prefetch?(db: DbSession): Promise<unknown> | undefined;
  /**
   * The highest seq a reader may pass, as `db` sees the outbox now: every event at or below it
   * that will ever commit has committed. Undefined: every committed event is final.
   */
  settled(db: DbSession): Promise<bigint | undefined>;
  /** Reads what the sequence needs before `last()` answers (the newest seq, once). */
  ready(db: DbSession): Promise<void>;
  /** The last seq this process issued (0 when none). */
  last(): bigint;
  /** The newest events as this process committed them, where it is the one writer. */
  readonly tail?: OutboxTail;
}

/**
 * One process writes (the embedded engine): sequence numbers grow with time (microseconds since
 * the epoch, at least one more than the last issued), and since that process's transactions
 * commit one at a time, in the order they were numbered, a committed event is final at once:
 * readers need no bound.
 */
export class LocalSequence implements EventSequence {
  readonly transactional = false;
  readonly tail = new OutboxTail();
  private lastIssued = -1n;

  async ready(db: DbSession): Promise<void> {
    if (this.lastIssued >= 0n) return;
    const newest = await newestSeq(db);
    // Another call may have read it meanwhile and issued numbers since.
    if (this.lastIssued >= 0n) return;
    this.lastIssued = newest;
    this.tail.start(newest);
  }

  async issue(db: DbSession, count: number): Promise<Issued> {
    await this.ready(db);
    const seqs = Array.from({ length: count }, () => this.next());
    this.tail.issued(seqs);
    return { seqs };
  }

  async settled(): Promise<bigint | undefined> {
    return undefined;
  }

  last(): bigint {
    return this.lastIssued < 0n ? 0n : this.lastIssued;
  }

  private next(): bigint {
    const now = BigInt(Date.now()) * 1000n;
    this.lastIssued = now > this.lastIssued ? now : this.lastIssued + 1n;
    return this.lastIssued;
  }
}

/** The seq of the newest event in the outbox (0 when there is none). */
export async function newestSeq(db: DbSession): Promise<bigint> {
  const [row] = await db.select(T.events, {
    // Says what `seq` never holds (a null), so that the descending order is one served by the
    // ascending index on it, read backwards: one row, not the whole outbox (sql.compile.ts).
    where: and(col('seq').isNotNull()),
    columns: ['seq'],
    orderBy: [{ column: 'seq', direction: 'desc' }],
    limit: 1,
  });
  return big(row ?? {}, 'seq') ?? 0n;
}
