import type { Predicate } from '../../db.types.ts';
import { keyOf } from './vast.values.ts';
import type { QueryBatch } from './wire/wire.frames.ts';
import { ROW_ID, type WireValue } from './wire/wire.types.ts';

/** A select whose predicate is one column equal to one of some values (`=`, `in`). */
export interface KeySelect {
  readonly column: string;
  /** As the predicate gives them; `remember` takes them on the wire. */
  readonly values: readonly unknown[];
}

/** The key a select is made on, when its predicate is nothing but `column = v` or `column in (...)`. */
export function keySelect(where: Predicate | undefined): KeySelect | undefined {
  const groups = where?.all ?? [];
  if (groups.length !== 1) return undefined;
  const [group] = groups;
  if (group === undefined) return undefined;
  const values: unknown[] = [];
  for (const c of group.any) {
    if (c.op === 'eq') values.push(c.value);
    else if (c.op === 'in') values.push(...(c.value as readonly unknown[]));
    else return undefined;
  }
  return { column: group.column, values };
}

/**
 * The `$row_id`s of rows a transaction has selected by key, so that an updateEach on that key
 * later in the same transaction sends its update without selecting them again (one round trip
 * instead of two). Only what holds in the transaction's snapshot: every row of the keys asked for
 * (a select on the key alone returns them all), forgotten at any write to the table, and not
 * kept from a select that ran while one was under way.
 */
export class KnownRowIds {
  /** table -> key column -> key -> row ids (empty: no row has that key). */
  private readonly known = new Map<string, Map<string, Map<string, bigint[]>>>();
  /** Writes to each table begun so far, and under way. */
  private readonly begun = new Map<string, number>();
  private readonly running = new Map<string, number>();

  /** A mark to hand back to `remember`: the writes to `table` begun before the select. */
  mark(table: string): number {
    return (this.running.get(table) ?? 0) > 0 ? -1 : (this.begun.get(table) ?? 0);
  }

  /** The row ids a key select returned, unless a write to the table overlapped it. */
  remember(
    table: string,
    mark: number,
    column: string,
    values: readonly WireValue[],
    batches: readonly QueryBatch[],
  ): void {
    if (mark < 0 || mark !== (this.begun.get(table) ?? 0) || (this.running.get(table) ?? 0) > 0) return;
    let columns = this.known.get(table);
    if (columns === undefined) {
      columns = new Map();
      this.known.set(table, columns);
    }
    let ids = columns.get(column);
    if (ids === undefined) {
      ids = new Map();
      columns.set(column, ids);
    }
    // This select's answer replaces what an earlier one said of the same keys.
    for (const v of values) ids.set(keyOf(v), []);
    for (const batch of batches) {
      const c = batch.fields.findIndex((f) => f.name === column);
      const r = batch.fields.findIndex((f) => f.name === ROW_ID);
      if (c < 0 || r < 0) {
        this.forget(table);
        return;
      }
      for (let i = 0; i < batch.numRows; i++) {
        const k = keyOf((batch.columns[c] as readonly WireValue[])[i] ?? null);
        ids.get(k)?.push((batch.columns[r] as readonly WireValue[])[i] as bigint);
      }
    }
  }

  /** The row ids of every key, or undefined unless all are known. */
  find(table: string, column: string, keys: readonly WireValue[]): Map<string, bigint[]> | undefined {
    const ids = this.known.get(table)?.get(column);
    if (ids === undefined) return undefined;
    const out = new Map<string, bigint[]>();
    for (const v of keys) {
      const k = keyOf(v);
      const found = ids.get(k);
      if (found === undefined) return undefined;
      out.set(k, found);
    }
    return out;
  }

  /**
   * Runs a write to `table` (one at a time per table: the engine's turn), which may `find` what
   * is known of it first; forgotten once it is done.
   */
  async writing<T>(table: string, work: () => Promise<T>): Promise<T> {
    this.begun.set(table, (this.begun.get(table) ?? 0) + 1);
    this.running.set(table, (this.running.get(table) ?? 0) + 1);
    try {
      return await work();
    } finally {
      this.running.set(table, (this.running.get(table) ?? 1) - 1);
      this.forget(table);
    }
  }

  private forget(table: string): void {
    this.known.delete(table);
  }
}
