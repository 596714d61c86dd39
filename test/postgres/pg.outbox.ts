/**
 * What a webhook receiver got, set against the outbox the replicas wrote: every event of the
 * outbox once, nothing else, and each Flow's events in the outbox's order.
 */
import type { OutboxEvent } from '../../src/store/outbox/events.types.ts';
import type { ReceivedEvent } from '../helpers/receiver.ts';

type Doc = Record<string, unknown>;

/** What tells an event apart: its type, the Flow or Source it is about, its segments, its label. */
function keyOf(type: string, event: Doc): string {
  const about = (event.flow as Doc | undefined) ?? (event.source as Doc | undefined);
  const id = about?.id ?? event.flow_id ?? event.source_id;
  const segments = Array.isArray(event.segments) ? (event.segments as Doc[]).map((s) => s.timerange) : [];
  return `${type} ${String(id)} ${segments.join(',')} ${String(about?.label ?? '')}`;
}

export const receivedKey = (e: ReceivedEvent): string => keyOf(e.event_type, e.event);
export const outboxKey = (e: OutboxEvent): string => keyOf(e.event_type, e.payload as Doc);

/** The Flow (or Source) an event key is about. */
export const subjectOf = (key: string): string => key.split(' ')[1] ?? '';

/** Keys in `got` more often or less often than in `want`: `missing` and `extra` (duplicates). */
export function difference(
  want: readonly string[],
  got: readonly string[],
): { missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const k of want) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const k of got) counts.set(k, (counts.get(k) ?? 0) - 1);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [k, n] of counts) {
    for (let i = 0; i < n; i++) missing.push(k);
    for (let i = 0; i < -n; i++) extra.push(k);
  }
  return { missing, extra };
}

/** The subjects whose events `got` has in another order than `want` (each subject on its own). */
export function outOfOrder(want: readonly string[], got: readonly string[]): string[] {
  const bySubject = (keys: readonly string[]) => {
    const out = new Map<string, string[]>();
    for (const k of keys) out.set(subjectOf(k), [...(out.get(subjectOf(k)) ?? []), k]);
    return out;
  };
  const received = bySubject(got);
  return [...bySubject(want)].flatMap(([subject, keys]) =>
    JSON.stringify(received.get(subject) ?? []) === JSON.stringify(keys) ? [] : [subject],
  );
}
