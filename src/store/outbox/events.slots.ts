import { DbConflictError } from '../../db/db.errors.ts';
import type { DbSession, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { GuardsRepo } from '../guards.repo.ts';
import { big, date, num, str } from '../rows.ts';
import { T } from '../tables.ts';
import type { EventSequence, Issued } from './events.sequence.ts';

/**
 * The outbox's numbering when replicas share one database, built so that no reader can pass an
 * event that commits later, whatever order transactions commit in, however slow a commit, however
 * far apart the replicas' clocks.
 *
 * A seq is `tick * EVENT_SLOTS + slot`: `slot` is a number each process takes for itself (a row
 * of `event_slots`), `tick` grows in it (microseconds, at least one more than the slot's `high`).
 * A transaction numbering events reads its slot's row (at its start, beside its other reads:
 * prefetch), numbers above the row's `high`, and writes `high` up to its last tick in the same
 * transaction. So:
 * - No seq is issued twice: two slots give different low bits; two transactions numbering in one
 *   slot both update its row, and the database refuses the second commit (first committer wins on
 *   a row, as guard rows assume: guards.repo.ts), even if two processes ever hold one slot (one
 *   paused past its lease while another took it).
 * - `high` is a promise: an event of the slot that has not committed yet has a tick above the
 *   `high` any snapshot shows, since its transaction read the row at its start and would conflict
 *   had the row changed before its commit. So in any snapshot every event whose tick is at most
 *   the lowest `high` of all rows has committed, and a reader that reads that bound (settled) and
 *   then the events up to it, in a snapshot no older (a read that starts after another finished
 *   sees at least what it saw), never passes one that commits later. Nothing here depends on
 *   clocks or on how long a commit takes.
 * - A slot that appears later is in no earlier snapshot's bound: its claim starts its `high` at
 *   the highest of all rows and updates the row with the lowest (so the claim conflicts if that row
 *   moved meanwhile). A snapshot without the new row took a bound at most that row's `high` then,
 *   or (by the same argument one claim earlier) at most the first `high` of a row it lacks.
 * - Readers move on as long as `high`s do. A busy slot's moves with its events; an idle one is
 *   lifted by its holder's beat (every TAMS_WORKER_IDLE_MS) to the highest of all rows when it is
 *   behind: a Lamport clock, its next ticks come above, so clock skew costs no delay. A slot
 *   nobody holds (released at shutdown, or its lease over: a replica that died) is lifted by any
 *   process's beat. An event is readable about a beat after it commits while every replica lives,
 *   and within the slot lease after one died holding a slot.
 *
 * Rejected: reading a settle time behind the newest seq (what this replaced) holds only if every
 * commit lands within that time of its numbers and clocks agree within it, and VAST calls retry
 * for 10 s; a commit deadline checked before COMMIT is sent says nothing of when VAST applies it
 * (a retried or delayed request); one counter row for the whole outbox is correct but makes every
 * event-writing transaction of every replica conflict with every other; a stream per replica read
 * with cursor vectors is correct but turns webhook cursors and Last-Event-ID into vectors.
 *
 * Cost on a shared database: every write transaction reads its process's slot row beside its
 * first reads (no round trip more on its path), and one numbering events updates it beside the
 * events' insert (by the row id that read found); a reader reads the slot rows once per pass; a
 * beat reads them once per interval and writes only when its slot holds readers back. The
 * embedded engine numbers with LocalSequence, unchanged.
 */
export const EVENT_SLOTS = 1024;
const SLOT_BITS = 10n;
/**
 * No slot's ticks start at or below this (2^43 µs: 1970), so that every seq in a slot is above
 * 2^53, and above the one-writer sequence's numbers (microseconds, below 2^53 until 2255) a
 * store written before slots may still hold.
 */
const MIN_TICK = 1n << 43n;
/** What readers may pass while no slot exists: those older numbers, all committed. */
const NO_SLOT_BOUND = (MIN_TICK << SLOT_BITS) - 1n;
/** The guard the claims of new slots share (two claiming the same number conflict). */
const NEW_SLOT_GUARD = 'event-slots';

/** Runs `fn` in a transaction, again on a fresh snapshot when its commit loses (TamsStore). */
export type Transact = <R>(fn: (tx: DbSession) => Promise<R>) => Promise<R>;

export interface SlotOptions {
  /** Identifies this process among replicas. */
  owner: string;
  /** How long a slot stays held without being renewed (TAMS_EVENT_SLOT_LEASE_SECONDS). */
  leaseMs: number;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

interface SlotRow {
  slot: number;
  high: bigint;
  owner: string | undefined;
  until: Date | undefined;
}

export class SlotSequence implements EventSequence {
  readonly transactional = true;
  private slot: number | undefined;
  private claiming: Promise<void> | undefined;
  private lastIssued = 0n;
  private readonly now: () => number;

  constructor(private readonly options: SlotOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The slot this process numbers in; undefined until claimed (or after it was taken over). */
  get held(): number | undefined {
    return this.slot;
  }

  /** Takes a slot unless one is held: a free one (lowest first), else a new one. */
  claim(transact: Transact): Promise<void> {
    if (this.slot !== undefined) return Promise.resolve();
    this.claiming ??= this.take(transact).finally(() => {
      this.claiming = undefined;
    });
    return this.claiming;
  }

  async ready(): Promise<void> {}

  last(): bigint {
    return this.lastIssued;
  }

  /** The slot's row, read in the transaction (a select on the key: its update needs no other). */
  prefetch(db: DbSession): Promise<Row[]> | undefined {
    const { slot } = this;
    return slot === undefined ? undefined : db.select(T.eventSlots, { where: and(col('slot').eq(slot)) });
  }

  async issue(db: DbSession, count: number, read?: Promise<unknown>): Promise<Issued> {
    const { slot } = this;
    // Given up since the transaction began (taken over, see lifts): it runs again, taking another.
    if (slot === undefined)
      throw new DbConflictError('event slots', 'this process no longer holds an event slot');
    const prefetched = bySlot(((await read) as Row[] | undefined) ?? [])[0];
    const mine = prefetched?.slot === slot ? prefetched : bySlot((await this.prefetch(db)) ?? [])[0];
    if (mine === undefined) throw new Error(`event slot ${slot} has no row`);
    const now = this.now();
    const first = max(tickAt(now), mine.high + 1n);
    const seqs = Array.from({ length: count }, (_, i) => seqOf(first + BigInt(i), slot));
    // Renewed while held: a replica writing events keeps its slot without beats.
    const until = mine.owner === this.options.owner ? new Date(now + this.options.leaseMs) : mine.until;
    const write = () => writeSlots(db, [{ ...mine, high: first + BigInt(count - 1), until }]);
    this.lastIssued = seqs.at(-1) ?? this.lastIssued;
    return { seqs, write };
  }

  async settled(db: DbSession): Promise<bigint> {
    const rows = await db.select(T.eventSlots, { columns: ['high'] });
    if (rows.length === 0) return NO_SLOT_BOUND;
    const low = rows.reduce((m, r) => min(m, big(r, 'high') ?? 0n), big(rows[0] as Row, 'high') ?? 0n);
    return seqOf(low, EVENT_SLOTS - 1);
  }

  /**
   * Lifts this process's slot when it holds readers back (below the highest slot) or its lease
   * is half gone, and the slots nobody holds that are behind. Reads first, and writes (in a
   * transaction, deciding again on its snapshot) only when there is something to lift. Returns
   * whether it ran that transaction.
   */
  async beat(db: DbSession, transact: Transact): Promise<boolean> {
    // A read outside a transaction may come from a snapshot older than this process's claim: a
    // slot that does not look held by this process is checked in the transaction.
    const seen = bySlot(await db.select(T.eventSlots));
    if (this.holds(seen) && this.lifts(seen, this.now()).length === 0) return false;
    await transact(async (tx) => {
      const slots = bySlot(await tx.select(T.eventSlots));
      // Taken over (this process was paused past its lease): the next transaction takes another.
      if (!this.holds(slots)) this.slot = undefined;
      const lifts = this.lifts(slots, this.now());
      if (lifts.length > 0) await writeSlots(tx, lifts);
    });
    return true;
  }

  /** Gives the slot up (shutdown): free at once for others to lift, and to take. */
  async release(transact: Transact): Promise<void> {
    const { slot } = this;
    if (slot === undefined) return;
    this.slot = undefined;
    await transact(async (tx) => {
      const mine = bySlot(await tx.select(T.eventSlots, { where: and(col('slot').eq(slot)) }))[0];
      if (mine === undefined || mine.owner !== this.options.owner) return;
      await writeSlots(tx, [{ ...mine, owner: undefined, until: undefined }]);
    });
  }

  private async take(transact: Transact): Promise<void> {
    const { owner, leaseMs } = this.options;
    this.slot = await transact(async (tx) => {
      const slots = bySlot(await tx.select(T.eventSlots));
      const now = this.now();
      const until = new Date(now + leaseMs);
      const start = max(max(topOf(slots), tickAt(now)), MIN_TICK);
      const free = slots.find((s) => !held(s, now));
      if (free !== undefined) {
        await writeSlots(tx, [{ slot: free.slot, high: max(free.high, start), owner, until }]);
        return free.slot;
      }
      await new GuardsRepo(tx).claim([NEW_SLOT_GUARD]);
      const used = new Set(slots.map((s) => s.slot));
      const slot = Array.from({ length: EVENT_SLOTS }, (_, n) => n).find((n) => !used.has(n));
      if (slot === undefined) throw new Error(`every one of the ${EVENT_SLOTS} event slots is held`);
      const lowest = slots.reduce<SlotRow | undefined>(
        (m, s) => (m === undefined || s.high < m.high ? s : m),
        undefined,
      );
      // Unchanged, but written: the claim conflicts if it moves before the claim commits.
      if (lowest !== undefined) await writeSlots(tx, [lowest]);
      await tx.insert(T.eventSlots, [toRow({ slot, high: start, owner, until })]);
      return slot;
    });
  }

  /** Whether `slots` show this process holding its slot (or it holds none). */
  private holds(slots: readonly SlotRow[]): boolean {
    return this.slot === undefined || slots.find((s) => s.slot === this.slot)?.owner === this.options.owner;
  }

  private lifts(slots: readonly SlotRow[], now: number): SlotRow[] {
    const top = topOf(slots);
    const lifts: SlotRow[] = [];
    for (const s of slots) {
      if (s.slot === this.slot) {
        const until = s.until?.getTime() ?? 0;
        if (s.high < top || until - now < this.options.leaseMs / 2)
          lifts.push({ ...s, high: top, until: new Date(now + this.options.leaseMs) });
      } else if (!held(s, now) && s.high < top) {
        lifts.push({ ...s, high: top });
      }
    }
    return lifts;
  }
}

function tickAt(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 1000n;
}

function seqOf(tick: bigint, slot: number): bigint {
  return (tick << SLOT_BITS) + BigInt(slot);
}

function held(s: SlotRow, now: number): boolean {
  return s.owner !== undefined && s.until !== undefined && s.until.getTime() > now;
}

function topOf(slots: readonly SlotRow[]): bigint {
  return slots.reduce((m, s) => max(m, s.high), 0n);
}

/** One entry per slot, in slot order; a slot with several rows counts as its highest. */
function bySlot(rows: readonly Row[]): SlotRow[] {
  const slots = new Map<number, SlotRow>();
  for (const row of rows) {
    const s: SlotRow = {
      slot: num(row, 'slot') ?? 0,
      high: big(row, 'high') ?? 0n,
      owner: str(row, 'owner'),
      until: date(row, 'until'),
    };
    const seen = slots.get(s.slot);
    if (seen === undefined || s.high > seen.high) slots.set(s.slot, s);
  }
  return [...slots.values()].sort((a, b) => a.slot - b.slot);
}

function toRow(s: SlotRow): Row {
  return { slot: s.slot, high: s.high, owner: s.owner ?? null, until: s.until ?? null };
}

/** Updates every row of each slot (all copies, should a slot ever have two). */
async function writeSlots(db: DbSession, slots: readonly SlotRow[]): Promise<void> {
  const changed = await db.updateEach(T.eventSlots, 'slot', slots.map(toRow));
  if (changed < slots.length) throw new Error(`event slot rows missing (${changed} of ${slots.length})`);
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
