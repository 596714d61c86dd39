/**
 * A table's rows as an immutable value: rows by `$row_id` in a persistent B+tree, and indexes in
 * the same kind of tree, each built by the first query that can use it. An index orders rows by
 * one column (for equality lookups), or by two (an equality, then a range on the second: a Flow's
 * segments by start); the row id ends every key. Writes return a new value that shares everything
 * untouched with the old one and carries the indexes built so far, kept up to date: so a
 * transaction's view, a reader's snapshot and the committed state each have correct indexes
 * without a table ever being copied.
 *
 * An index leaves out rows holding null or NaN in one of its columns: `equal` and the ordering
 * comparisons are false for them. Keys order values with `<` (one column's values are all of one
 * JavaScript type), which puts exactly the values `equal` finds equal together (-0 with 0), and
 * orders numbers and bigints as the comparisons do (ranges are only planned on those, fake.plan.ts).
 */
import { ROW_ID, type WireRow, type WireValue } from '../../src/db/engines/vast/wire/wire.types.ts';
import { PTree } from './fake.btree.ts';

/** Column values, then the row id. A shorter key sorts before the longer keys it begins. */
type Key = readonly WireValue[];
type Index = PTree<Key, WireRow>;
type Plain = string | bigint | number | boolean;

const compareIds = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const compareValues = (a: WireValue, b: WireValue): number =>
  (a as Plain) < (b as Plain) ? -1 : (a as Plain) > (b as Plain) ? 1 : 0;
function compareKeys(a: Key, b: Key): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i] as WireValue, b[i] as WireValue);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

const indexable = (v: WireValue | undefined): boolean => v !== null && v !== undefined && !Number.isNaN(v);

const idOf = (row: WireRow) => row[ROW_ID] as bigint;

/** The key of `row` in the index of `columns`, or null when the index leaves it out. */
function keyOf(columns: readonly string[], row: WireRow): Key | null {
  const key: WireValue[] = [];
  for (const c of columns) {
    const v = row[c];
    if (!indexable(v)) return null;
    key.push(v as WireValue);
  }
  key.push(idOf(row));
  return key;
}

/** Bounds of a range lookup: values in [lo, hi], either side open when absent. */
export interface Bounds {
  readonly column: string;
  readonly lo?: WireValue;
  readonly hi?: WireValue;
}

export class RowTable {
  private constructor(
    private readonly byId: PTree<bigint, WireRow>,
    /** Columns (joined by NUL) -> their index, for the ones asked for so far: a cache. */
    private readonly indexes: Map<string, { readonly columns: readonly string[]; readonly tree: Index }>,
  ) {}

  /** A new empty table (each its own: the index cache is per value). */
  static empty(): RowTable {
    return new RowTable(PTree.empty(compareIds), new Map());
  }

  /** Rows already sorted by `$row_id`, without repeats. */
  static fromSorted(rows: readonly WireRow[]): RowTable {
    return new RowTable(PTree.fromSorted(compareIds, rows.map(idOf), rows), new Map());
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: bigint): WireRow | undefined {
    return this.byId.get(id);
  }

  /** Rows with `$row_id >= from` in row-id order, until `visit` returns false. */
  walk(from: bigint, visit: (row: WireRow) => boolean): void {
    this.byId.walk(from, (_, row) => visit(row));
  }

  /** Every row, in row-id order. */
  all(): WireRow[] {
    const out: WireRow[] = [];
    this.walk(0n, (row) => out.push(row) > 0);
    return out;
  }

  /** The table with `rows` put in by `$row_id`: new ones added, existing ones replaced whole. */
  put(rows: readonly WireRow[]): RowTable {
    return this.change(rows.map((row) => [idOf(row), row]));
  }

  /** The table without the rows of these ids. */
  remove(ids: readonly bigint[]): RowTable {
    return this.change(ids.map((id) => [id, undefined]));
  }

  private change(changes: readonly (readonly [bigint, WireRow | undefined])[]): RowTable {
    // A write larger than the table (a load): one pass rebuilding it beats a path copy per row, and
    // its indexes, dropped, are built again when next asked for. Below that, dropping them would
    // cost more (a sort of the whole table per index) than keeping them up to date.
    if (changes.length > 256 && changes.length > this.size) return this.rebuilt(changes);
    // By id, ascending (the trees take sorted batches), the last change of an id winning.
    const byChange = [...new Map(changes)].sort((a, b) => compareIds(a[0], b[0]));
    const before = byChange.map(([id]) => this.byId.get(id));
    let byId = this.byId;
    for (const [id, row] of byChange) if (row === undefined) byId = byId.delete(id);
    const puts = byChange.filter(([, row]) => row !== undefined) as [bigint, WireRow][];
    byId = byId.setMany(
      puts.map((p) => p[0]),
      puts.map((p) => p[1]),
    );
    const indexes = new Map(this.indexes);
    for (const [name, { columns, tree }] of indexes) {
      let next = tree;
      const added: [Key, WireRow][] = [];
      byChange.forEach(([, row], n) => {
        const old = before[n];
        const was = old === undefined ? null : keyOf(columns, old);
        const is = row === undefined ? null : keyOf(columns, row);
        if (was !== null && (is === null || compareKeys(was, is) !== 0)) next = next.delete(was);
        if (is !== null) added.push([is, row as WireRow]);
      });
      added.sort((a, b) => compareKeys(a[0], b[0]));
      next = next.setMany(
        added.map((a) => a[0]),
        added.map((a) => a[1]),
      );
      indexes.set(name, { columns, tree: next });
    }
    return new RowTable(byId, indexes);
  }

  private rebuilt(changes: readonly (readonly [bigint, WireRow | undefined])[]): RowTable {
    const changed = new Map(changes);
    const rows: WireRow[] = [];
    this.walk(0n, (row) => {
      const id = idOf(row);
      const next = changed.has(id) ? changed.get(id) : row;
      changed.delete(id);
      if (next !== undefined) rows.push(next);
      return true;
    });
    const added = [...changed.values()].filter((r) => r !== undefined);
    added.sort((a, b) => compareIds(idOf(a), idOf(b)));
    // New ids are usually all above the old ones: then nothing to merge.
    const all =
      added.length === 0 ||
      rows.length === 0 ||
      idOf(added[0] as WireRow) > idOf(rows[rows.length - 1] as WireRow)
        ? rows.concat(added)
        : [...rows, ...added].sort((a, b) => compareIds(idOf(a), idOf(b)));
    return RowTable.fromSorted(all);
  }

  /**
   * The rows (in row-id order, each with `$row_id >= from`) whose `column` holds one of `values`
   * (distinct, of the column's JavaScript type), and when `range` is given whose `range.column`
   * lies within its bounds, and the index entries walked; the rows are null when finding them
   * would walk more than `cap` entries.
   */
  lookup(
    column: string,
    values: readonly WireValue[],
    range: Bounds | undefined,
    from: bigint,
    cap: number,
  ): { rows: WireRow[] | null; walked: number } {
    const index = this.index(range === undefined ? [column] : [column, range.column]);
    const out: WireRow[] = [];
    let walked = 0;
    for (const value of values) {
      let over = false;
      const start: Key =
        range === undefined ? [value, from] : range.lo === undefined ? [value] : [value, range.lo];
      index.walk(start, (key, row) => {
        if (compareValues(key[0] as WireValue, value) !== 0) return false;
        if (range?.hi !== undefined && compareValues(key[1] as WireValue, range.hi) > 0) return false;
        if (walked++ === cap) {
          over = true;
          return false;
        }
        if (idOf(row) >= from) out.push(row);
        return true;
      });
      if (over) return { rows: null, walked };
    }
    // One value's rows come in id order unless ordered by a range column first.
    if (values.length > 1 || range !== undefined) out.sort((a, b) => compareIds(idOf(a), idOf(b)));
    return { rows: out, walked };
  }

  private index(columns: readonly string[]): Index {
    const name = columns.join('\0');
    const built = this.indexes.get(name);
    if (built !== undefined) return built.tree;
    const entries: [Key, WireRow][] = [];
    this.byId.walk(undefined, (_, row) => {
      const key = keyOf(columns, row);
      if (key !== null) entries.push([key, row]);
      return true;
    });
    entries.sort((a, b) => compareKeys(a[0], b[0]));
    const tree: Index = PTree.fromSorted(
      compareKeys,
      entries.map((e) => e[0]),
      entries.map((e) => e[1]),
    );
    // A cache on an immutable value: every reader of this value may use it.
    this.indexes.set(name, { columns, tree });
    return tree;
  }
}
