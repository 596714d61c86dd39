/**
 * The outbox's tail (events.tail.ts) on its own: what a reader may be given while transactions are
 * still running, how far back it holds events, and when it sends readers to the database.
 */
import { describe, expect, it } from 'vitest';
import { OutboxTail, type TailCapacity } from './events.tail.ts';
import type { OutboxEvent } from './events.types.ts';

function ev(seq: number, segments = 1): OutboxEvent {
  return {
    seq: BigInt(seq),
    event_type: 'flows/segments_added',
    event_timestamp: new Date(Date.UTC(2026, 0, 1)),
    flow_id: 'flow',
    payload: { segments: Array.from({ length: segments }, (_, i) => ({ object_id: `o${seq}-${i}` })) },
  };
}

const seqs = (events: readonly OutboxEvent[] | undefined) => events?.map((e) => Number(e.seq));

function tail(capacity: TailCapacity = { events: 100, weight: 1000 }, now = () => 0): OutboxTail {
  const t = new OutboxTail(capacity, now);
  t.start(10n);
  return t;
}

describe('OutboxTail', () => {
  it('sends readers to the database until numbering starts, and below where it started', () => {
    const t = new OutboxTail();
    expect(t.read(0n, 10)).toBeUndefined();
    t.start(10n);
    expect(t.read(9n, 10)).toBeUndefined();
    expect(t.read(10n, 10)).toEqual([]);
  });

  it('gives no event above one whose transaction has not ended, in seq order once it has', () => {
    const t = tail();
    t.issued([11n, 12n]);
    t.issued([13n]);
    t.settle([ev(13)], true);
    t.settle([ev(12)], true);
    expect(seqs(t.read(10n, 10))).toEqual([]);
    t.settle([ev(11)], true);
    expect(seqs(t.read(10n, 10))).toEqual([11, 12, 13]);
    expect(seqs(t.read(11n, 1))).toEqual([12]);
    expect(seqs(t.read(12n, 10, 12n))).toEqual([]);
  });

  it('keeps nothing of a transaction that did not commit, and does not wait for it', () => {
    const t = tail();
    t.issued([11n, 12n]);
    t.settle([ev(11)], false);
    expect(seqs(t.read(10n, 10))).toEqual([]);
    t.settle([ev(12)], true);
    expect(seqs(t.read(10n, 10))).toEqual([12]);
  });

  it('lets the oldest go past its capacity in events or in weight, and readers below them read the database', () => {
    const t = tail({ events: 3, weight: 1000 });
    for (let s = 11; s <= 15; s++) {
      t.issued([BigInt(s)]);
      t.settle([ev(s)], true);
    }
    expect(t.read(11n, 10)).toBeUndefined();
    expect(seqs(t.read(12n, 10))).toEqual([13, 14, 15]);
    expect(t.stats().events).toBe(3);

    const w = tail({ events: 100, weight: 10 });
    for (let s = 11; s <= 14; s++) {
      w.issued([BigInt(s)]);
      w.settle([ev(s, 4)], true);
    }
    expect(seqs(w.read(12n, 10))).toEqual([13, 14]);
    expect(w.read(11n, 10)).toBeUndefined();
    expect(w.stats().weight).toBe(8);
    // One event heavier than the whole capacity is still held (the newest always is).
    w.issued([15n]);
    w.settle([ev(15, 50)], true);
    expect(seqs(w.read(14n, 10))).toEqual([15]);
  });

  it('forgets what the outbox purged', () => {
    const t = tail();
    for (let s = 11; s <= 14; s++) {
      t.issued([BigInt(s)]);
      t.settle([ev(s)], true);
    }
    t.forget(12n);
    expect(t.read(11n, 10)).toBeUndefined();
    expect(seqs(t.read(12n, 10))).toEqual([13, 14]);
  });

  it('sends readers to the database while a transaction has held its numbers for a minute', () => {
    let now = 0;
    const t = tail(undefined, () => now);
    t.issued([11n]);
    t.issued([12n]);
    t.settle([ev(12)], true);
    now = 59_999;
    expect(seqs(t.read(10n, 10))).toEqual([]);
    now = 60_001;
    expect(t.read(10n, 10)).toBeUndefined();
    t.settle([ev(11)], true);
    expect(seqs(t.read(10n, 10))).toEqual([11, 12]);
  });

  it('holds copies: what the writer changes later is not seen, what readers get they may change', () => {
    const t = tail();
    const written = ev(11);
    t.issued([11n]);
    t.settle([written], true);
    (written.payload as { segments: { object_id: string }[] }).segments.push({ object_id: 'late' });
    const [first] = t.read(10n, 1) ?? [];
    expect(first?.payload).toEqual({ segments: [{ object_id: 'o11-0' }] });
    (first as OutboxEvent).payload = null;
    expect(t.read(10n, 1)?.[0]?.payload).toEqual({ segments: [{ object_id: 'o11-0' }] });
  });
  it('shares a payload its maker froze, copies any other, and hands out payloads no reader can change', () => {
    const t = tail();
    const frozen = ev(11);
    Object.freeze(frozen.payload);
    const loose = ev(12);
    t.issued([11n, 12n]);
    t.settle([frozen, loose], true);
    const [a, b] = t.read(10n, 10) ?? [];
    expect(a?.payload).toBe(frozen.payload);
    expect(b?.payload).not.toBe(loose.payload);
    expect(b?.payload).toEqual(loose.payload);
    // The copy is the tail's own: the maker changing its event later changes nothing read.
    (loose.payload as { segments: unknown[] }).segments.push({ object_id: 'late' });
    expect(t.read(11n, 1)?.[0]?.payload).toEqual(ev(12).payload);
    expect(Object.isFrozen((b?.payload as { segments: unknown[] } | undefined)?.segments)).toBe(true);
  });
});
