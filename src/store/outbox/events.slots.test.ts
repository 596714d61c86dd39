/**
 * The outbox's numbering on a shared database (events.slots.ts): processes are stores on their
 * own VAST engines (their own write turns, as replicas have) on one schema of the fake VAST, which
 * refuses the second of two commits that changed one row. Each process has its own clock, moved
 * by the test; transactions are held open by the test to commit out of order.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { vastSettings } from '../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { loadConfig } from '../../config.ts';
import { openEngine } from '../../db/engine.factory.ts';
import { TableManager } from '../../db/manager.ts';
import { openStoreDb } from '../store.open.ts';
import { TamsStore } from '../store.ts';
import { storeTables } from '../tables.ts';
import type { OutboxEvent } from './events.repo.ts';
import { EVENT_SLOTS } from './events.slots.ts';

const LEASE_MS = 10_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

let vast: FakeVast;
const closing: (() => Promise<void>)[] = [];
beforeAll(async () => {
  vast = await startFakeVast();
});
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});
afterAll(() => vast.close());

interface Replica {
  store: TamsStore;
  /** The VAST schema: another replica on the same database opens it. */
  schema: string;
  /** Its clock (ms since the epoch): the test moves it. */
  clock: { ms: number };
  /** Appends one event in a transaction of its own. */
  write(n: number): Promise<OutboxEvent>;
}

async function replica(schema: string, ms = T0): Promise<Replica> {
  const config = loadConfig({
    ...vastSettings(vast, schema),
    // Every read sees every commit finished before it (no shared snapshot): the test's steps
    // follow each other; a shared snapshot only delays what a reader sees.
    TAMS_VAST_READ_SNAPSHOT_MS: '0',
  });
  const owner = `replica-${randomUUID()}`;
  const { db } = await openStoreDb(await openEngine(config), { owner });
  const clock = { ms };
  const store = await TamsStore.open(db, {
    slots: { owner, leaseMs: LEASE_MS, now: () => clock.ms },
  });
  closing.push(() => db.close());
  const write = async (n: number) => {
    const [event] = await store.events.append([event_(n)]);
    return event as OutboxEvent;
  };
  return { store, schema, clock, write };
}

function event_(n: number) {
  return { event_type: 'flows/updated', event_timestamp: new Date(T0), flow_id: `f${n}`, payload: { n } };
}

/** Two replicas (or more) on a fresh schema, opened one after the other. */
async function replicas(...clocks: number[]): Promise<Replica[]> {
  const schema = `slots_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const opened: Replica[] = [];
  for (const ms of clocks) opened.push(await replica(schema, ms));
  return opened;
}

/** A reader as the dispatcher and event streams read: the bound first, then up to it. */
class Reader {
  cursor = 0n;
  readonly got: bigint[] = [];
  constructor(private readonly store: TamsStore) {}
  async read(): Promise<bigint[]> {
    const upTo = await this.store.events.settled();
    const events = await this.store.events.after(this.cursor, 1000, upTo);
    for (const e of events) {
      this.got.push(e.seq);
      this.cursor = e.seq;
    }
    return events.map((e) => e.seq);
  }
}

/** A transaction of `r` that appends an event and waits, uncommitted, until `commit()`. */
function heldWrite(r: Replica, n: number) {
  let commit!: () => void;
  const gate = new Promise<void>((resolve) => {
    commit = resolve;
  });
  const state: { issued: OutboxEvent[]; runs: number; done: Promise<void>; commit: () => void } = {
    issued: [],
    runs: 0,
    commit,
    done: Promise.resolve(),
  };
  state.done = r.store.transaction(async (tx) => {
    state.runs++;
    state.issued = await tx.events.append([event_(n)]);
    await gate;
  });
  return state;
}

const sorted = (seqs: readonly bigint[]) => [...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('event slots', () => {
  it('give every event a number of its own across processes, each process in order, clocks notwithstanding', async () => {
    // b's clock an hour behind a's; both frozen (only the sequence moves them on).
    const [a, b] = (await replicas(T0, T0 - HOUR)) as [Replica, Replica];
    const seqs: bigint[] = [];
    const mine = { a: [] as bigint[], b: [] as bigint[] };
    await Promise.all(
      Array.from({ length: 12 }, async (_, n) => {
        const [ea, eb] = await Promise.all([a.write(n), b.write(n)]);
        seqs.push(ea.seq, eb.seq);
        mine.a.push(ea.seq);
        mine.b.push(eb.seq);
      }),
    );
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([a.store.eventSlot, b.store.eventSlot].sort()).toEqual([0, 1]);
    for (const [r, own] of [
      [a, mine.a],
      [b, mine.b],
    ] as const) {
      for (const seq of own) expect(seq % BigInt(EVENT_SLOTS)).toBe(BigInt(r.store.eventSlot as number));
    }
    expect(await a.store.events.after(0n, 100)).toHaveLength(seqs.length);
  });

  it('never issue a number twice when two processes end up holding one slot (one paused past its lease)', async () => {
    const [a, b] = (await replicas(T0, T0)) as [Replica, Replica];
    await a.write(0);
    // b's clock past a's lease: a's slot is free to b, which takes it; a has not noticed.
    b.clock.ms = T0 + LEASE_MS + 1;
    await b.store.beatEventSlots();
    await b.write(0);
    expect(b.store.eventSlot).toBe(a.store.eventSlot);
    b.clock.ms = T0;
    const seqs = (
      await Promise.all(Array.from({ length: 6 }, (_, n) => Promise.all([a.write(n), b.write(n)])))
    ).flatMap(([x, y]) => [x.seq, y.seq]);
    expect(new Set(seqs).size).toBe(seqs.length);
    // a's beat sees the slot taken: its next write takes another.
    await a.store.beatEventSlots();
    expect(a.store.eventSlot).toBeUndefined();
    await a.write(99);
    expect(a.store.eventSlot).toBe(1);
  });

  it('keep readers below an event whose transaction has not committed: commits out of order skip nothing', async () => {
    // b's clock ahead: its events number above a's held one.
    const [a, b] = (await replicas(T0, T0 + 1000)) as [Replica, Replica];
    await a.write(0);
    await b.write(0);
    const reader = new Reader(b.store);
    await a.store.beatEventSlots(); // a lifts its slot to b's: both written so far are readable
    expect(await reader.read()).toHaveLength(2);

    const held = heldWrite(a, 1);
    await expect.poll(() => held.issued.length).toBe(1);
    const late = (held.issued[0] as OutboxEvent).seq;
    b.clock.ms = T0 + 2000;
    const early = await b.write(2);
    expect(early.seq).toBeGreaterThan(late);
    // b's event is committed, a's numbered below it is not: a reader may not pass a's number.
    expect(await b.store.events.settled()).toBeLessThan(late);
    expect(await reader.read()).toEqual([]);
    held.commit();
    await held.done;
    expect(await reader.read()).toEqual([late]);
    await a.store.beatEventSlots(); // a idle below b's event: lifted
    expect(await reader.read()).toEqual([early.seq]);
    expect(reader.got).toEqual(sorted((await a.store.events.after(0n, 100)).map((e) => e.seq)));
  });

  it('wait for an idle process until its beat lifts its slot, and for a dead one until its lease ends', async () => {
    const [a, b, c] = (await replicas(T0, T0 + 1000, T0)) as [Replica, Replica, Replica];
    // a and c first: their slots start below b's.
    await a.write(0);
    await c.write(0);
    await b.write(0);
    const reader = new Reader(a.store);
    const written = await b.write(1);
    // a and c are idle below b's number: b's event waits for both.
    expect(await a.store.events.settled()).toBeLessThan(written.seq);
    expect(await a.store.beatEventSlots()).toBe(true);
    expect(await a.store.events.settled()).toBeLessThan(written.seq);
    // c died: its slot stays held until its lease ends, then any process lifts it.
    expect(await b.store.beatEventSlots()).toBe(false);
    b.clock.ms = T0 + 1000 + LEASE_MS + 1;
    expect(await b.store.beatEventSlots()).toBe(true);
    expect(await a.store.events.settled()).toBeGreaterThanOrEqual(written.seq);
    expect(await reader.read()).toContain(written.seq);
  });

  it('run again, with new numbers, a transaction whose slot another process lifted before it committed (its process seemed dead)', async () => {
    const [a, b] = (await replicas(T0, T0)) as [Replica, Replica];
    await Promise.all([a.write(0), b.write(0)]);
    const reader = new Reader(b.store);
    await reader.read();
    const held = heldWrite(a, 1);
    await expect.poll(() => held.issued.length).toBe(1);
    const first = (held.issued[0] as OutboxEvent).seq;
    // b sees a's lease over (a is stuck in this transaction), writes, lifts a's slot past it, reads on.
    b.clock.ms = T0 + LEASE_MS + 1;
    const after = await b.write(2);
    expect(await b.store.beatEventSlots()).toBe(true);
    expect(await reader.read()).toContain(after.seq);
    expect(reader.cursor).toBeGreaterThan(first);
    // a's commit conflicts (its slot's row moved): the transaction runs again, numbered above.
    held.commit();
    await held.done;
    expect(held.runs).toBe(2);
    const renumbered = (held.issued[0] as OutboxEvent).seq;
    expect(renumbered).toBeGreaterThan(reader.cursor);
    await a.store.beatEventSlots();
    await b.store.beatEventSlots();
    expect(await reader.read()).toEqual([renumbered]);
    expect((await b.store.events.after(0n, 100)).map((e) => e.seq)).not.toContain(first);
  });

  it('start a new slot above every bound read before, whatever the new process clock says', async () => {
    const [a] = (await replicas(T0)) as [Replica];
    await a.write(0);
    const bound = (await a.store.events.settled()) as bigint;
    const b = await replica(a.schema, T0 - HOUR);
    const first = await b.write(0);
    expect(b.store.eventSlot).toBe(1);
    expect(first.seq).toBeGreaterThan(bound);
  });

  it('start a new slot above what readers passed while its claim was committing', async () => {
    const [a, b] = (await replicas(T0, T0)) as [Replica, Replica];
    await a.write(0);
    await b.write(0);
    const c = await replica(a.schema, T0);
    // c's claim (which inserts its slot's row) waits at its commit...
    let txid: string | undefined;
    const hold = vast.faults.hold({
      match: (req) => {
        if (txid === undefined && req.kind === 'insert' && req.target.split('?')[0]?.endsWith('/event_slots'))
          txid = req.headers['tabular-txid'];
        return req.kind === 'commit' && txid !== undefined && req.headers['tabular-txid'] === txid;
      },
      times: 1,
    });
    const first = c.write(0);
    await expect.poll(() => hold.held).toBe(1);
    // ...while every other slot moves far above where the claim would start c's, and a reader,
    // who does not see c's slot yet, reads up to them.
    a.clock.ms = T0 + HOUR;
    b.clock.ms = T0 + HOUR;
    await a.write(1);
    await b.write(1);
    const bound = (await a.store.events.settled()) as bigint;
    hold.release();
    // The claim, which wrote the lowest of those slots, lost at commit and started c's above.
    expect((await first).seq).toBeGreaterThan(bound);
  });

  it('are given up at close: the next process takes the slot again', async () => {
    const [a] = (await replicas(T0)) as [Replica];
    await a.write(0);
    const slot = a.store.eventSlot;
    await a.store.close();
    expect(a.store.eventSlot).toBeUndefined();
    const b = await replica(a.schema, T0);
    await b.write(1);
    expect(b.store.eventSlot).toBe(slot);
  });
});

describe('one writer (no slots)', () => {
  it('numbers in microseconds of the clock and reads everything committed, without a bound', async () => {
    const db = await TableManager.open(await openEngine(loadConfig({}), { memory: true }), storeTables);
    closing.push(() => db.close());
    const store = await TamsStore.open(db);
    const before = BigInt(Date.now()) * 1000n;
    const [e1, e2] = await store.events.append([event_(0), event_(1)]);
    expect((e1 as OutboxEvent).seq).toBeGreaterThanOrEqual(before);
    expect((e2 as OutboxEvent).seq).toBe((e1 as OutboxEvent).seq + 1n);
    expect(await store.events.settled()).toBeUndefined();
    expect(store.eventSlot).toBeUndefined();
  });
});
